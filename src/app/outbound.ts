import { priorityOf } from '../domain/send-pace.js';
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import {
  NO_STATE_TIMESTAMPS,
  type BusinessNumber,
  type Contact,
  type Conversation,
  type Message,
  type MessageCategory,
  type Workspace,
} from '../domain/models.js';
import { validateBody } from '../domain/message-body.js';
import { parsePhone } from '../domain/phone-number.js';
import { smartEncodedBody } from '../domain/smart-encoding.js';
import { analyzeBody, type AnalyzeBodyOptions } from '../domain/sms-encoding.js';
import type { NationalLanguage } from '../domain/gsm-national-tables.js';
import type { Repositories } from '../store/store.js';

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
}

export interface DraftInput {
  from: string;
  to: string;
  body: string;
  sendAt?: string | undefined;
  category?: MessageCategory | undefined;
  /** Overrides the workspace's smart encoding setting for this message. */
  smartEncoding?: boolean | undefined;
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
  const contact = await repos.contacts.findOrCreate({
    id: deps.ids.next(),
    workspaceId: draft.workspace.id,
    phoneNumber: draft.to,
    name: null,
    attributes: {},
    optedOutAt: null,
    createdAt: now,
    updatedAt: now,
  });
  if (contact.optedOutAt !== null && !draft.consentExempt) {
    return {
      ok: false,
      error: new AppError('recipient_opted_out', `${draft.to} has opted out of messages from this workspace`, {
        field: 'to',
      }),
    };
  }
  const conversation = await repos.conversations.findOrCreate({
    id: deps.ids.next(),
    workspaceId: draft.workspace.id,
    numberId: draft.number.id,
    contactId: contact.id,
    lastMessageAt: null,
    lastMessagePreview: null,
    createdAt: now,
  });
  const analysis = analyzeBody(draft.body, draft.encodingOptions ?? (await carrierEncodingOptions(repos, draft.number)));
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
  await repos.messages.insert({
    ...message,
    priority: priorityOf({ category: draft.category, bulk: draft.bulk ?? false }),
    nextAttemptAt: message.sendAt ?? now,
  });
  const touched = await repos.conversations.touch(conversation, now, draft.body);
  return { ok: true, message, conversation: touched, contact };
}
