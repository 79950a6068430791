import type { ConsentEvent } from './models.js';

/**
 * A contact's consent as the ledger says it is now. The ledger is the record; the
 * contact row keeps a copy of this (for the send path) written in the same transaction
 * as each event, and tests hold the two equal.
 */
export interface ConsentStatus {
  /** Opted out of every number of the workspace (STOP in workspace scope, STOPALL). */
  optedOutAt: string | null;
  /** Business number id → when the contact opted out of that number only. */
  optedOutNumbers: Map<string, string>;
  /** An ambiguous reply awaits a person's decision; marketing is held meanwhile. */
  reviewPending: { since: string; messageId: string | null } | null;
}

/** Folds the ledger, oldest first. */
export function deriveConsentStatus(events: readonly ConsentEvent[]): ConsentStatus {
  const status: ConsentStatus = { optedOutAt: null, optedOutNumbers: new Map(), reviewPending: null };
  for (const event of events) {
    switch (event.kind) {
      case 'opted_out':
        if (event.scope === 'number' && event.numberId) {
          if (!status.optedOutNumbers.has(event.numberId)) status.optedOutNumbers.set(event.numberId, event.createdAt);
        } else if (status.optedOutAt === null) {
          status.optedOutAt = event.createdAt;
        }
        status.reviewPending = null;
        break;
      case 'opted_in':
        if (event.scope === 'number' && event.numberId) status.optedOutNumbers.delete(event.numberId);
        else status.optedOutAt = null;
        status.reviewPending = null;
        break;
      case 'review_requested':
        status.reviewPending ??= { since: event.createdAt, messageId: event.messageId };
        break;
      case 'review_resolved':
        status.reviewPending = null;
        break;
      case 'help_requested':
        break;
    }
  }
  return status;
}

/** May a message that needs consent go to this contact from this number? */
export function isOptedOut(status: Pick<ConsentStatus, 'optedOutAt' | 'optedOutNumbers'>, numberId: string): boolean {
  return status.optedOutAt !== null || status.optedOutNumbers.has(numberId);
}
