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
    // A rejection makes the adapter refuse the PDU (SMPP: ESME_RX_T_APPN) so the carrier
    // retries; say why here, since the adapter only knows that it failed.
    receipt: async (receipt) => {
      try {
        await receipts.add(receipt);
      } catch (error) {
        ctx.log.error({ err: error, carrierId: receipt.carrierId, carrierMessageId: receipt.carrierMessageId }, 'could not store a delivery receipt; the carrier will be asked to resend it');
        throw error;
      }
    },
    unparseableReceipt: async (receipt) => {
      ctx.log.warn({ carrierId: receipt.carrierId, reason: receipt.reason, raw: receipt.raw }, 'unreadable delivery receipt kept for reporting');
      await ctx.db.repos.unparseableReceipts.insert({ ...receipt, id: ctx.ids.next() });
    },
    inbound: async (sms) => {
      try {
        await handleInbound(ctx, sms);
      } catch (error) {
        ctx.log.error({ err: error, carrierId: sms.carrierId, from: sms.from, to: sms.to }, 'could not store an inbound text; the carrier will be asked to resend it');
        throw error;
      }
    },
  };
}
