import { Fragment, useEffect, useLayoutEffect, useRef } from 'react';
import type { Message, Note } from '../lib/types';
import { dayKey, failureReason, formatDay, formatTime, statusLabel } from '../lib/format';

export type ThreadItem = { kind: 'message'; at: string; message: Message } | { kind: 'note'; at: string; note: Note };

function OutboundStatus({ message }: { message: Message }) {
  const failed = message.status === 'failed' || message.status === 'undelivered';
  return (
    <span className={`status status-${message.status}`}>
      {statusLabel(message.status)}
      {failed ? `: ${failureReason(message.errorCode, message.errorMessage)}` : ''}
    </span>
  );
}

/** Chat bubbles with day separators; notes sit in the same timeline, marked as internal. */
export function Thread({ items, loading }: { items: ThreadItem[]; loading: boolean }) {
  const endRef = useRef<HTMLDivElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useLayoutEffect(() => {
    if (stick.current) endRef.current?.scrollIntoView({ block: 'end' });
  }, [items]);

  useEffect(() => {
    stick.current = true;
  }, []);

  let previousDay = '';
  return (
    <div
      className="thread"
      ref={scrollRef}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      tabIndex={0}
      onScroll={(event) => {
        const el = event.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      }}
    >
      {loading && items.length === 0 ? <p className="empty">Loading messages…</p> : null}
      {!loading && items.length === 0 ? <p className="empty">No messages yet. Say hello.</p> : null}
      {items.map((item) => {
        const day = dayKey(item.at);
        const separator = day !== previousDay ? (
          <div className="day-separator" role="separator" aria-label={formatDay(item.at)}>
            <span>{formatDay(item.at)}</span>
          </div>
        ) : null;
        previousDay = day;
        if (item.kind === 'note') {
          return (
            <Fragment key={`n-${item.note.id}`}>
              {separator}
              <div className="bubble-row note-row">
                <div className="note" data-testid="note">
                  <span className="note-label">Internal note{item.note.author ? ` · ${item.note.author.name}` : ''}</span>
                  <p className="body">{item.note.body}</p>
                  <span className="meta">{formatTime(item.at)} · not sent to the customer</span>
                </div>
              </div>
            </Fragment>
          );
        }
        const m = item.message;
        return (
          <Fragment key={`m-${m.id}`}>
            {separator}
            <div className={`bubble-row ${m.direction}`}>
              <div className={`bubble ${m.direction}`} data-testid="message" data-status={m.status}>
                <p className="body">{m.body}</p>
                <span className="meta">
                  {formatTime(item.at)}
                  {m.direction === 'outbound' ? <> · <OutboundStatus message={m} /></> : null}
                </span>
              </div>
            </div>
          </Fragment>
        );
      })}
      <div ref={endRef} />
    </div>
  );
}
