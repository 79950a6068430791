import type { DeliveryReceipt } from '../carriers/carrier.js';
import type { Message } from '../domain/models.js';
import { recordReceipts, type ReceiptResult } from './record-receipt.js';

type RecordBatch = (receipts: readonly DeliveryReceipt[]) => Promise<ReceiptResult[]>;

interface Pending {
  receipt: DeliveryReceipt;
  resolve: (message: Message | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the receipts that arrive together and records them in one transaction
 * (`recordReceipts`). An SMPP bind delivers many deliver_sm at once, and a commit per receipt
 * (an fsync on PostgreSQL) is what limited inbound throughput. Receipts that arrive within
 * one event-loop turn form a batch; while a batch is being written the next one gathers, so
 * batches grow with the load and a lone receipt waits for nothing but its own commit.
 *
 * Each caller's promise settles only after its receipt is committed (or could not be
 * stored): the carrier acknowledges the receipt only then, so the SMSC redelivers what
 * was not stored.
 */
export class ReceiptBatcher {
  private pending: Pending[] = [];
  private scheduled = false;
  private writing = false;

  constructor(
    private readonly record: RecordBatch,
    private readonly maxBatch = 500,
  ) {}

  static for(deps: Parameters<typeof recordReceipts>[0], maxBatch?: number): ReceiptBatcher {
    return new ReceiptBatcher((receipts) => recordReceipts(deps, receipts), maxBatch);
  }

  add(receipt: DeliveryReceipt): Promise<Message | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ receipt, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        let results: ReceiptResult[];
        try {
          results = await this.record(batch.map((item) => item.receipt));
        } catch (error) {
          // recordReceipts reports per receipt; this is only a guard so no caller hangs.
          for (const item of batch) item.reject(error);
          continue;
        }
        batch.forEach((item, index) => {
          const result = results[index];
          if (!result) item.reject(new Error('receipt batch returned no result for a receipt'));
          else if (result.ok) item.resolve(result.message);
          else item.reject(result.error);
        });
      }
    } finally {
      this.writing = false;
    }
  }
}
