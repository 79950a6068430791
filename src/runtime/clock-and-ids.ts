import { v7 as uuidv7 } from 'uuid';
import type { Clock, IdSource } from '../domain/ports.js';

export const systemClock: Clock = { now: () => new Date() };

/** UUIDv7: sortable by creation time, monotonic within a process. */
export const uuidV7Ids: IdSource = { next: () => uuidv7() };

/** A clock tests can move by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date = new Date('2026-01-01T12:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
