import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import { deriveConsentStatus, type ConsentStatus } from '../domain/consent-status.js';
import type { Contact, ConsentEvent, ConsentSource, Workspace } from '../domain/models.js';
import { parsePhone } from '../domain/phone-number.js';
import type { Repositories } from '../store/store.js';

/** A ledger event as a use-case asks for it: the ledger adds its id, the contact's ids and the time. */
export type ConsentChange = Omit<ConsentEvent, 'id' | 'workspaceId' | 'contactId' | 'createdAt'> & { contact: Contact };

/**
 * Appends one event to the consent ledger and brings the contact's copy of its consent
 * up to date, inside the caller's transaction: the ledger and the send path never
 * disagree. Every event is recorded (a second STOP too: it is evidence); `changed` says
 * whether the contact's status moved, which decides whether a confirmation is due.
 */
export async function recordConsent(
  deps: Pick<AppContext, 'ids' | 'clock'>,
  repos: Repositories,
  change: ConsentChange,
  at: string,
): Promise<{ changed: boolean; event: ConsentEvent }> {
  // Decided on the row as it is now, locked: two texts from one customer handled at once
  // (START and STOP by two processes) must not both decide from what they read before.
  const contact = (await repos.contacts.lockForConsent(change.contact.id)) ?? change.contact;
  // Stamped after the lock, so the ledger's order is the order the changes were applied in.
  const stamped = deps.clock.now().toISOString();
  const createdAt = stamped > at ? stamped : at;
  const { contact: _asRead, ...fields } = change;
  const event: ConsentEvent = { ...fields, id: deps.ids.next(), workspaceId: contact.workspaceId, contactId: contact.id, createdAt };
  await repos.contacts.appendConsentEvent(event);
  const byNumber = change.scope === 'number' && change.numberId !== null;
  const numberOptOuts = byNumber ? ((await repos.contacts.numberOptOuts([contact.id])).get(contact.id) ?? new Map()) : new Map();
  let changed = false;
  switch (change.kind) {
    case 'opted_out': {
      if (byNumber && change.numberId) {
        changed = contact.optedOutAt === null && !numberOptOuts.has(change.numberId);
        await repos.contacts.writeConsentCopy(contact.id, { consentReviewAt: null, numberOptOut: { numberId: change.numberId, at: createdAt } }, createdAt);
      } else {
        changed = contact.optedOutAt === null;
        await repos.contacts.writeConsentCopy(contact.id, { optedOutAt: contact.optedOutAt ?? createdAt, consentReviewAt: null }, createdAt);
      }
      break;
    }
    case 'opted_in': {
      if (byNumber && change.numberId) {
        changed = numberOptOuts.has(change.numberId);
        await repos.contacts.writeConsentCopy(contact.id, { consentReviewAt: null, numberOptOut: { numberId: change.numberId, at: null } }, createdAt);
      } else {
        changed = contact.optedOutAt !== null;
        await repos.contacts.writeConsentCopy(contact.id, { optedOutAt: null, consentReviewAt: null }, createdAt);
      }
      break;
    }
    case 'review_requested':
      changed = contact.consentReviewAt === null;
      await repos.contacts.writeConsentCopy(contact.id, { consentReviewAt: contact.consentReviewAt ?? createdAt }, createdAt);
      break;
    case 'review_resolved':
      changed = contact.consentReviewAt !== null;
      await repos.contacts.writeConsentCopy(contact.id, { consentReviewAt: null }, createdAt);
      break;
    case 'help_requested':
      break;
  }
  if (change.kind !== 'help_requested') {
    await repos.audit.append({
      id: deps.ids.next(),
      workspaceId: contact.workspaceId,
      actor: change.actor,
      action: `consent.${change.kind}`,
      targetType: 'contact',
      targetId: contact.id,
      detail: {
        consentEventId: event.id,
        source: change.source,
        scope: change.scope,
        numberId: change.numberId,
        messageId: change.messageId,
        rule: change.rule,
        changed,
      },
      createdAt,
    });
  }
  return { changed, event };
}

export interface ConsentView {
  contact: Contact;
  status: ConsentStatus;
  /** Phone numbers of the business numbers in `status.optedOutNumbers`. */
  numberPhones: Map<string, string>;
  events: ConsentEvent[];
}

/** A contact's consent as its ledger says, with the ledger itself. */
export async function consentOf(deps: Pick<AppContext, 'db'>, workspace: Workspace, contactId: string): Promise<ConsentView> {
  const contact = await deps.db.repos.contacts.findInWorkspace(workspace.id, contactId);
  if (!contact) throw new AppError('not_found', `contact ${contactId} not found`);
  const events = await deps.db.repos.contacts.consentEvents(contact.id);
  const status = deriveConsentStatus(events);
  const numbers = await deps.db.repos.numbers.findByIds([...status.optedOutNumbers.keys()]);
  return { contact, status, numberPhones: new Map(numbers.map((n) => [n.id, n.phoneNumber])), events };
}

export interface ConsentGathered {
  status: 'opted_in' | 'opted_out';
  source: Extract<ConsentSource, 'api' | 'import' | 'agent' | 'web_form'>;
  /** What the person agreed to or said, and where: the record a regulator would ask for. */
  evidence: string;
  /** Only for this business number (E.164); absent = the whole workspace. */
  number?: string;
}

/** Consent gathered outside Parley (a web form, a paper form, an import), with its evidence. */
export async function recordGatheredConsent(
  deps: Pick<AppContext, 'db' | 'ids' | 'clock' | 'events'>,
  workspace: Workspace,
  actor: string,
  contactId: string,
  input: ConsentGathered,
): Promise<ConsentView> {
  const evidence = input.evidence.trim();
  if (evidence.length === 0) throw new AppError('validation_error', 'evidence must say how the consent was gathered', { field: 'evidence' });
  let numberId: string | null = null;
  if (input.number !== undefined) {
    const phone = parsePhone(input.number, workspace.defaultCountry, 'number').value;
    const number = await deps.db.repos.numbers.findByPhone(phone);
    if (!number || number.workspaceId !== workspace.id) throw new AppError('not_found', `number ${phone} is not one of this workspace's numbers`, { field: 'number' });
    numberId = number.id;
  }
  const at = deps.clock.now().toISOString();
  await deps.db.transaction(async (repos) => {
    const contact = await repos.contacts.findInWorkspace(workspace.id, contactId);
    if (!contact) throw new AppError('not_found', `contact ${contactId} not found`);
    await recordConsent(
      deps,
      repos,
      {
        contact,
        kind: input.status,
        source: input.source,
        scope: numberId ? 'number' : 'workspace',
        numberId,
        evidence,
        messageId: null,
        rule: null,
        actor,
      },
      at,
    );
  });
  return consentOf(deps, workspace, contactId);
}

/**
 * A person settles an ambiguous reply: it was an opt-out (recorded as one, by the agent,
 * with the reply as evidence), or it was not (the hold on marketing is lifted).
 */
export async function resolveConsentReview(
  deps: Pick<AppContext, 'db' | 'ids' | 'clock' | 'queue'>,
  workspace: Workspace,
  actor: string,
  contactId: string,
  input: { decision: 'opted_out' | 'not_an_opt_out'; note?: string },
): Promise<ConsentView> {
  const at = deps.clock.now().toISOString();
  await deps.db.transaction(async (repos) => {
    const contact = await repos.contacts.findInWorkspace(workspace.id, contactId);
    if (!contact) throw new AppError('not_found', `contact ${contactId} not found`);
    if (contact.consentReviewAt === null) {
      throw new AppError('conflict', 'this contact has no reply awaiting a consent review');
    }
    const pending = deriveConsentStatus(await repos.contacts.consentEvents(contact.id)).reviewPending;
    await recordConsent(
      deps,
      repos,
      {
        contact,
        kind: input.decision === 'opted_out' ? 'opted_out' : 'review_resolved',
        source: 'agent',
        scope: 'workspace',
        numberId: null,
        evidence: input.note?.trim() || null,
        messageId: pending?.messageId ?? null,
        rule: null,
        actor,
      },
      at,
    );
    // Held marketing becomes due again at once instead of at its next re-check: sent now, or
    // canceled by the claim's consent check if the decision was an opt-out.
    await repos.messages.releaseHeld(contact.id, at);
  });
  deps.queue.notify();
  return consentOf(deps, workspace, contactId);
}
