import type { AppContext } from '../context.js';
import type { DeliveryReceipt } from '../carriers/carrier.js';
import { bestCarrierMessageIdMatch } from '../domain/carrier-message-id.js';
import type { Message } from '../domain/models.js';
import type { Repositories } from '../store/store.js';
import type { StoredReceipt } from '../store/receipt.repository.js';

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

async function applyIfNowMatched(deps: Deps, receipt: DeliveryReceipt): Promise<Message | null> {
  const messageId = await deps.db.repos.messages.findIdByCarrierMessageId(receipt.carrierId, receipt.carrierMessageId);
  if (!messageId) return null;
  return deps.db.transaction((repos) =>
    applyWaitingReceipts(deps, repos, messageId, receipt.carrierId, [receipt.carrierMessageId]),
  );
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
  for (const waiting of await repos.receipts.unmatchedFor(carrierId, carrierMessageIds)) {
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
    const matched = await repos.receipts.forMessage(messageId);
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
        ? { errorCode: receipt.errorCode ?? 'carrier_undelivered', errorMessage: 'the carrier could not deliver the message' }
        : {},
      'receipt',
    );
    if (outcome.applied) changed = outcome.message;
  }
  await repos.receipts.markMatched(receipt.id, messageId, changed !== null, receipt.messageId === null);
  return changed;
}
