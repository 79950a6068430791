/**
 * The message state machine, enforced here and nowhere else.
 *
 * Outbound: scheduled → queued → sending → sent → delivered | undelivered,
 * plus failed and canceled. Inbound messages are `received`.
 * Transitions only move forward. A late or duplicate receipt after a terminal state
 * is recorded by the caller but never applied backwards.
 */
export const OUTBOUND_STATUSES = [
  'scheduled',
  'queued',
  'sending',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'canceled',
] as const;

export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];
export type MessageStatus = OutboundStatus | 'received';

const RANK: Record<OutboundStatus, number> = {
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  canceled: 4,
};

export const TERMINAL_STATUSES: ReadonlySet<MessageStatus> = new Set([
  'delivered',
  'undelivered',
  'failed',
  'canceled',
  'received',
]);

export function isTerminal(status: MessageStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export type TransitionVerdict =
  | { apply: true }
  | { apply: false; reason: 'terminal' | 'backwards' | 'same' | 'not_allowed' };

/**
 * Decides whether a message in `from` may move to `to`.
 * - Terminal states never change.
 * - Forward moves may skip states (a receipt can overtake the submit response, so
 *   `sending → delivered` is allowed).
 * - `canceled` is only reachable before the carrier has the message (scheduled, queued).
 */
export function decideTransition(from: MessageStatus, to: MessageStatus): TransitionVerdict {
  if (from === 'received' || to === 'received') return { apply: false, reason: 'not_allowed' };
  if (isTerminal(from)) return { apply: false, reason: from === to ? 'same' : 'terminal' };
  if (from === to) return { apply: false, reason: 'same' };
  if (to === 'canceled' && from !== 'scheduled' && from !== 'queued') {
    return { apply: false, reason: 'not_allowed' };
  }
  if (RANK[to] <= RANK[from]) return { apply: false, reason: 'backwards' };
  return { apply: true };
}

/**
 * The one sanctioned step back: a submit the carrier refused with a transient error
 * (it never took the message) returns it from `sending` to `queued` for a retry.
 * Receipts never take this path, so no receipt can move a message backwards.
 */
export function canRequeueForRetry(from: MessageStatus): boolean {
  return from === 'sending';
}

export function canTransition(from: MessageStatus, to: MessageStatus): boolean {
  return decideTransition(from, to).apply;
}

/** The per-state timestamp column each status writes when it is reached. */
export const STATUS_TIMESTAMP_FIELD = {
  scheduled: 'scheduledAt',
  queued: 'queuedAt',
  sending: 'sendingAt',
  sent: 'sentAt',
  delivered: 'deliveredAt',
  undelivered: 'undeliveredAt',
  failed: 'failedAt',
  canceled: 'canceledAt',
  received: 'receivedAt',
} as const satisfies Record<MessageStatus, string>;
