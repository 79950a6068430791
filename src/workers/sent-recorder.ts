import type { AppContext } from '../context.js';
import type { Message } from '../domain/models.js';
import { UNDELIVERED_MESSAGE, applyWaitingReceipts, waitingSince } from '../app/record-receipt.js';
import type { StoredReceipt } from '../store/receipt.repository.js';
import { TurnBatcher } from './turn-batcher.js';
import { carrierMessageIdKeys } from '../domain/carrier-message-id.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'events' | 'log'>;

interface PendingSent {
  message: Message;
  carrierId: string;
  carrierMessageIds: string[];
}

/**
 * Records submit responses that arrive together (one event-loop turn) in one transaction:
 * carrier ids, `sending → sent` and any receipt that overtook its response, with a constant
 * number of statements however many there are. A busy worker gets dozens of responses per
 * turn; one transaction each would make the store, not the carrier, the bottleneck.
 * Each caller's promise settles when its message is committed.
 */
export class SentRecorder {
  private readonly batcher = new TurnBatcher<PendingSent>((batch) => this.flush(batch));

  constructor(private readonly deps: Deps) {}

  record(message: Message, carrierId: string, carrierMessageIds: string[]): Promise<void> {
    return this.batcher.add({ message, carrierId, carrierMessageIds });
  }

  private async flush(batch: PendingSent[]): Promise<void[]> {
    const updates = await this.write(batch);
    for (const message of updates) this.publish(message);
    // The batch is committed: a failure of the second look must not make callers write it again.
    await this.applyLateReceipts(batch).catch((error: unknown) => {
      this.deps.log.warn({ err: error }, 'second look for receipts that overtook their submit responses failed; the receipts stay waiting');
    });
    return batch.map(() => undefined);
  }

  private async write(batch: PendingSent[]): Promise<Message[]> {
    const at = this.deps.clock.now().toISOString();
    return this.deps.db.transaction(async (repos) => {
      const sent = await repos.messages.markSentMany(
        batch.map((entry) => ({ messageId: entry.message.id, carrierId: entry.carrierId, carrierMessageIds: entry.carrierMessageIds })),
        at,
      );
      const updates: Message[] = [...sent];
      // Receipts that arrived before these responses were stored wait for them. Usually there
      // are none: one query per carrier tells, and only then is each message looked at.
      for (const group of byCarrier(batch)) {
        const waiting = await repos.receipts.unmatchedFor(
          group.carrierId,
          group.entries.flatMap((e) => e.carrierMessageIds),
          waitingSince(this.deps.clock),
        );
        if (waiting.length === 0) continue;
        // With a short receipt delay this is common, not rare: a single-part message and its
        // one waiting receipt are settled in bulk; anything else goes one by one.
        const { simple, rest } = pairWaiting(namedBy(group.entries, waiting), waiting, new Set(sent.map((m) => m.id)));
        const moved = await repos.messages.applyReceiptsToSent(
          simple.map(({ entry, receipt }) => ({
            messageId: entry.message.id,
            status: receipt.status,
            errorCode: receipt.status === 'undelivered' ? (receipt.errorCode ?? 'carrier_undelivered') : null,
            errorMessage: receipt.status === 'undelivered' ? UNDELIVERED_MESSAGE : null,
            carrierMessageIds: entry.carrierMessageIds,
          })),
          at,
        );
        const movedIds = new Set(moved.map((m) => m.id));
        await repos.receipts.markWaitingAppliedMany(
          simple.filter(({ entry }) => movedIds.has(entry.message.id)).map(({ entry, receipt }) => ({ id: receipt.id, messageId: entry.message.id })),
        );
        updates.push(...moved);
        const oneByOne = [...rest, ...simple.filter(({ entry }) => !movedIds.has(entry.message.id)).map(({ entry }) => entry)];
        for (const entry of oneByOne) {
          const receipted = await applyWaitingReceipts(this.deps, repos, entry.message.id, entry.carrierId, entry.carrierMessageIds);
          if (receipted) updates.push(receipted);
        }
      }
      return updates;
    });
  }

  /**
   * On PostgreSQL (READ COMMITTED) a receipt committed while our transaction ran was
   * invisible to it, and the receipt's own second look may have come before our carrier ids
   * were committed (see recordReceipt). Look once more now that ours are.
   */
  private async applyLateReceipts(batch: PendingSent[]): Promise<void> {
    for (const group of byCarrier(batch)) {
      const late = await this.deps.db.repos.receipts.unmatchedFor(
        group.carrierId,
        group.entries.flatMap((e) => e.carrierMessageIds),
        waitingSince(this.deps.clock),
      );
      if (late.length === 0) continue;
      for (const entry of namedBy(group.entries, late)) {
        const updated = await this.deps.db.transaction((repos) =>
          applyWaitingReceipts(this.deps, repos, entry.message.id, entry.carrierId, entry.carrierMessageIds),
        );
        if (updated) this.publish(updated);
      }
    }
  }

  private publish(message: Message): void {
    this.deps.events.publish({ type: 'message.updated', workspaceId: message.workspaceId, data: message });
  }
}

function byCarrier(batch: PendingSent[]): { carrierId: string; entries: PendingSent[] }[] {
  const groups = new Map<string, PendingSent[]>();
  for (const entry of batch) groups.set(entry.carrierId, [...(groups.get(entry.carrierId) ?? []), entry]);
  return [...groups].map(([carrierId, entries]) => ({ carrierId, entries }));
}

/** The entries some of these receipts name (by id key, or by text for ids without keys). */
function namedBy(entries: PendingSent[], receipts: { carrierMessageId: string }[]): PendingSent[] {
  const named = new Set(receipts.flatMap((r) => [r.carrierMessageId, ...carrierMessageIdKeys(r.carrierMessageId)]));
  return entries.filter((entry) =>
    entry.carrierMessageIds.some((id) => named.has(id) || carrierMessageIdKeys(id).some((key) => named.has(key))),
  );
}

/**
 * Splits the entries named by waiting receipts into the simple case — a single-part message
 * now `sent`, named by exactly one waiting receipt that names no other entry — and the rest.
 */
function pairWaiting(
  entries: PendingSent[],
  waiting: StoredReceipt[],
  sentIds: Set<string>,
): { simple: { entry: PendingSent; receipt: StoredReceipt }[]; rest: PendingSent[] } {
  const receiptsOf = new Map<PendingSent, StoredReceipt[]>();
  const entriesOf = new Map<StoredReceipt, number>();
  for (const receipt of waiting) {
    for (const entry of namedBy(entries, [receipt])) {
      receiptsOf.set(entry, [...(receiptsOf.get(entry) ?? []), receipt]);
      entriesOf.set(receipt, (entriesOf.get(receipt) ?? 0) + 1);
    }
  }
  const simple: { entry: PendingSent; receipt: StoredReceipt }[] = [];
  const rest: PendingSent[] = [];
  for (const entry of entries) {
    const receipts = receiptsOf.get(entry) ?? [];
    const [only] = receipts;
    if (
      only &&
      receipts.length === 1 &&
      entriesOf.get(only) === 1 &&
      entry.carrierMessageIds.length === 1 &&
      sentIds.has(entry.message.id)
    ) {
      simple.push({ entry, receipt: only });
    } else {
      rest.push(entry);
    }
  }
  return { simple, rest };
}
