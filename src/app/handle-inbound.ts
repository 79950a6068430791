import type { AppContext } from '../context.js';
import type { InboundSms } from '../carriers/carrier.js';
import { isAppError } from '../domain/errors.js';
import {
  classifyKeyword,
  DEFAULT_HELP_REPLY,
  DEFAULT_OPT_IN_REPLY,
  DEFAULT_OPT_OUT_REPLY,
  renderComplianceReply,
  type KeywordAction,
} from '../domain/keywords.js';
import { NO_STATE_TIMESTAMPS, type Conversation, type Message, type Workspace } from '../domain/models.js';
import { parsePhone } from '../domain/phone-number.js';
import { analyzeBody } from '../domain/sms-encoding.js';
import { isUniqueViolation } from '../store/database.js';
import type { Repositories } from '../store/store.js';
import { writeOutbound } from './outbound.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events' | 'queue' | 'log'>;

export type InboundOutcome =
  | { kind: 'routed'; message: Message; keyword: KeywordAction | null; reply: Message | null }
  | { kind: 'duplicate'; message: Message }
  | { kind: 'unrouted'; id: string };

/**
 * The one inbound use-case, for every carrier. The text lands in the thread of
 * (business number, sender); standard keywords (STOP, START, HELP…) are honoured in the
 * same transaction that stores the text, so an opt-out can never be half-recorded.
 */
export async function handleInbound(deps: Deps, sms: InboundSms): Promise<InboundOutcome> {
  const now = deps.clock.now().toISOString();
  const receivedAt = sms.at.toISOString();
  const number = await deps.db.repos.numbers.findByPhone(normalizeLoosely(sms.to, 'US'));
  const workspace = number ? await deps.db.repos.workspaces.findById(number.workspaceId) : null;
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
  const from = normalizeLoosely(sms.from, workspace.defaultCountry);
  const analysis = analyzeBody(sms.body);

  let outcome: { message: Message; conversation: Conversation; keyword: KeywordAction | null; reply: Message | null };
  try {
    outcome = await deps.db.transaction(async (repos) => {
      const contact = await repos.contacts.findOrCreate({
        id: deps.ids.next(),
        workspaceId: workspace.id,
        phoneNumber: from,
        name: null,
        attributes: {},
        optedOutAt: null,
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
        id: deps.ids.next(),
        workspaceId: workspace.id,
        conversationId: conversation.id,
        numberId: number.id,
        contactId: contact.id,
        direction: 'inbound',
        from,
        to: number.phoneNumber,
        body: sms.body,
        category: 'conversational',
        status: 'received',
        errorCode: null,
        errorMessage: null,
        encoding: analysis.encoding,
        segments: analysis.segments,
        carrierId: sms.carrierId,
        carrierMessageIds: sms.carrierMessageId ? [sms.carrierMessageId] : [],
        consentExempt: false,
        attempts: 0,
        sendAt: null,
        createdAt: now,
        updatedAt: now,
        ...NO_STATE_TIMESTAMPS,
        receivedAt,
      };
      await repos.messages.insert({ ...message, priority: 0, nextAttemptAt: null });
      let touched = await repos.conversations.touch(conversation, now, sms.body);

      const keyword = classifyKeyword(sms.body, contact.optedOutAt !== null);
      const replyText = keyword
        ? await applyKeyword(deps, repos, workspace, contact.id, contact.optedOutAt !== null, keyword, message.id, now)
        : null;
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
    });
  } catch (error) {
    // The same carrier message raced in twice: the first one won.
    if (sms.carrierMessageId && isUniqueViolation(error)) {
      const earlier = await deps.db.repos.messages.findInboundByCarrierMessageId(sms.carrierId, sms.carrierMessageId);
      if (earlier) return { kind: 'duplicate', message: earlier };
    }
    throw error;
  }

  deps.events.publish({ type: 'message.created', workspaceId: workspace.id, data: outcome.message });
  if (outcome.reply) {
    deps.events.publish({ type: 'message.created', workspaceId: workspace.id, data: outcome.reply });
    deps.queue.notify();
  }
  deps.events.publish({ type: 'conversation.updated', workspaceId: workspace.id, data: outcome.conversation });
  return { kind: 'routed', message: outcome.message, keyword: outcome.keyword, reply: outcome.reply };
}

/**
 * Records the consent change and returns the reply to send, if any. An opt-out gets one
 * confirmation; a repeated STOP from someone already opted out is recorded, not answered.
 */
async function applyKeyword(
  deps: Pick<AppContext, 'ids'>,
  repos: Repositories,
  workspace: Workspace,
  contactId: string,
  optedOut: boolean,
  keyword: KeywordAction,
  messageId: string,
  now: string,
): Promise<string | null> {
  if (keyword === 'help') {
    return workspace.helpText ?? renderComplianceReply(DEFAULT_HELP_REPLY, workspace.name);
  }
  await repos.contacts.appendConsentEvent({
    id: deps.ids.next(),
    workspaceId: workspace.id,
    contactId,
    kind: keyword,
    source: 'keyword',
    evidence: `inbound message ${messageId}`,
    messageId,
    createdAt: now,
  });
  if (keyword === 'opt_out') {
    if (optedOut) return null;
    await repos.contacts.update(contactId, { optedOutAt: now }, now);
    return renderComplianceReply(DEFAULT_OPT_OUT_REPLY, workspace.name);
  }
  await repos.contacts.update(contactId, { optedOutAt: null }, now);
  return renderComplianceReply(DEFAULT_OPT_IN_REPLY, workspace.name);
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
