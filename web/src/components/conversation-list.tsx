import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { ConversationList as ListState } from '../lib/use-conversations';
import type { ConversationView } from '../lib/types';
import { contactLabel, formatListTime } from '../lib/format';

const VIEWS: { id: ConversationView; label: string }[] = [
  { id: 'open', label: 'Open' },
  { id: 'mine', label: 'Mine' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'snoozed', label: 'Snoozed' },
  { id: 'closed', label: 'Closed' },
];

const ROW_HEIGHT = 72;

/**
 * The conversation list: views, search, and a virtualised listbox (only the rows on screen
 * exist in the DOM, so 100,000 conversations scroll like 100). Arrow keys move through it.
 */
export function ConversationList({ view, onView, query, onQuery, list, selectedId, onSelect }: {
  view: ConversationView;
  onView: (view: ConversationView) => void;
  query: string;
  onQuery: (query: string) => void;
  list: ListState;
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const { items, hasMore, loading, loadMore } = list;
  const virtualizer = useVirtualizer({
    count: items.length + (hasMore ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (index) => items[index]?.id ?? `more-${index}`,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems[virtualItems.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loading && lastIndex >= items.length - 5) loadMore();
  }, [hasMore, items.length, lastIndex, loadMore, loading]);

  const selectedIndex = items.findIndex((c) => c.id === selectedId);
  // aria-activedescendant must name an element that exists: only rows on screen do.
  const activeRendered = selectedIndex >= 0 && virtualItems.some((row) => row.index === selectedIndex);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    let next = -1;
    if (event.key === 'ArrowDown') next = Math.min(items.length - 1, selectedIndex + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, selectedIndex <= 0 ? 0 : selectedIndex - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    else return;
    event.preventDefault();
    const target = items[next];
    if (!target) return;
    virtualizer.scrollToIndex(next, { align: 'auto' });
    onSelect(target.id);
  };

  return (
    <section className="list-pane" aria-label="Conversations">
      <div className="views" role="group" aria-label="Views">
        {VIEWS.map((v) => (
          <button key={v.id} type="button" aria-pressed={view === v.id} onClick={() => onView(v.id)}>
            {v.label}
          </button>
        ))}
      </div>
      <div className="search">
        <label htmlFor="conversation-search" className="visually-hidden">Search conversations</label>
        <input
          id="conversation-search"
          type="search"
          placeholder="Search name, number or text"
          value={query}
          onChange={(event) => onQuery(event.target.value)}
        />
      </div>
      {list.error ? <p className="error" role="alert">{list.error}</p> : null}
      <div
        ref={scrollRef}
        className="list-scroll"
        role="listbox"
        aria-label="Conversation list"
        tabIndex={0}
        aria-activedescendant={activeRendered ? `conversation-${selectedId}` : undefined}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="presentation">
          {virtualItems.map((row) => {
            const conversation = items[row.index];
            const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: row.size, transform: `translateY(${row.start}px)` };
            if (!conversation) {
              return (
                <div key={row.key} style={style} className="row-loading" role="presentation">
                  Loading more…
                </div>
              );
            }
            const selected = conversation.id === selectedId;
            const name = contactLabel(conversation.contact);
            return (
              <div
                key={row.key}
                id={`conversation-${conversation.id}`}
                role="option"
                aria-selected={selected}
                className={`row${selected ? ' selected' : ''}${conversation.unread ? ' unread' : ''}`}
                style={style}
                onClick={() => onSelect(conversation.id)}
              >
                <span className="row-top">
                  <span className="row-name">{name}</span>
                  {conversation.unread ? <span className="visually-hidden">, unread,</span> : null}
                  <span className="row-time">{formatListTime(conversation.lastMessageAt)}</span>
                </span>
                <span className="row-bottom">
                  {conversation.unread ? <span className="unread-dot" aria-hidden="true" /> : null}
                  <span className="row-preview">{conversation.lastMessagePreview ?? 'No messages yet'}</span>
                  {conversation.assignee ? <span className="row-assignee">{conversation.assignee.name}</span> : null}
                </span>
              </div>
            );
          })}
        </div>
        {!loading && items.length === 0 && !hasMore ? (
          <p className="empty">{query ? 'No conversation matches.' : 'No conversations here.'}</p>
        ) : null}
      </div>
    </section>
  );
}
