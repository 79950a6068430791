import type { SubmitSm } from './pdu-definitions.js';

/**
 * A submit_sm with the spec's neutral defaults (no scheduling, no validity override, default
 * protocol/priority, final delivery receipt requested); callers give the addresses and the
 * text and override only what they mean to.
 */
export function submitSm(
  fields: Pick<SubmitSm, 'sourceAddr' | 'destinationAddr' | 'shortMessage'> & Partial<SubmitSm>,
): SubmitSm {
  return {
    command: 'submit_sm',
    sequenceNumber: 0,
    status: 0,
    tlvs: [],
    serviceType: '',
    sourceAddrTon: 1,
    sourceAddrNpi: 1,
    destAddrTon: 1,
    destAddrNpi: 1,
    esmClass: 0,
    protocolId: 0,
    priorityFlag: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    registeredDelivery: 1,
    replaceIfPresentFlag: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    ...fields,
  };
}
