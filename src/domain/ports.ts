import type { Message, Conversation, Note } from './models.js';

/** The only source of time for logic: quiet hours, schedules and retries stay testable. */
export interface Clock {
  now(): Date;
}

/** The only source of ids; ids sort by creation time (UUIDv7). */
export interface IdSource {
  next(): string;
}

export type ParleyEvent =
  | { type: 'message.created'; workspaceId: string; data: Message }
  | { type: 'message.updated'; workspaceId: string; data: Message }
  | { type: 'conversation.updated'; workspaceId: string; data: Conversation }
  | { type: 'note.created'; workspaceId: string; data: Note };

/** Fan-out of live events to SSE clients (in-process now; PostgreSQL NOTIFY when scaled out). */
export interface EventBus {
  publish(event: ParleyEvent): void;
  subscribe(workspaceId: string, listener: (event: ParleyEvent) => void): () => void;
}

/**
 * The send queue. A message row is the job; this port only carries the "there is work"
 * signal so workers wake without waiting for their next poll. Claiming lives in the store.
 */
export interface SendQueueSignal {
  notify(): void;
  onNotify(listener: () => void): () => void;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
