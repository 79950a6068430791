import type { AppContext } from '../context.js';
import type { DeliveryReceipt } from '../carriers/carrier.js';
import { bestCarrierMessageIdMatch } from '../domain/carrier-message-id.js';
import type { Message } from '../domain/models.js';
import type { Repositories } from '../store/store.js';
import type { StoredReceipt } from '../store/receipt.repository.js';
import type { CarrierIdMatch } from '../store/message.repository.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'events' | 'log'>;

/**
 * Records a delivery receipt and applies it when the state machine allows. Every receipt
 * is stored; one that matches no message yet waits for its submit response to be stored
 * (see `applyWaitingReceipts`), and a late or duplicate one is kept but never moves a
 * message backwards.
 */
export async function recordReceipt(deps: Deps, receipt: DeliveryReceipt): Promise<Message | null> {
  const recorded = await deps.db.transaction(async (repos) => {
    const messageId = await repos.messages.findIdByCarrierMessageId(receipt.carrierId, receipt.carrierMessageId);
    const stored: StoredReceipt = {
      id: deps.ids.next(),
      carrierId: receipt.carrierId,
      carrierMessageId: receipt.carrierMessageId,
      messageId,
      status: receipt.status,
      errorCode: receipt.errorCode,
      raw: receipt.raw,
      applied: false,
      receivedAt: receipt.at.toISOString(),
    };
    await repos.receipts.insert(stored);
    if (!messageId) return { matched: false, updated: null };
    return { matched: true, updated: await applyReceipt(deps, repos, messageId, stored) };
  });
  // On PostgreSQL (READ COMMITTED) the submit response may have committed its carrier ids
  // after our lookup, having looked for waiting receipts before ours was committed. Look
  // again now that ours is; the worker does the same after its commit, so one side sees both.
  const updated = recorded.matched ? recorded.updated : await applyIfNowMatched(deps, receipt);
  if (!updated) {
    deps.log.debug({ receipt }, 'receipt recorded without a matching message (yet)');
    return null;
  }
  deps.events.publish({ type: 'message.updated', workspaceId: updated.workspaceId, data: updated });
  return updated;
}

/** One receipt's outcome in `recordReceipts`: the message it moved (or null), or why it was not stored. */
export type ReceiptResult = { ok: true; message: Message | null } | { ok: false; error: unknown };

export const UNDELIVERED_MESSAGE = 'the carrier could not deliver the message';

/**
 * Records receipts that arrived together (the carrier sink batches them) with the outcome
 * `recordReceipt` gives each, in one transaction. The common case — one receipt for a
 * single-part message still `sent` — takes a constant number of statements for the whole
 * batch: one lookup, one insert of the receipts, one UPDATE per target status and one insert
 * of history events. Everything else (multipart messages, messages not `sent`, several
 * receipts naming one message) is recorded one by one in the same transaction, in arrival
 * order, by the same code as `recordReceipt`; unmatched receipts are stored waiting and get
 * its second look after the commit. If the batch cannot be committed, each receipt is
 * recorded on its own, so one bad receipt cannot fail the others.
 */
export async function recordReceipts(deps: Deps, receipts: readonly DeliveryReceipt[]): Promise<ReceiptResult[]> {
  if (receipts.length === 1) return [await settle(recordReceipt(deps, receipts[0] as DeliveryReceipt))];
  let together: Array<{ settled: Message | null } | 'unmatched'>;
  try {
    together = await deps.db.transaction((repos) => recordTogether(deps, repos, receipts));
  } catch (error) {
    deps.log.warn({ err: error, receipts: receipts.length }, 'receipt batch failed; recording each receipt on its own');
    // One after another, in arrival order, as if they had never been batched.
    const results: ReceiptResult[] = [];
    for (const receipt of receipts) results.push(await settle(recordReceipt(deps, receipt)));
    return results;
  }
  const nowMatched = await secondLook(
    deps,
    receipts.filter((_, index) => together[index] === 'unmatched'),
  );
  const results: ReceiptResult[] = [];
  for (const [index, outcome] of together.entries()) {
    const receipt = receipts[index] as DeliveryReceipt;
    const result =
      outcome === 'unmatched'
        ? await settle(applyIfNowMatched(deps, receipt, nowMatched.get(receipt)))
        : { ok: true as const, message: outcome.settled };
    if (result.ok && result.message) {
      deps.events.publish({ type: 'message.updated', workspaceId: result.message.workspaceId, data: result.message });
    } else if (result.ok && outcome === 'unmatched') {
      deps.log.debug({ receipt }, 'receipt recorded without a matching message (yet)');
    }
    results.push(result);
  }
  return results;
}

async function recordTogether(
  deps: Deps,
  repos: Repositories,
  receipts: readonly DeliveryReceipt[],
): Promise<Array<{ settled: Message | null } | 'unmatched'>> {
  const now = deps.clock.now().toISOString();
  const matches = await repos.messages.findByCarrierMessageIds(receipts);
  const stored: StoredReceipt[] = receipts.map((receipt, index) => ({
    id: deps.ids.next(),
    carrierId: receipt.carrierId,
    carrierMessageId: receipt.carrierMessageId,
    messageId: matches[index]?.messageId ?? null,
    status: receipt.status,
    errorCode: receipt.errorCode,
    raw: receipt.raw,
    applied: false,
    receivedAt: receipt.at.toISOString(),
  }));
  const perMessage = new Map<string, number>();
  for (const match of matches) if (match) perMessage.set(match.messageId, (perMessage.get(match.messageId) ?? 0) + 1);
  // The plain case: the only receipt in the batch for a message still `sent` whose one part
  // it names, so the receipt alone decides the outcome (delivered or undelivered).
  const plain = new Set<number>();
  matches.forEach((match, index) => {
    const receipt = receipts[index] as DeliveryReceipt;
    if (
      match &&
      match.status === 'sent' &&
      perMessage.get(match.messageId) === 1 &&
      match.carrierMessageIds.length === 1 &&
      bestCarrierMessageIdMatch(match.carrierMessageIds, receipt.carrierMessageId) === 0
    ) {
      plain.add(index);
    }
  });
  const moved = new Map(
    (
      await repos.messages.applyReceiptsToSent(
        [...plain].map((index) => {
          const receipt = receipts[index] as DeliveryReceipt;
          const match = matches[index] as CarrierIdMatch;
          const undelivered = receipt.status === 'undelivered';
          return {
            messageId: match.messageId,
            status: receipt.status,
            errorCode: undelivered ? (receipt.errorCode ?? 'carrier_undelivered') : null,
            errorMessage: undelivered ? UNDELIVERED_MESSAGE : null,
            carrierMessageIds: match.carrierMessageIds,
          };
        }),
        now,
      )
    ).map((message) => [message.id, message]),
  );
  // Plain receipts and waiting ones in one insert; a plain receipt whose message moved under
  // us (another process settled it) is stored unapplied and settled below like the rest.
  const settledHere = new Set<number>();
  const rows: StoredReceipt[] = [];
  stored.forEach((receipt, index) => {
    if (receipt.messageId === null) rows.push(receipt);
    else if (plain.has(index) && moved.has(receipt.messageId)) {
      rows.push({ ...receipt, applied: true });
      settledHere.add(index);
    }
  });
  await repos.receipts.insertMany(rows);
  const outcomes: Array<{ settled: Message | null } | 'unmatched'> = [];
  for (const [index, receipt] of stored.entries()) {
    if (receipt.messageId === null) outcomes.push('unmatched');
    else if (settledHere.has(index)) outcomes.push({ settled: moved.get(receipt.messageId) ?? null });
    else {
      // Unusual: exactly what recordReceipt does for this one receipt, in arrival order.
      await repos.receipts.insert(receipt);
      outcomes.push({ settled: await applyReceipt(deps, repos, receipt.messageId, receipt) });
    }
  }
  return outcomes;
}

async function settle(work: Promise<Message | null>): Promise<ReceiptResult> {
  try {
    return { ok: true, message: await work };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The same second look as recordReceipt's, for the same READ COMMITTED race, for a batch's
 * unmatched receipts: one lookup for all of them (with a short receipt delay a third of all
 * receipts overtake their submit responses). A receipt missing from the answer (the lookup
 * failed) is looked up on its own.
 */
async function secondLook(deps: Deps, unmatched: readonly DeliveryReceipt[]): Promise<Map<DeliveryReceipt, string | null>> {
  if (unmatched.length === 0) return new Map();
  try {
    const matches = await deps.db.repos.messages.findByCarrierMessageIds(unmatched);
    return new Map(unmatched.map((receipt, index) => [receipt, matches[index]?.messageId ?? null]));
  } catch (error) {
    deps.log.warn({ err: error }, 'second look for unmatched receipts failed; looking one by one');
    return new Map();
  }
}

/** `knownId`: what a batch's second look found (null: nothing); undefined: look it up here. */
async function applyIfNowMatched(deps: Deps, receipt: DeliveryReceipt, knownId?: string | null): Promise<Message | null> {
  const messageId =
    knownId !== undefined ? knownId : await deps.db.repos.messages.findIdByCarrierMessageId(receipt.carrierId, receipt.carrierMessageId);
  if (!messageId) return null;
  return deps.db.transaction((repos) =>
    applyWaitingReceipts(deps, repos, messageId, receipt.carrierId, [receipt.carrierMessageId]),
  );
}

/**
 * How long a receipt that overtook its submit response waits for it. The response is
 * recorded within moments, or within half a lease when the store is slow (the worker keeps
 * retrying: 30 s with the default lease). Older waiting receipts stay in the
 * unmatched-receipts report and are never applied: carriers recycle message ids, and a
 * receipt from hours ago must not settle a new message that got the same id; and a carrier
 * whose account also carries someone else's traffic collects receipts that never match,
 * which every submit response would otherwise look through.
 */
export const RECEIPT_WAIT_MS = 10 * 60_000;

/** The oldest a receipt may have been received and still be waiting for its message. */
export function waitingSince(clock: AppContext['clock']): string {
  return new Date(clock.now().getTime() - RECEIPT_WAIT_MS).toISOString();
}

/** Applies receipts that arrived before their message's carrier ids were stored. */
export async function applyWaitingReceipts(
  deps: Pick<AppContext, 'clock'>,
  repos: Repositories,
  messageId: string,
  carrierId: string,
  carrierMessageIds: string[],
): Promise<Message | null> {
  let latest: Message | null = null;
  for (const waiting of await repos.receipts.unmatchedFor(carrierId, carrierMessageIds, waitingSince(deps.clock))) {
    latest = (await applyReceipt(deps, repos, messageId, waiting)) ?? latest;
  }
  return latest;
}

/**
 * A multipart message is delivered when every part is; any undelivered part makes the
 * whole message undelivered. Returns the message when its status changed.
 */
async function applyReceipt(
  deps: Pick<AppContext, 'clock'>,
  repos: Repositories,
  messageId: string,
  receipt: StoredReceipt,
): Promise<Message | null> {
  // Receipts for the parts of one message take turns, so each sees the parts before it.
  await repos.messages.lockForUpdate(messageId);
  const now = deps.clock.now().toISOString();
  let target: 'delivered' | 'undelivered' | null = receipt.status;
  if (receipt.status === 'delivered') {
    const parts = await repos.messages.carrierIdsOf(messageId);
    // A single-part message named by this receipt needs no look at earlier receipts.
    const matched =
      parts.length === 1 && bestCarrierMessageIdMatch(parts, receipt.carrierMessageId) === 0
        ? []
        : await repos.receipts.forMessage(messageId);
    // Receipts may name a part in another base or case than the submit response did.
    const deliveredParts = new Set(
      matched
        .filter((r) => r.status === 'delivered')
        .map((r) => r.carrierMessageId)
        .concat(receipt.carrierMessageId)
        .map((id) => bestCarrierMessageIdMatch(parts, id)),
    );
    if (parts.some((_, index) => !deliveredParts.has(index))) target = null;
  }
  let changed: Message | null = null;
  if (target) {
    const outcome = await repos.messages.transition(
      messageId,
      target,
      now,
      target === 'undelivered'
        ? { errorCode: receipt.errorCode ?? 'carrier_undelivered', errorMessage: UNDELIVERED_MESSAGE }
        : {},
      'receipt',
    );
    if (outcome.applied) changed = outcome.message;
  }
  await repos.receipts.markMatched(receipt.id, messageId, changed !== null, receipt.messageId === null);
  return changed;
}
