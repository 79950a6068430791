import { AppError } from '../domain/errors.js';
import type { Contact } from '../domain/models.js';
import { sendVerdict } from '../domain/send-verdict.js';
import { marketingSentTimes } from './marketing-history.js';
import type { Repositories } from '../store/store.js';
import type { OutboundDraft } from './outbound.js';

/** What the compliance rules make of a draft when it is written. */
export type CreationCheck =
  | { ok: false; error: AppError }
  /** `sendAt`: as asked, or moved to when the rules allow it (`heldBecause` says why). */
  | { ok: true; sendAt: Date | null; heldBecause: string | null };

/**
 * The rules at creation, for many drafts in a couple of reads: consent (workspace-wide or
 * for the sender's number) refuses at once; marketing inside the recipient's quiet hours,
 * or over the frequency cap, is scheduled for when it may go (or refused, if the workspace
 * fails capped messages). The worker applies the same rules again when it claims.
 */
export async function checkAtCreation(
  repos: Repositories,
  items: Array<{ draft: OutboundDraft; contact: Contact }>,
  now: Date,
): Promise<CreationCheck[]> {
  const contactIds = [...new Set(items.map(({ contact }) => contact.id))];
  const numberOptOuts = await repos.contacts.numberOptOuts(contactIds);
  const sentAt = await marketingSentTimes(
    repos,
    items
      .filter(({ draft }) => draft.category === 'marketing' && !draft.consentExempt)
      .map(({ draft, contact }) => ({ contactId: contact.id, settings: draft.workspace.compliance })),
    now,
  );
  return items.map(({ draft, contact }): CreationCheck => {
    const optedOut = contact.optedOutAt !== null || (numberOptOuts.get(contact.id)?.has(draft.number.id) ?? false);
    if (optedOut && !draft.consentExempt) {
      const scope = contact.optedOutAt !== null ? 'this workspace' : `${draft.number.phoneNumber}`;
      return { ok: false, error: new AppError('recipient_opted_out', `${draft.to} has opted out of messages from ${scope}`, { field: 'to' }) };
    }
    if (draft.category !== 'marketing' || draft.consentExempt) return { ok: true, sendAt: draft.sendAt, heldBecause: null };
    const due = draft.sendAt ?? now;
    const verdict = sendVerdict({
      message: { category: draft.category, consentExempt: draft.consentExempt, sendAt: null, createdAt: due.toISOString() },
      optedOut: false,
      reviewPending: false,
      recipient: { phoneNumber: draft.to, timeZone: contact.timeZone },
      marketingSentAt: sentAt.get(contact.id) ?? [],
      settings: draft.workspace.compliance,
      now: due,
      validitySeconds: Number.MAX_SAFE_INTEGER,
      atCreation: true,
    });
    if (verdict.kind === 'refuse') {
      return { ok: false, error: new AppError('frequency_capped', verdict.refusal.message, { field: 'to' }) };
    }
    if (verdict.kind === 'defer') return { ok: true, sendAt: verdict.until, heldBecause: verdict.reason };
    return { ok: true, sendAt: draft.sendAt, heldBecause: null };
  });
}
