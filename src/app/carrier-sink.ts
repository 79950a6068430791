import type { AppContext } from '../context.js';
import type { CarrierEventSink } from '../carriers/carrier.js';
import { handleInbound } from './handle-inbound.js';
import { ReceiptBatcher } from './receipt-batcher.js';

/**
 * Where every carrier adapter hands its receipts and inbound texts. Receipts that arrive
 * together are recorded in one transaction (ReceiptBatcher); each call still resolves only
 * once its own receipt is committed, and rejects if it could not be stored.
 */
export function createCarrierSink(ctx: AppContext): CarrierEventSink {
  const receipts = ReceiptBatcher.for(ctx);
  return {
    receipt: async (receipt) => {
      await receipts.add(receipt);
    },
    inbound: async (sms) => {
      await handleInbound(ctx, sms);
    },
  };
}
