import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, describeError } from '../lib/api';
import { useEvents } from '../lib/events';
import { navigate } from '../lib/router';
import type { Contact, Conversation, ConversationView, Message, Note, Page, Session, Team, Template, User } from '../lib/types';
import { useConversations } from '../lib/use-conversations';
import { contactLabel, formatDateTime, formatPhone } from '../lib/format';
import { ConversationList } from '../components/conversation-list';
import { Thread, type ThreadItem } from '../components/thread';
import { Composer } from '../components/composer';
import { ContactPanel } from '../components/contact-panel';
import { ConversationActions } from '../components/conversation-actions';

/** Everything of one thread: its messages (all pages, oldest first) and its notes. */
async function loadThread(id: string): Promise<{ messages: Message[]; notes: Note[] }> {
  const messages: Message[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Message> = await api.get<Page<Message>>(`/v1/conversations/${encodeURIComponent(id)}/messages`, { limit: 1000, cursor });
    messages.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor && messages.length < 5000);
  const notes = await api.get<{ data: Note[] }>(`/v1/conversations/${encodeURIComponent(id)}/notes`).then((r) => r.data, () => []);
  return { messages, notes };
}

function upsert<T extends { id: string }>(list: T[], item: T): T[] {
  const index = list.findIndex((x) => x.id === item.id);
  if (index < 0) return [...list, item];
  const next = list.slice();
  next[index] = { ...next[index], ...item };
  return next;
}

function useTeam() {
  const [users, setUsers] = useState<User[]>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  const [templates, setTemplates] = useState<Template[]>([]);
  useEffect(() => {
    void api.get<{ data: User[] }>('/v1/users').then((r) => setUsers(r.data), () => undefined);
    void api.get<{ data: Team[] }>('/v1/teams').then((r) => setTeams(r.data), () => undefined);
    void api.get<{ data: Template[] }>('/v1/templates').then((r) => setTemplates(r.data), () => undefined);
  }, []);
  return { users, teams, templates };
}

export function InboxPage({ session, conversationId }: { session: Session; conversationId: string | null }) {
  const [view, setView] = useState<ConversationView>('open');
  const [query, setQuery] = useState('');
  const list = useConversations(view, query, session.user, conversationId);
  const { users, teams, templates } = useTeam();

  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [notes, setNotes] = useState<Note[]>([]);
  const [loadingThread, setLoadingThread] = useState(false);
  const [threadError, setThreadError] = useState<string | null>(null);

  // The tab title counts unread conversations, so a waiting reply shows from another tab.
  const unread = list.items.filter((c) => c.unread).length;
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
  }, [unread]);

  const markRead = useCallback(
    (id: string) => {
      void api.post<Conversation>(`/v1/conversations/${encodeURIComponent(id)}/read`).then(
        (c) => list.update({ ...c, unread: false }),
        () => list.update({ id, unread: false }),
      );
    },
    [list.update],
  );

  const refreshConversation = useCallback(async (id: string) => {
    try {
      const fresh = await api.get<Conversation>(`/v1/conversations/${encodeURIComponent(id)}`);
      setConversation((current) => (current?.id === id ? fresh : current));
    } catch {
      // The list still shows what it knew; the next event tries again.
    }
  }, []);

  useEffect(() => {
    if (!conversationId) {
      setConversation(null);
      return;
    }
    let cancelled = false;
    const known = list.items.find((c) => c.id === conversationId) ?? null;
    setConversation(known);
    setMessages([]);
    setNotes([]);
    setThreadError(null);
    setLoadingThread(true);
    api
      .get<Conversation>(`/v1/conversations/${encodeURIComponent(conversationId)}`)
      .then((c) => !cancelled && setConversation(c))
      .catch((caught: unknown) => !cancelled && setThreadError(describeError(caught)));
    loadThread(conversationId)
      .then((thread) => {
        if (cancelled) return;
        setMessages(thread.messages);
        setNotes(thread.notes);
      })
      .catch((caught: unknown) => !cancelled && setThreadError(describeError(caught)))
      .finally(() => !cancelled && setLoadingThread(false));
    markRead(conversationId);
    return () => {
      cancelled = true;
    };
    // Only a new selection reloads the thread; list changes do not.
  }, [conversationId]);

  useEvents((event) => {
    if (!conversationId) return;
    if ((event.type === 'message.created' || event.type === 'message.updated') && event.data.conversationId === conversationId) {
      setMessages((current) => upsert(current, event.data));
      if (event.type === 'message.created' && event.data.direction === 'inbound') {
        if (document.visibilityState === 'visible') markRead(conversationId);
        // STOP, START and the like change the contact: read it again.
        window.setTimeout(() => void refreshConversation(conversationId), 250);
      }
    } else if (event.type === 'note.created' && event.data.conversationId === conversationId) {
      setNotes((current) => upsert(current, event.data));
    } else if (event.type === 'conversation.updated' && event.data.id === conversationId) {
      setConversation((current) => (current ? { ...current, ...event.data } : current));
    }
  });

  const items = useMemo<ThreadItem[]>(() => {
    const all: ThreadItem[] = [
      ...messages.map((message) => ({ kind: 'message' as const, at: message.createdAt, message })),
      ...notes.map((note) => ({ kind: 'note' as const, at: note.createdAt, note })),
    ];
    return all.sort((a, b) => a.at.localeCompare(b.at));
  }, [messages, notes]);

  const changed = useCallback(
    (next: Conversation) => {
      setConversation(next);
      list.update(next);
    },
    [list.update],
  );

  const send = async (body: string): Promise<void> => {
    if (!conversation) return;
    const message = await api.post<Message>('/v1/messages', {
      from: conversation.number.phoneNumber,
      to: conversation.contact.phoneNumber,
      body,
      category: 'conversational',
    });
    setMessages((current) => upsert(current, message));
  };

  const addNote = async (body: string): Promise<void> => {
    if (!conversation) return;
    const note = await api.post<Note>(`/v1/conversations/${encodeURIComponent(conversation.id)}/notes`, { body });
    setNotes((current) => upsert(current, note));
  };

  const setContact = (contact: Contact): void => {
    if (!conversation) return;
    changed({ ...conversation, contact });
  };

  return (
    <main className="inbox">
      <h1 className="visually-hidden">Inbox</h1>
      <ConversationList
        view={view}
        onView={setView}
        query={query}
        onQuery={setQuery}
        list={list}
        selectedId={conversationId}
        onSelect={(id) => navigate(`/c/${encodeURIComponent(id)}`)}
      />
      {conversation ? (
        <>
          <section className="thread-pane" aria-label={`Conversation with ${contactLabel(conversation.contact)}`}>
            <header className="thread-header">
              <div>
                <h2>{contactLabel(conversation.contact)}</h2>
                <p className="muted">
                  {formatPhone(conversation.contact.phoneNumber)} → {formatPhone(conversation.number.phoneNumber)}
                  {conversation.status === 'closed' ? ' · Closed' : ''}
                  {conversation.snoozedUntil && new Date(conversation.snoozedUntil) > new Date() ? ` · Snoozed until ${formatDateTime(conversation.snoozedUntil)}` : ''}
                </p>
              </div>
              <ConversationActions conversation={conversation} me={session.user} users={users} teams={teams} onChange={changed} />
            </header>
            {threadError ? <p className="error" role="alert">{threadError}</p> : null}
            <Thread items={items} loading={loadingThread} />
            <Composer
              key={conversation.id}
              optedOut={conversation.contact.optedOut}
              contactName={contactLabel(conversation.contact)}
              templates={templates}
              mergeFields={{
                'contact.name': conversation.contact.name,
                'contact.phoneNumber': conversation.contact.phoneNumber,
                'business.name': session.workspace.brandName || session.workspace.name,
              }}
              onSend={send}
              onNote={addNote}
            />
          </section>
          <ContactPanel contact={conversation.contact} onContact={setContact} />
        </>
      ) : (
        <section className="thread-pane empty-pane" aria-label="No conversation selected">
          <p>{threadError ?? 'Pick a conversation, or text your demo number from the phone simulator.'}</p>
        </section>
      )}
    </main>
  );
}
