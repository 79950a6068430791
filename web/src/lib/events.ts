import { useEffect, useRef, useState } from 'react';
import type { Conversation, Message, Note } from './types';

/** What /v1/events sends; conversation.updated may carry the whole conversation or a part of it. */
export type ParleyEvent =
  | { type: 'message.created'; data: Message }
  | { type: 'message.updated'; data: Message }
  | { type: 'conversation.updated'; data: Partial<Conversation> & { id: string } }
  | { type: 'note.created'; data: Note };

type Listener = (event: ParleyEvent) => void;

const EVENT_TYPES = ['message.created', 'message.updated', 'conversation.updated', 'note.created'] as const;
const listeners = new Set<Listener>();
const statusListeners = new Set<(connected: boolean) => void>();
let source: EventSource | null = null;

/** Opens the one EventSource of the page (the session cookie authenticates it). */
export function connectEvents(): void {
  if (source) return;
  source = new EventSource('/v1/events');
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (raw) => {
      let data: unknown;
      try {
        data = JSON.parse((raw as MessageEvent<string>).data);
      } catch {
        return;
      }
      const event = { type, data } as ParleyEvent;
      for (const listener of listeners) listener(event);
    });
  }
  source.addEventListener('open', () => statusListeners.forEach((l) => l(true)));
  source.addEventListener('error', () => statusListeners.forEach((l) => l(false)));
}

export function disconnectEvents(): void {
  source?.close();
  source = null;
}

/** Calls `handler` with every live event while the component is mounted. */
export function useEvents(handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const listener: Listener = (event) => ref.current(event);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
}

export function useEventsConnected(): boolean {
  const [connected, setConnected] = useState(source?.readyState === EventSource.OPEN);
  useEffect(() => {
    statusListeners.add(setConnected);
    return () => {
      statusListeners.delete(setConnected);
    };
  }, []);
  return connected;
}
