import type { AppContext } from '../context.js';
import type { CarrierEventSink } from '../carriers/carrier.js';
import { handleInbound } from './handle-inbound.js';
import { recordReceipt } from './record-receipt.js';

/** Where every carrier adapter hands its receipts and inbound texts. */
export function createCarrierSink(ctx: AppContext): CarrierEventSink {
  return {
    receipt: async (receipt) => {
      await recordReceipt(ctx, receipt);
    },
    inbound: async (sms) => {
      await handleInbound(ctx, sms);
    },
  };
}
