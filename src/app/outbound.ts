import { priorityOf } from '../domain/send-pace.js';
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import {
  NO_STATE_TIMESTAMPS,
  type BusinessNumber,
  type Contact,
  type Conversation,
  type NewConversation,
  type Message,
  type MessageCategory,
  type Workspace,
} from '../domain/models.js';
import { validateBody } from '../domain/message-body.js';
import { parsePhone } from '../domain/phone-number.js';
import { smartEncodedBody } from '../domain/smart-encoding.js';
import { analyzeBody, type AnalyzeBodyOptions, type BodyAnalysis } from '../domain/sms-encoding.js';
import type { NationalLanguage } from '../domain/gsm-national-tables.js';
import type { NewMessage } from '../store/message.repository.js';
import type { Repositories } from '../store/store.js';
import { describeSensitiveData, findSensitiveData, type SensitiveKind } from '../domain/sensitive-data.js';
import { checkAtCreation } from './outbound-compliance.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids'>;

/** Lower runs first: codes and one-to-one replies go ahead of bulk on the same sender. */

export interface OutboundDraft {
  workspace: Workspace;
  number: BusinessNumber;
  to: string;
  body: string;
  category: MessageCategory;
  sendAt: Date | null;
  consentExempt: boolean;
  /** Part of a batch or campaign: queued behind one-to-one traffic on the same sender. */
  bulk?: boolean;
  /** How the sender's carrier may encode (national shift tables); read from the carrier when absent. */
  encodingOptions?: AnalyzeBodyOptions;
  /** Sensitive data the sender chose to send anyway (`allowSensitiveContent`): audited when written. */
  sensitiveOverride?: SensitiveKind[];
  /** Who asked for it, for the audit log ('api_key:<prefix>', 'user:<id>', 'system'). */
  actor?: string;
}

export interface DraftInput {
  from: string;
  to: string;
  body: string;
  sendAt?: string | undefined;
  category?: MessageCategory | undefined;
  /** Overrides the workspace's smart encoding setting for this message. */
  smartEncoding?: boolean | undefined;
  /** Send a body with a card number, SSN or IBAN anyway; the override is audited. */
  allowSensitiveContent?: boolean | undefined;
  /** Who is sending, for the audit log. */
  actor?: string | undefined;
}

const NATIONAL_LANGUAGES: readonly NationalLanguage[] = ['turkish', 'spanish', 'portuguese'];

/**
 * National shift tables are opt-in per carrier (`nationalLanguages` in its settings): only
 * some operators' handsets and SMSCs honour them, so segment counts follow the carrier.
 */
export async function carrierEncodingOptions(
  repos: Pick<Repositories, 'carriers'>,
  number: BusinessNumber,
): Promise<AnalyzeBodyOptions> {
  const carrier = await repos.carriers.findById(number.carrierId);
  const wanted = carrier?.settings.nationalLanguages;
  if (!Array.isArray(wanted)) return {};
  const nationalLanguages = NATIONAL_LANGUAGES.filter((language) => wanted.includes(language));
  return nationalLanguages.length > 0 ? { nationalLanguages } : {};
}

/** Resolves the sender number of a workspace, by phone number as written by the caller. */
export async function resolveSender(deps: Deps, workspace: Workspace, from: string): Promise<BusinessNumber> {
  const phone = parsePhone(from, workspace.defaultCountry, 'from');
  const number = await deps.db.repos.numbers.findByPhone(phone.value);
  if (!number || number.workspaceId !== workspace.id) {
    throw new AppError('sender_not_found', `${phone.value} is not a number of this workspace`, { field: 'from' });
  }
  return number;
}

/**
 * Validates everything that needs no write: recipient, body, schedule. Throws naming the field.
 * With smart encoding on (the message's flag, else the workspace's), the draft carries the
 * smart-encoded body: it is what gets stored, sent and shown in the thread.
 */
export function draftOutbound(
  deps: Pick<AppContext, 'clock'>,
  workspace: Workspace,
  number: BusinessNumber,
  input: Omit<DraftInput, 'from'>,
  fieldPrefix = '',
): OutboundDraft {
  const to = parsePhone(input.to, workspace.defaultCountry, `${fieldPrefix}to`);
  const written = validateBody(input.body, `${fieldPrefix}body`);
  const body = (input.smartEncoding ?? workspace.smartEncoding) ? smartEncodedBody(written) : written;
  const sensitive = findSensitiveData(body);
  if (sensitive.length > 0 && input.allowSensitiveContent !== true) {
    throw new AppError(
      'sensitive_content',
      `${fieldPrefix}body contains ${describeSensitiveData(sensitive)}; SMS is not a secure channel. ` +
        'Send it another way, or set allowSensitiveContent: true to send it anyway (the override is logged)',
      { field: `${fieldPrefix}body` },
    );
  }
  let sendAt: Date | null = null;
  if (input.sendAt !== undefined) {
    sendAt = parseSendAt(input.sendAt);
    if (!sendAt) {
      throw new AppError(
        'validation_error',
        'sendAt must be an ISO 8601 date-time with a time zone, e.g. 2030-01-31T09:00:00Z',
        { field: 'sendAt' },
      );
    }
    if (sendAt.getTime() <= deps.clock.now().getTime()) sendAt = null;
  }
  return {
    workspace,
    number,
    to: to.value,
    body,
    category: input.category ?? 'conversational',
    sendAt,
    consentExempt: false,
    ...(input.actor !== undefined ? { actor: input.actor } : {}),
    ...(sensitive.length > 0 ? { sensitiveOverride: [...new Set(sensitive.map((match) => match.kind))] } : {}),
  };
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Without a zone, "2030-01-31T09:00" would be read in the server's zone; and Date rolls
 * "02-30" over into March. Either would send at a time nobody asked for, so both are refused.
 */
function parseSendAt(text: string): Date | null {
  const match = ISO_DATE_TIME.exec(text);
  const at = new Date(text);
  if (!match || Number.isNaN(at.getTime())) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendarDay = new Date(Date.UTC(year, month - 1, day));
  return calendarDay.getUTCMonth() === month - 1 && calendarDay.getUTCDate() === day ? at : null;
}

export type WriteResult =
  | { ok: true; message: Message; conversation: Conversation; contact: Contact }
  | { ok: false; error: AppError };

/**
 * Writes one outbound message inside the caller's transaction: contact and thread found or
 * created, consent checked, message queued (or scheduled). Refusals are returned, not
 * thrown, so a batch can go on with its other rows.
 */
export async function writeOutbound(deps: Deps, repos: Repositories, draft: OutboundDraft): Promise<WriteResult> {
  const now = deps.clock.now().toISOString();
  const contact = await repos.contacts.findOrCreate(contactCandidate(deps, draft, now));
  const [check] = await checkAtCreation(repos, [{ draft, contact }], new Date(now));
  if (!check) throw new Error('checkAtCreation must return one check per draft');
  if (!check.ok) return { ok: false, error: check.error };
  const conversation = await repos.conversations.findOrCreate(threadCandidate(deps, draft, contact, now));
  const analysis = analyzeBody(draft.body, draft.encodingOptions ?? (await carrierEncodingOptions(repos, draft.number)));
  const { message, row } = outboundMessage(deps, { ...draft, sendAt: check.sendAt }, contact, conversation, analysis, now);
  await repos.messages.insert(row);
  await recordWhy(deps, repos, draft, message, check.heldBecause, now);
  const touched = await repos.conversations.touch(conversation, now, draft.body);
  return { ok: true, message, conversation: touched, contact };
}

/**
 * `writeOutbound` for many drafts at once, with the same results in the drafts' order (a
 * recipient given twice gets two messages in one thread, as if written one after the
 * other) but a fixed handful of statements instead of about ten per draft: contacts, then
 * threads, found or created together, one multi-row message insert, one thread update.
 */
export async function writeOutboundMany(deps: Deps, repos: Repositories, drafts: OutboundDraft[]): Promise<WriteResult[]> {
  if (drafts.length === 0) return [];
  const stamped = drafts.map((draft) => ({ draft, now: deps.clock.now().toISOString() }));
  const contacts = await repos.contacts.findOrCreateMany(stamped.map(({ draft, now }) => contactCandidate(deps, draft, now)));
  const results: WriteResult[] = [];
  const sending: Array<{ index: number; draft: OutboundDraft; now: string; contact: Contact }> = [];
  const checks = await checkAtCreation(
    repos,
    stamped.map(({ draft }, index) => {
      const contact = contacts[index];
      if (!contact) throw new Error('findOrCreateMany must return one contact per candidate');
      return { draft, contact };
    }),
    deps.clock.now(),
  );
  const held = new Map<number, string>();
  stamped.forEach(({ draft, now }, index) => {
    const contact = contacts[index];
    const check = checks[index];
    if (!contact || !check) throw new Error('one contact and one check per draft');
    if (!check.ok) {
      results[index] = { ok: false, error: check.error };
      return;
    }
    if (check.heldBecause) held.set(index, check.heldBecause);
    sending.push({ index, draft: check.sendAt === draft.sendAt ? draft : { ...draft, sendAt: check.sendAt }, now, contact });
  });
  if (sending.length === 0) return results;

  const threads = await repos.conversations.findOrCreateMany(
    sending.map(({ draft, now, contact }) => threadCandidate(deps, draft, contact, now)),
  );
  // Encoding options are the sender's carrier's: read once per sender, not once per draft.
  const optionsBySender = new Map<string, Promise<AnalyzeBodyOptions>>();
  const optionsFor = (draft: OutboundDraft): Promise<AnalyzeBodyOptions> => {
    if (draft.encodingOptions) return Promise.resolve(draft.encodingOptions);
    const cached = optionsBySender.get(draft.number.id) ?? carrierEncodingOptions(repos, draft.number);
    optionsBySender.set(draft.number.id, cached);
    return cached;
  };
  const written = [];
  for (const [k, entry] of sending.entries()) {
    const conversation = threads[k];
    if (!conversation) throw new Error('findOrCreateMany must return one thread per candidate');
    const analysis = analyzeBody(entry.draft.body, await optionsFor(entry.draft));
    written.push({ ...entry, conversation, ...outboundMessage(deps, entry.draft, entry.contact, conversation, analysis, entry.now) });
  }
  await repos.messages.insertMany(written.map(({ row }) => row));
  for (const entry of written) {
    const heldBecause = held.get(entry.index) ?? null;
    if (heldBecause || entry.draft.sensitiveOverride) await recordWhy(deps, repos, entry.draft, entry.message, heldBecause, entry.now);
  }
  const touched = await repos.conversations.touchMany(
    written.map(({ conversation, now, draft }) => ({ conversation, at: now, preview: draft.body })),
  );
  written.forEach(({ index, message, contact }, k) => {
    const conversation = touched[k];
    if (!conversation) throw new Error('touchMany must return one thread per touch');
    results[index] = { ok: true, message, conversation, contact };
  });
  return results;
}

function contactCandidate(deps: Pick<Deps, 'ids'>, draft: OutboundDraft, now: string): Contact {
  return {
    id: deps.ids.next(),
    workspaceId: draft.workspace.id,
    phoneNumber: draft.to,
    name: null,
    attributes: {},
    optedOutAt: null,
    timeZone: null,
    consentReviewAt: null,
    createdAt: now,
    updatedAt: now,
  };
}

function threadCandidate(deps: Pick<Deps, 'ids'>, draft: OutboundDraft, contact: Contact, now: string): NewConversation {
  return {
    id: deps.ids.next(),
    workspaceId: draft.workspace.id,
    numberId: draft.number.id,
    contactId: contact.id,
    lastMessageAt: null,
    lastMessagePreview: null,
    createdAt: now,
  };
}

/**
 * Leaves a trace of what the rules did: why a message was scheduled later than asked
 * (on the message's own history), and a sensitive-content override (in the audit log).
 */
async function recordWhy(
  deps: Pick<Deps, 'ids'>,
  repos: Repositories,
  draft: OutboundDraft,
  message: Message,
  heldBecause: string | null,
  now: string,
): Promise<void> {
  if (heldBecause) {
    await repos.messages.recordEvent(message.id, 'compliance', message.status, null, true, `scheduled for ${message.sendAt ?? now}: ${heldBecause}`, now);
  }
  if (draft.sensitiveOverride) {
    await repos.audit.append({
      id: deps.ids.next(),
      workspaceId: message.workspaceId,
      actor: draft.actor ?? 'system',
      action: 'sensitive_content.override',
      targetType: 'message',
      targetId: message.id,
      detail: { kinds: draft.sensitiveOverride, to: message.to, from: message.from },
      createdAt: now,
    });
  }
}

/** The one place an outbound message is built: the message as shown, and the row as queued. */
function outboundMessage(
  deps: Pick<Deps, 'ids'>,
  draft: OutboundDraft,
  contact: Contact,
  conversation: Conversation,
  analysis: BodyAnalysis,
  now: string,
): { message: Message; row: NewMessage } {
  const scheduled = draft.sendAt !== null;
  const message: Message = {
    id: deps.ids.next(),
    workspaceId: draft.workspace.id,
    conversationId: conversation.id,
    numberId: draft.number.id,
    contactId: contact.id,
    direction: 'outbound',
    from: draft.number.phoneNumber,
    to: draft.to,
    body: draft.body,
    category: draft.category,
    status: scheduled ? 'scheduled' : 'queued',
    errorCode: null,
    errorMessage: null,
    encoding: analysis.encoding,
    segments: analysis.segments,
    carrierId: draft.number.carrierId,
    carrierMessageIds: [],
    consentExempt: draft.consentExempt,
    attempts: 0,
    sendAt: draft.sendAt?.toISOString() ?? null,
    createdAt: now,
    updatedAt: now,
    ...NO_STATE_TIMESTAMPS,
    scheduledAt: scheduled ? now : null,
    queuedAt: scheduled ? null : now,
  };
  const row: NewMessage = {
    ...message,
    priority: priorityOf({ category: draft.category, bulk: draft.bulk ?? false }),
    nextAttemptAt: message.sendAt ?? now,
  };
  return { message, row };
}
