import { EventEmitter } from 'node:events';
import type { EventBus, ParleyEvent, SendQueueSignal } from '../domain/ports.js';

/** Live events for SSE clients of this process. */
export class InProcessEventBus implements EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open SSE connection; many staff may have the inbox open.
    this.emitter.setMaxListeners(0);
  }

  publish(event: ParleyEvent): void {
    this.emitter.emit(event.workspaceId, event);
  }

  subscribe(workspaceId: string, listener: (event: ParleyEvent) => void): () => void {
    this.emitter.on(workspaceId, listener);
    return () => this.emitter.off(workspaceId, listener);
  }
}

/** Wakes this process's send workers when a message is enqueued. */
export class InProcessQueueSignal implements SendQueueSignal {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  onNotify(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
