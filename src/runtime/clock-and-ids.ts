import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock, IdSource } from '../domain/ports.js';

export const systemClock: Clock = { now: () => new Date() };

const IDS_PER_REFILL = 512;
const randomPool = new Uint8Array(16 * IDS_PER_REFILL);
let poolUsed = IDS_PER_REFILL;
const v7State = { msecs: -Infinity, seq: 0 };

/**
 * UUIDv7: sortable by creation time, monotonic within a process (the same counter rules as
 * uuid's own v7 state). Random bytes come from a pool refilled 512 ids at a time: one
 * `getRandomValues` call per id was ~5% of a busy worker's CPU, and a message makes several ids.
 */
function nextUuidV7(): string {
  if (poolUsed === IDS_PER_REFILL) {
    randomFillSync(randomPool);
    poolUsed = 0;
  }
  const random = randomPool.subarray(poolUsed * 16, poolUsed * 16 + 16);
  poolUsed += 1;
  const now = Date.now();
  if (now > v7State.msecs) {
    v7State.msecs = now;
    v7State.seq = (((random[6] ?? 0) & 0x7f) << 24) | ((random[7] ?? 0) << 16) | ((random[8] ?? 0) << 8) | (random[9] ?? 0);
  } else {
    v7State.seq = (v7State.seq + 1) | 0;
    if (v7State.seq === 0) v7State.msecs += 1;
  }
  return uuidv7({ random, msecs: v7State.msecs, seq: v7State.seq });
}

export const uuidV7Ids: IdSource = { next: nextUuidV7 };

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
