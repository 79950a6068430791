import type { AppContext } from '../context.js';
import type { InboundSms } from '../carriers/carrier.js';
import { isAppError } from '../domain/errors.js';
import {
  DEFAULT_HELP_REPLY,
  DEFAULT_OPT_IN_REPLY,
  DEFAULT_OPT_OUT_REPLY,
  renderComplianceReply,
  replyValues,
} from '../domain/compliance-settings.js';
import { readConsentIntent, type ConsentIntent } from '../domain/consent-intent.js';
import {
  NO_STATE_TIMESTAMPS,
  type BusinessNumber,
  type Contact,
  type Conversation,
  type Message,
  type Workspace,
} from '../domain/models.js';
import { parsePhone } from '../domain/phone-number.js';
import { sanitizeReceivedText } from '../domain/message-body.js';
import {
  checkConcat,
  decidePart,
  describeIncomplete,
  INCOMPLETE_MESSAGE_CODE,
  reassemble,
  reassemblyDeadline,
  RELEASED_PART_RETENTION_SECONDS,
  type ConcatInfo,
  type PartSetKey,
  type Reassembled,
} from '../domain/reassembly.js';
import { analyzeBody, type SmsEncoding } from '../domain/sms-encoding.js';
import { isUniqueViolation } from '../store/database.js';
import type { InboundPart } from '../store/inbound-part.repository.js';
import type { Repositories } from '../store/store.js';
import { writeOutbound } from './outbound.js';
import { recordConsent } from './consent.js';

/** What an inbound text did to consent: opted out or in, asked for help, or awaits a person. */
export type ConsentAction = 'opt_out' | 'opt_in' | 'help' | 'review';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events' | 'queue' | 'log' | 'config'>;

export type InboundOutcome =
  | { kind: 'routed'; message: Message; keyword: ConsentAction | null; reply: Message | null }
  | { kind: 'duplicate'; message: Message }
  | { kind: 'unrouted'; id: string }
  /** One part of a multipart text, stored durably; its set is not complete yet. */
  | { kind: 'part_stored'; received: number; total: number }
  /**
   * A part we already have: held in its open set (nothing changed), or part of a set
   * already built into `releasedAs` (a message id, or an unrouted inbound id).
   */
  | { kind: 'part_duplicate'; releasedAs: string | null };

/**
 * The one inbound use-case, for every carrier. The text lands in the thread of
 * (business number, sender); standard keywords (STOP, START, HELP…) are honoured in the
 * same transaction that stores the text, so an opt-out can never be half-recorded.
 *
 * A part of a multipart text (`sms.concat`) is stored first and becomes a message only
 * when its set is complete, in the same transaction as the part that completes it; sets
 * that never complete are released by `releaseExpiredParts`.
 */
export async function handleInbound(deps: Deps, received: InboundSms): Promise<InboundOutcome> {
  const sms = { ...received, body: sanitizeReceivedText(received.body) };
  const concat = checkConcat(sms.concat);
  if (concat.kind === 'part') return handlePart(deps, sms, concat.concat);
  if (concat.kind === 'invalid') {
    deps.log.warn(
      { carrierId: sms.carrierId, from: sms.from, to: sms.to, concat: sms.concat, reason: concat.reason },
      'concatenation header out of range; delivering the part as a text of its own',
    );
  }
  return handleSingle(deps, sms);
}

async function handleSingle(deps: Deps, sms: InboundSms): Promise<InboundOutcome> {
  const now = deps.clock.now().toISOString();
  const receivedAt = sms.at.toISOString();
  const route = await deps.db.repos.numbers.findRouteByPhone(normalizeLoosely(sms.to, 'US'));
  const number = route?.number ?? null;
  const workspace = route?.workspace ?? null;
  if (!number || !workspace) {
    const id = deps.ids.next();
    await deps.db.repos.unrouted.insert({
      id,
      carrierId: sms.carrierId,
      from: sms.from,
      to: sms.to,
      body: sms.body,
      carrierMessageId: sms.carrierMessageId,
      receivedAt,
    });
    deps.log.warn({ unroutedId: id, to: sms.to, from: sms.from, carrierId: sms.carrierId }, 'inbound for an unknown number kept as unrouted');
    return { kind: 'unrouted', id };
  }
  if (sms.carrierMessageId) {
    const earlier = await deps.db.repos.messages.findInboundByCarrierMessageId(sms.carrierId, sms.carrierMessageId);
    if (earlier) return { kind: 'duplicate', message: earlier };
  }
  const analysis = analyzeBody(sms.body);

  let outcome: Written;
  try {
    // Grouped: replies arriving together share one commit (each keeps its own savepoint).
    outcome = await deps.db.transactionGrouped((repos) =>
      writeInbound(
        deps,
        repos,
        { number, workspace },
        {
          id: deps.ids.next(),
          carrierId: sms.carrierId,
          from: sms.from,
          body: sms.body,
          encoding: analysis.encoding,
          segments: analysis.segments,
          carrierMessageId: sms.carrierMessageId,
          receivedAt,
          incomplete: null,
        },
        now,
      ),
    );
  } catch (error) {
    // The same carrier message raced in twice: the first one won.
    if (sms.carrierMessageId && isUniqueViolation(error)) {
      const earlier = await deps.db.repos.messages.findInboundByCarrierMessageId(sms.carrierId, sms.carrierMessageId);
      if (earlier) return { kind: 'duplicate', message: earlier };
    }
    throw error;
  }

  publishWritten(deps, workspace.id, outcome);
  return { kind: 'routed', message: outcome.message, keyword: outcome.keyword, reply: outcome.reply };
}

interface Written {
  message: Message;
  conversation: Conversation;
  keyword: ConsentAction | null;
  reply: Message | null;
}

/** An inbound text ready to land in a thread: a single SMS, or a reassembled set. */
interface InboundText {
  id: string;
  carrierId: string;
  /** As the carrier wrote it; read in the workspace's country here. */
  from: string;
  body: string;
  encoding: SmsEncoding;
  segments: number;
  carrierMessageId: string | null;
  receivedAt: string;
  /** Why the text is known to be incomplete (parts never arrived); null when whole. */
  incomplete: string | null;
}

/** Stores an inbound text in its thread and applies keywords; call inside a transaction. */
async function writeInbound(
  deps: Deps,
  repos: Repositories,
  target: { number: BusinessNumber; workspace: Workspace },
  text: InboundText,
  now: string,
): Promise<Written> {
  const { number, workspace } = target;
  const from = normalizeLoosely(text.from, workspace.defaultCountry);
  const contact = await repos.contacts.findOrCreate({
    id: deps.ids.next(),
    workspaceId: workspace.id,
    phoneNumber: from,
    name: null,
    attributes: {},
    optedOutAt: null,
    timeZone: null,
    consentReviewAt: null,
    createdAt: now,
    updatedAt: now,
  });
  const conversation = await repos.conversations.findOrCreate({
    id: deps.ids.next(),
    workspaceId: workspace.id,
    numberId: number.id,
    contactId: contact.id,
    lastMessageAt: null,
    lastMessagePreview: null,
    createdAt: now,
  });
  const message: Message = {
    id: text.id,
    workspaceId: workspace.id,
    conversationId: conversation.id,
    numberId: number.id,
    contactId: contact.id,
    direction: 'inbound',
    from,
    to: number.phoneNumber,
    body: text.body,
    category: 'conversational',
    status: 'received',
    // A received text has no failure of its own; a reassembled one with parts missing
    // says so here, where the API and the inbox already show what went wrong.
    errorCode: text.incomplete ? INCOMPLETE_MESSAGE_CODE : null,
    errorMessage: text.incomplete,
    encoding: text.encoding,
    segments: text.segments,
    carrierId: text.carrierId,
    carrierMessageIds: text.carrierMessageId ? [text.carrierMessageId] : [],
    consentExempt: false,
    attempts: 0,
    sendAt: null,
    createdAt: now,
    updatedAt: now,
    ...NO_STATE_TIMESTAMPS,
    receivedAt: text.receivedAt,
  };
  await repos.messages.insert({ ...message, priority: 0, nextAttemptAt: null });
  // The customer wrote: a closed or snoozed thread is back in the open inbox, and unread.
  let touched = await repos.conversations.recordInbound(conversation, now, text.body);

  // A keyword counts only as the whole text; with parts missing we cannot know that it
  // was ("[…] STOP" may end a longer sentence), so an incomplete text is left for a person.
  const numberOptOuts = (await repos.contacts.numberOptOuts([contact.id])).get(contact.id);
  const optedOut = contact.optedOutAt !== null || (numberOptOuts?.has(number.id) ?? false);
  const intent = text.incomplete ? null : readConsentIntent(text.body, { optedOut });
  const applied = intent
    ? await applyConsentIntent(
        deps,
        repos,
        { workspace, number, contact, optedOut, numberOptedOut: numberOptOuts?.has(number.id) ?? false },
        intent,
        message,
        now,
      )
    : { action: null, reply: null };
  const keyword = applied.action;
  const replyText = applied.reply;
  let reply: Message | null = null;
  if (replyText) {
    const written = await writeOutbound(deps, repos, {
      workspace,
      number,
      to: from,
      body: replyText,
      category: 'transactional',
      sendAt: null,
      // The law requires these confirmations even to a contact who just opted out.
      consentExempt: true,
    });
    if (written.ok) {
      reply = written.message;
      touched = written.conversation;
    }
  }
  return { message, conversation: touched, keyword, reply };
}

/** After commit: live events for the new text, its reply, and the thread. */
function publishWritten(deps: Pick<Deps, 'events' | 'queue'>, workspaceId: string, written: Written): void {
  deps.events.publish({ type: 'message.created', workspaceId, data: written.message });
  if (written.reply) {
    deps.events.publish({ type: 'message.created', workspaceId, data: written.reply });
    deps.queue.notify();
  }
  deps.events.publish({ type: 'conversation.updated', workspaceId, data: written.conversation });
}

/** What a transaction over a part set decided; events are published only after commit. */
interface PartResult {
  outcome: InboundOutcome;
  written: { workspaceId: string; written: Written } | null;
}

/**
 * Stores one part and, when it completes its set, builds the message, all in one
 * transaction: a crash either keeps the part (the set stays open) or keeps the message
 * and the released parts together, so a text is never lost nor built twice. Concurrent
 * parts of one set are serialised by `lockSet`, so exactly one of them sees the set
 * complete.
 */
async function handlePart(deps: Deps, sms: InboundSms, concat: ConcatInfo): Promise<InboundOutcome> {
  const key: PartSetKey = {
    carrierId: sms.carrierId,
    from: sms.from,
    to: sms.to,
    reference: concat.reference,
    total: concat.total,
  };
  const now = deps.clock.now();
  const at = now.toISOString();
  let conflicting = false;
  const result = await deps.db.transaction(async (repos): Promise<PartResult> => {
    await repos.inboundParts.lockSet(key);
    const held = await repos.inboundParts.openParts(key);
    const decision = decidePart(held, { sequence: concat.sequence, body: sms.body });
    if (decision.action === 'ignore') {
      conflicting = decision.conflicting;
      if (conflicting) await repos.inboundParts.noteConflictingCopy(key, concat.sequence);
      return { outcome: { kind: 'part_duplicate', releasedAs: null }, written: null };
    }
    // The set this part belonged to may already be built: the carrier is redelivering.
    const releasedAs = await repos.inboundParts.findReleasedCopy(key, concat.sequence, sms.body);
    if (releasedAs) return { outcome: { kind: 'part_duplicate', releasedAs }, written: null };

    // The deadline runs from the set's first part, so a trickle of parts cannot hold it open forever.
    const first = held[0];
    const part: InboundPart = {
      ...key,
      id: deps.ids.next(),
      sequence: concat.sequence,
      body: sms.body,
      carrierMessageId: sms.carrierMessageId,
      receivedAt: sms.at.toISOString(),
      firstReceivedAt: first?.firstReceivedAt ?? at,
      expiresAt: first?.expiresAt ?? reassemblyDeadline(now, deps.config.reassemblyTimeoutSeconds).toISOString(),
      conflictingCopies: 0,
      releasedAt: null,
      releasedAs: null,
    };
    if (!(await repos.inboundParts.insert(part))) {
      return { outcome: { kind: 'part_duplicate', releasedAs: null }, written: null };
    }
    const parts = [...held, part];
    const built = reassemble(key.total, parts);
    if (!built.complete) {
      return { outcome: { kind: 'part_stored', received: built.present.length, total: key.total }, written: null };
    }
    return releaseSet(deps, repos, key, parts, built, at);
  });
  if (conflicting) {
    deps.log.warn(
      { carrierId: key.carrierId, from: key.from, to: key.to, reference: key.reference, sequence: concat.sequence },
      'a part arrived again with a different text; kept the first copy',
    );
  }
  if (result.written) publishWritten(deps, result.written.workspaceId, result.written.written);
  return result.outcome;
}

/**
 * Builds a set's message (complete, or incomplete with gaps marked) and marks its parts
 * released to it. Call inside the transaction that holds the set's lock.
 */
async function releaseSet(
  deps: Deps,
  repos: Repositories,
  key: PartSetKey,
  parts: readonly InboundPart[],
  built: Reassembled,
  at: string,
): Promise<PartResult> {
  const ordered = [...parts].sort((a, b) => a.sequence - b.sequence);
  const id = deps.ids.next();
  await repos.inboundParts.release(key, id, at);
  // The text as a whole was received when its last part was.
  const receivedAt = ordered.map((part) => part.receivedAt).reduce((a, b) => (b > a ? b : a));
  let carrierMessageId = ordered.find((part) => part.carrierMessageId !== null)?.carrierMessageId ?? null;
  const incomplete = built.complete ? null : describeIncomplete(key.total, built, deps.config.reassemblyTimeoutSeconds);
  const conflicts = ordered.filter((part) => part.conflictingCopies > 0).map((part) => part.sequence);
  const detail = [
    `reassembled from ${built.present.length} of ${key.total} parts (reference ${key.reference})`,
    ...(incomplete ? [incomplete] : []),
    ...(conflicts.length > 0 ? [`part ${conflicts.join(', ')} also arrived with a different text; the first copy was kept`] : []),
  ].join('; ');
  if (incomplete) {
    deps.log.warn(
      { carrierId: key.carrierId, from: key.from, to: key.to, reference: key.reference, missing: built.missing, releasedAs: id },
      'multipart inbound text released incomplete',
    );
  }

  const route = await repos.numbers.findRouteByPhone(normalizeLoosely(key.to, 'US'));
  const number = route?.number ?? null;
  const workspace = route?.workspace ?? null;
  if (!number || !workspace) {
    await repos.unrouted.insert({
      id,
      carrierId: key.carrierId,
      from: key.from,
      to: key.to,
      body: built.body,
      carrierMessageId,
      receivedAt,
    });
    deps.log.warn({ unroutedId: id, to: key.to, from: key.from, carrierId: key.carrierId, detail }, 'inbound for an unknown number kept as unrouted');
    return { outcome: { kind: 'unrouted', id }, written: null };
  }
  if (carrierMessageId && (await repos.messages.findInboundByCarrierMessageId(key.carrierId, carrierMessageId))) {
    // Only an adapter that reuses ids, or a set rebuilt after its released parts were
    // purged, gets here. Keep the text and drop the clashing id rather than fail the part
    // (the carrier would redeliver it forever).
    carrierMessageId = null;
  }
  const written = await writeInbound(
    deps,
    repos,
    { number, workspace },
    {
      id,
      carrierId: key.carrierId,
      from: key.from,
      body: built.body,
      // The encoding of what the sender typed, not of our gap markers.
      encoding: analyzeBody(built.text).encoding,
      segments: key.total,
      carrierMessageId,
      receivedAt,
      incomplete,
    },
    at,
  );
  await repos.messages.recordEvent(id, 'reassembly', 'received', incomplete ? INCOMPLETE_MESSAGE_CODE : null, true, detail, at);
  return {
    outcome: { kind: 'routed', message: written.message, keyword: written.keyword, reply: written.reply },
    written: { workspaceId: workspace.id, written },
  };
}

export interface SweepResult {
  /** Sets released as messages (or unrouted texts) in this pass. */
  released: number;
  /** Released parts forgotten after their retention. */
  purged: number;
}

/**
 * Releases multipart texts whose missing parts did not arrive in time: each becomes an
 * inbound message with the parts it has, gaps marked, flagged `incomplete_multipart`.
 * Safe to run from several workers at once: each set is re-read under its lock, and a set
 * another worker (or a late part) has just released is skipped. Also forgets released
 * parts once they are too old to be redelivered.
 */
export async function releaseExpiredParts(deps: Deps, options: { limit?: number } = {}): Promise<SweepResult> {
  const now = deps.clock.now();
  const at = now.toISOString();
  let released = 0;
  for (const key of await deps.db.repos.inboundParts.expiredSets(at, options.limit ?? 500)) {
    try {
      const result = await deps.db.transaction(async (repos): Promise<PartResult | null> => {
        await repos.inboundParts.lockSet(key);
        const parts = await repos.inboundParts.openParts(key);
        if (parts.length === 0 || !parts.some((part) => part.expiresAt <= at)) return null;
        return releaseSet(deps, repos, key, parts, reassemble(key.total, parts), at);
      });
      if (!result) continue;
      released += 1;
      if (result.written) publishWritten(deps, result.written.workspaceId, result.written.written);
    } catch (error) {
      // One bad set must not hold back the others; it is tried again on the next pass.
      deps.log.error({ err: error, ...key }, 'releasing an expired multipart set failed');
    }
  }
  const retentionMs = Math.max(RELEASED_PART_RETENTION_SECONDS, deps.config.reassemblyTimeoutSeconds) * 1000;
  const purged = await deps.db.repos.inboundParts.purgeReleased(new Date(now.getTime() - retentionMs).toISOString());
  return { released, purged };
}

/**
 * Records what the text said about consent in the ledger and returns the reply to send,
 * if any. An opt-out gets one confirmation; after it the contact gets nothing but the
 * answer to a later START (a repeated STOP, or HELP, is recorded, not answered). A reply
 * that may be an opt-out but is not clearly one flags the contact for a person and holds
 * marketing to them meanwhile.
 */
async function applyConsentIntent(
  deps: Pick<AppContext, 'ids' | 'clock'>,
  repos: Repositories,
  target: { workspace: Workspace; number: BusinessNumber; contact: Contact; optedOut: boolean; numberOptedOut: boolean },
  intent: ConsentIntent,
  message: Message,
  now: string,
): Promise<{ action: ConsentAction; reply: string | null }> {
  const { workspace, number, contact } = target;
  const settings = workspace.compliance;
  const values = replyValues(workspace);
  const change = {
    contact,
    evidence: message.body,
    messageId: message.id,
    numberId: number.id,
    actor: 'contact',
  };
  if (intent.action === 'help') {
    await recordConsent(deps, repos, { ...change, kind: 'help_requested', source: 'keyword', scope: 'workspace', rule: intent.rule }, now);
    if (target.optedOut) return { action: 'help', reply: null };
    return { action: 'help', reply: renderComplianceReply(workspace.helpText ?? DEFAULT_HELP_REPLY, values) };
  }
  if (intent.action === 'opt_in') {
    // START lifts whatever blocks this number: its own opt-out and a workspace-wide one.
    if (contact.optedOutAt !== null || settings.optOutScope === 'workspace') {
      await recordConsent(deps, repos, { ...change, kind: 'opted_in', source: 'keyword', scope: 'workspace', numberId: number.id, rule: intent.rule }, now);
    }
    // And this number's own opt-out, also one made while the workspace scoped STOP by number.
    if (settings.optOutScope === 'number' || target.numberOptedOut) {
      await recordConsent(deps, repos, { ...change, kind: 'opted_in', source: 'keyword', scope: 'number', rule: intent.rule }, now);
    }
    return { action: 'opt_in', reply: renderComplianceReply(settings.optInReply ?? DEFAULT_OPT_IN_REPLY, values) };
  }
  const source = intent.rule.startsWith('keyword') ? 'keyword' : 'plain_words';
  const rule = `${intent.rule} (${intent.confidence}, ${intent.language})`;
  if (intent.confidence === 'ambiguous') {
    if (!target.optedOut) {
      await recordConsent(deps, repos, { ...change, kind: 'review_requested', source, scope: 'workspace', rule }, now);
    }
    return { action: 'review', reply: null };
  }
  const scope = intent.scope === 'all' || settings.optOutScope === 'workspace' ? 'workspace' : 'number';
  const { changed } = await recordConsent(deps, repos, { ...change, kind: 'opted_out', source, scope, rule }, now);
  // Already opted out (of this number, or everywhere): recorded as evidence, not answered again.
  const reply = changed && !target.optedOut ? renderComplianceReply(settings.optOutReply ?? DEFAULT_OPT_OUT_REPLY, values) : null;
  return { action: 'opt_out', reply };
}

/**
 * Carriers hand us numbers in many shapes ("15551234567", "+1 555…"). Read them as
 * E.164 when we can; otherwise keep the sender exactly as given rather than drop the text.
 */
function normalizeLoosely(raw: string, defaultCountry: string): string {
  const trimmed = raw.trim();
  // National reading first: a bare 10-digit US number must not be read as +20… (Egypt).
  const candidates = /^\d{9,15}$/.test(trimmed) ? [trimmed, `+${trimmed}`] : [trimmed];
  for (const candidate of candidates) {
    try {
      return parsePhone(candidate, defaultCountry).value;
    } catch (error) {
      if (!isAppError(error)) throw error;
    }
  }
  return trimmed;
}
