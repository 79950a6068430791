import { describe, expect, it } from 'vitest';
import { deriveConsentStatus, isOptedOut } from './consent-status.js';
import type { ConsentEvent, ConsentEventKind } from './models.js';

let n = 0;
function event(kind: ConsentEventKind, extra: Partial<ConsentEvent> = {}): ConsentEvent {
  n += 1;
  return {
    id: `e${n}`,
    workspaceId: 'w',
    contactId: 'c',
    kind,
    source: 'keyword',
    scope: 'workspace',
    numberId: null,
    evidence: null,
    messageId: null,
    rule: null,
    actor: 'contact',
    createdAt: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
    ...extra,
  };
}

describe('deriveConsentStatus', () => {
  it('is reachable with no events', () => {
    const status = deriveConsentStatus([]);
    expect(status).toEqual({ optedOutAt: null, optedOutNumbers: new Map(), reviewPending: null });
    expect(isOptedOut(status, 'n1')).toBe(false);
  });

  it('keeps the first opt-out time through repeated STOPs, and clears it on opt-in', () => {
    const first = event('opted_out');
    const status = deriveConsentStatus([first, event('opted_out'), event('help_requested')]);
    expect(status.optedOutAt).toBe(first.createdAt);
    expect(deriveConsentStatus([first, event('opted_in')]).optedOutAt).toBeNull();
  });

  it('scopes number opt-outs to their number; a workspace opt-out covers every number', () => {
    const byNumber = deriveConsentStatus([event('opted_out', { scope: 'number', numberId: 'n1' })]);
    expect(isOptedOut(byNumber, 'n1')).toBe(true);
    expect(isOptedOut(byNumber, 'n2')).toBe(false);
    const everywhere = deriveConsentStatus([event('opted_out', { scope: 'number', numberId: 'n1' }), event('opted_out')]);
    expect(isOptedOut(everywhere, 'n2')).toBe(true);
    // A workspace opt-in leaves a number's own opt-out in place.
    const back = deriveConsentStatus([event('opted_out', { scope: 'number', numberId: 'n1' }), event('opted_out'), event('opted_in')]);
    expect([isOptedOut(back, 'n1'), isOptedOut(back, 'n2')]).toEqual([true, false]);
    const numberIn = deriveConsentStatus([event('opted_out', { scope: 'number', numberId: 'n1' }), event('opted_in', { scope: 'number', numberId: 'n1' })]);
    expect(isOptedOut(numberIn, 'n1')).toBe(false);
  });

  it('holds a review until it is resolved, or until the contact opts out or in', () => {
    const flagged = event('review_requested', { messageId: 'm1' });
    expect(deriveConsentStatus([flagged]).reviewPending).toEqual({ since: flagged.createdAt, messageId: 'm1' });
    expect(deriveConsentStatus([flagged, event('review_requested', { messageId: 'm2' })]).reviewPending?.messageId).toBe('m1');
    expect(deriveConsentStatus([flagged, event('review_resolved')]).reviewPending).toBeNull();
    expect(deriveConsentStatus([flagged, event('opted_out')]).reviewPending).toBeNull();
    expect(deriveConsentStatus([flagged, event('opted_in')]).reviewPending).toBeNull();
  });
});
