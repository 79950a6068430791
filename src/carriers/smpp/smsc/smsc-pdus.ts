import { COMMAND_STATUS, type CommandName, type DeliverSm, type Pdu, type Tlv } from '../pdu/index.js';

/**
 * PDU builders for the SMSC side. The codec's types require every mandatory field, so the
 * defaults an SMSC fills in live here, once, instead of at each call site.
 */

export function genericNack(sequenceNumber: number, status: number): Pdu {
  return { command: 'generic_nack', sequenceNumber, status, tlvs: [] };
}

/**
 * The response a request gets when it is refused before being processed (wrong bind state, bad
 * field). Per SMPP 3.4 §5.1.3 a malformed but recognisable request is answered with its own
 * *_resp carrying the error; only requests we cannot name get generic_nack. Returns undefined
 * for responses (never answer a response) and for commands an SMSC does not answer.
 */
export function errorResponseFor(command: CommandName | undefined, sequenceNumber: number, status: number): Pdu | undefined {
  const header = { sequenceNumber, status, tlvs: [] as Tlv[] };
  switch (command) {
    case 'bind_receiver':
      return { command: 'bind_receiver_resp', ...header, systemId: '' };
    case 'bind_transmitter':
      return { command: 'bind_transmitter_resp', ...header, systemId: '' };
    case 'bind_transceiver':
      return { command: 'bind_transceiver_resp', ...header, systemId: '' };
    case 'submit_sm':
      return { command: 'submit_sm_resp', ...header, messageId: '' };
    case 'data_sm':
      return { command: 'data_sm_resp', ...header, messageId: '' };
    case 'query_sm':
      return { command: 'query_sm_resp', ...header, messageId: '', finalDate: '', messageState: 0, errorCode: 0 };
    case 'cancel_sm':
      return { command: 'cancel_sm_resp', ...header };
    case 'enquire_link':
      return { command: 'enquire_link_resp', ...header };
    case 'unbind':
      return { command: 'unbind_resp', ...header };
    case undefined:
      return genericNack(sequenceNumber, status);
    default:
      // deliver_sm, outbind, alert_notification travel SMSC → ESME; from an ESME they are not
      // commands this side accepts. Responses are never answered.
      return command.endsWith('_resp') || command === 'generic_nack'
        ? undefined
        : genericNack(sequenceNumber, COMMAND_STATUS.ESME_RINVCMDID);
  }
}

export interface SmscAddress {
  addr: string;
  ton: number;
  npi: number;
}

/**
 * How the SMSC writes a handset or business number: E.164 with '+' as international/ISDN
 * (1/1, digits only, as SMPP carries no '+'), other digits as unknown/ISDN (0/1) so short
 * codes pass through unchanged, anything else as alphanumeric (5/0).
 */
export function smscAddress(value: string): SmscAddress {
  const trimmed = value.trim();
  if (/^\+\d{1,20}$/.test(trimmed)) return { addr: trimmed.slice(1), ton: 1, npi: 1 };
  if (/^\d{1,20}$/.test(trimmed)) return { addr: trimmed, ton: 0, npi: 1 };
  return { addr: trimmed.slice(0, 20), ton: 5, npi: 0 };
}

export interface DeliverSmFields {
  source: SmscAddress;
  destination: SmscAddress;
  esmClass: number;
  dataCoding: number;
  shortMessage: Uint8Array;
  tlvs?: Tlv[];
}

export function deliverSm(sequenceNumber: number, fields: DeliverSmFields): DeliverSm {
  return {
    command: 'deliver_sm',
    sequenceNumber,
    status: 0,
    tlvs: fields.tlvs ?? [],
    serviceType: '',
    sourceAddrTon: fields.source.ton,
    sourceAddrNpi: fields.source.npi,
    sourceAddr: fields.source.addr,
    destAddrTon: fields.destination.ton,
    destAddrNpi: fields.destination.npi,
    destinationAddr: fields.destination.addr,
    esmClass: fields.esmClass,
    protocolId: 0,
    priorityFlag: 0,
    // §4.6.1: schedule and validity are unused in deliver_sm and must be NULL.
    scheduleDeliveryTime: '',
    validityPeriod: '',
    registeredDelivery: 0,
    replaceIfPresentFlag: 0,
    dataCoding: fields.dataCoding,
    smDefaultMsgId: 0,
    shortMessage: fields.shortMessage,
  };
}
