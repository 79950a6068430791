import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from './api';
import { useEvents } from './events';
import type { Conversation, ConversationView, Page, User } from './types';

const PAGE_SIZE = 50;

/** Whether a conversation belongs in a view, judged from the fields the client has. */
function belongs(view: ConversationView, c: Conversation, me: User): boolean {
  const closed = c.status === 'closed';
  const snoozed = c.snoozedUntil ? new Date(c.snoozedUntil).getTime() > Date.now() : false;
  if (view === 'closed') return closed;
  if (view === 'snoozed') return !closed && snoozed;
  if (closed || snoozed) return false;
  if (view === 'mine') return c.assignee?.type === 'user' && c.assignee.id === me.id;
  if (view === 'unassigned') return !c.assignee;
  return true;
}

function byActivity(a: Conversation, b: Conversation): number {
  return (b.lastMessageAt ?? b.createdAt).localeCompare(a.lastMessageAt ?? a.createdAt);
}

export interface ConversationList {
  items: Conversation[];
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  loadMore: () => void;
  reload: () => void;
  /** Replaces one conversation after an action (assign, close, read…). */
  update: (conversation: Partial<Conversation> & { id: string }) => void;
}

/**
 * One view of the inbox, paged with the API's cursor as the list scrolls, and kept current by
 * live events: a new message moves its conversation to the top; one the page has not loaded
 * yet brings the first page again.
 */
export function useConversations(view: ConversationView, query: string, me: User, openId: string | null): ConversationList {
  const [items, setItems] = useState<Conversation[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const inFlight = useRef(false);
  const refetchTimer = useRef<number | undefined>(undefined);

  const pagesLoaded = useRef(0);

  const fetchPage = useCallback(
    async (from: string | null, refresh: boolean) => {
      if (inFlight.current && !refresh) return;
      inFlight.current = true;
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await api.get<Page<Conversation>>('/v1/conversations', { view, q: query.trim(), limit: PAGE_SIZE, cursor: from });
        if (mine !== generation.current) return;
        const deeper = refresh && pagesLoaded.current > 1;
        setItems((previous) => {
          if (refresh) {
            if (!deeper) return page.data;
            // Pages already scrolled through stay; the fresh first page replaces what it covers.
            const fresh = new Set(page.data.map((c) => c.id));
            const last = page.data[page.data.length - 1];
            const floor = last ? (last.lastMessageAt ?? last.createdAt) : '';
            const rest = previous.filter((c) => !fresh.has(c.id) && (c.lastMessageAt ?? c.createdAt) < floor);
            return [...page.data, ...rest];
          }
          const seen = new Set(previous.map((c) => c.id));
          return [...previous, ...page.data.filter((c) => !seen.has(c.id))];
        });
        if (!deeper) {
          pagesLoaded.current = refresh ? 1 : pagesLoaded.current + 1;
          setCursor(page.nextCursor);
          setHasMore(page.nextCursor !== null);
        }
        setError(null);
      } catch (caught) {
        if (mine === generation.current) setError(caught instanceof Error ? caught.message : String(caught));
      } finally {
        if (mine === generation.current) {
          setLoading(false);
          inFlight.current = false;
        }
      }
    },
    [view, query],
  );

  useEffect(() => {
    setItems([]);
    setCursor(null);
    setHasMore(true);
    pagesLoaded.current = 0;
    inFlight.current = false;
    const timer = window.setTimeout(() => void fetchPage(null, true), query ? 200 : 0);
    return () => window.clearTimeout(timer);
  }, [fetchPage, query]);

  const loadMore = useCallback(() => {
    if (!hasMore || loading || cursor === null) return;
    void fetchPage(cursor, false);
  }, [cursor, fetchPage, hasMore, loading]);

  const reload = useCallback(() => void fetchPage(null, true), [fetchPage]);

  const scheduleRefetch = useCallback(() => {
    window.clearTimeout(refetchTimer.current);
    refetchTimer.current = window.setTimeout(() => void fetchPage(null, true), 300);
  }, [fetchPage]);

  const update = useCallback(
    (patch: Partial<Conversation> & { id: string }) => {
      setItems((previous) => {
        const index = previous.findIndex((c) => c.id === patch.id);
        if (index < 0) {
          if (patch.contact && patch.number && belongs(view, patch as Conversation, me) && !query) {
            return [patch as Conversation, ...previous].sort(byActivity);
          }
          return previous;
        }
        const merged = { ...previous[index], ...patch } as Conversation;
        const next = previous.slice();
        if (!belongs(view, merged, me)) next.splice(index, 1);
        else next[index] = merged;
        return next.sort(byActivity);
      });
    },
    [me, query, view],
  );

  useEvents((event) => {
    if (event.type === 'message.created') {
      const message = event.data;
      let known = false;
      setItems((previous) => {
        const index = previous.findIndex((c) => c.id === message.conversationId);
        if (index < 0) return previous;
        known = true;
        const current = previous[index] as Conversation;
        const merged: Conversation = {
          ...current,
          lastMessageAt: message.createdAt,
          lastMessagePreview: message.body,
          unread: message.direction === 'inbound' && message.conversationId !== openId ? true : current.unread,
        };
        const next = previous.slice();
        next[index] = merged;
        return next.sort(byActivity);
      });
      // An inbound text can reopen a closed conversation or start a new one: ask the server.
      if (!known || message.direction === 'inbound') scheduleRefetch();
    } else if (event.type === 'conversation.updated') {
      update(event.data);
      if (!event.data.contact) scheduleRefetch();
    }
  });

  useEffect(() => () => window.clearTimeout(refetchTimer.current), []);

  return { items, hasMore, loading, error, loadMore, reload, update };
}
