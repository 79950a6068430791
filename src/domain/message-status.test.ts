import { describe, expect, it } from 'vitest';
import {
  canRequeueForRetry,
  canTransition,
  decideTransition,
  isTerminal,
  OUTBOUND_STATUSES,
  STATUS_TIMESTAMP_FIELD,
  type MessageStatus,
} from './message-status.js';

const ALL: MessageStatus[] = [...OUTBOUND_STATUSES, 'received'];
const TERMINAL: MessageStatus[] = ['delivered', 'undelivered', 'failed', 'canceled', 'received'];

describe('decideTransition', () => {
  it.each<[MessageStatus, MessageStatus]>([
    ['scheduled', 'queued'],
    ['scheduled', 'sending'],
    ['scheduled', 'failed'],
    ['scheduled', 'canceled'],
    ['queued', 'sending'],
    ['queued', 'failed'],
    ['queued', 'canceled'],
    ['sending', 'sent'],
    ['sending', 'failed'],
    ['sent', 'delivered'],
    ['sent', 'undelivered'],
    ['sent', 'failed'],
  ])('allows the forward move %s → %s', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ apply: true });
  });

  it.each<[MessageStatus, MessageStatus]>([
    // A delivery receipt can overtake the submit response.
    ['sending', 'delivered'],
    ['sending', 'undelivered'],
    ['queued', 'sent'],
    ['scheduled', 'delivered'],
  ])('allows skipping forward %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each<[MessageStatus, MessageStatus]>([
    ['sent', 'sending'],
    ['sent', 'queued'],
    ['sending', 'queued'],
    ['sending', 'scheduled'],
    ['queued', 'scheduled'],
  ])('refuses the backwards move %s → %s', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ apply: false, reason: 'backwards' });
  });

  it.each(
    TERMINAL.filter((s) => s !== 'received').flatMap((from) =>
      OUTBOUND_STATUSES.filter((to) => to !== from).map((to) => [from, to] as [MessageStatus, MessageStatus]),
    ),
  )('never changes the terminal state %s (→ %s)', (from, to) => {
    expect(decideTransition(from, to)).toEqual({ apply: false, reason: 'terminal' });
  });

  it('reports a repeat of the current state as "same"', () => {
    for (const status of OUTBOUND_STATUSES) {
      expect(decideTransition(status, status)).toEqual({ apply: false, reason: 'same' });
    }
  });

  it.each<MessageStatus>(['sending', 'sent'])('refuses canceled from %s: the carrier may have it', (from) => {
    expect(decideTransition(from, 'canceled')).toEqual({ apply: false, reason: 'not_allowed' });
  });

  it('allows canceled only from scheduled and queued', () => {
    const from = ALL.filter((status) => canTransition(status, 'canceled'));
    expect(from.sort()).toEqual(['queued', 'scheduled']);
  });

  it('never moves a received message, and nothing moves to received', () => {
    for (const status of ALL) {
      expect(canTransition('received', status)).toBe(false);
      expect(canTransition(status, 'received')).toBe(false);
    }
  });

  it('agrees with canTransition for every pair', () => {
    for (const from of ALL) {
      for (const to of ALL) expect(canTransition(from, to)).toBe(decideTransition(from, to).apply);
    }
  });
});

describe('isTerminal', () => {
  it('names exactly the end states', () => {
    expect(ALL.filter(isTerminal).sort()).toEqual([...TERMINAL].sort());
  });
});

describe('canRequeueForRetry', () => {
  it('allows the retry step back only from sending', () => {
    expect(ALL.filter(canRequeueForRetry)).toEqual(['sending']);
  });
});

describe('STATUS_TIMESTAMP_FIELD', () => {
  it('has a distinct timestamp for every status', () => {
    const fields = ALL.map((status) => STATUS_TIMESTAMP_FIELD[status]);
    expect(new Set(fields).size).toBe(ALL.length);
  });
});
