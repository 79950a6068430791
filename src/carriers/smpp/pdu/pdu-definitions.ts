/**
 * The SMPP 3.4 PDUs an ESME sends or receives (spec chapter 4), as one table: command id and
 * the mandatory body fields in wire order. The encoder, the decoder and the TypeScript types
 * are all derived from this table, so a field cannot be added to one and forgotten in another.
 */
import { COMMAND_STATUS } from './command-status.js';
import type { Tlv } from './tlv.js';

/** Integer 1 octet. */
interface U8Field<K extends string> {
  readonly kind: 'u8';
  readonly key: K;
}

/**
 * C-Octet String. `max` counts the terminating NUL, as the spec's "Var. max N" does, so a
 * source_addr (max 21) holds at most 20 characters. `status` is what a peer is told when this
 * field is too long (e.g. ESME_RINVSRCADR), per the field-specific codes of §5.1.3.
 */
interface CStringField<K extends string> {
  readonly kind: 'cstr';
  readonly key: K;
  readonly max: number;
  readonly status: number;
}

/** sm_length (Integer 1) followed by short_message (0–254 octets). */
interface ShortMessageField<K extends string> {
  readonly kind: 'sm';
  readonly key: K;
}

export type FieldSpec = U8Field<string> | CStringField<string> | ShortMessageField<string>;

const u8 = <K extends string>(key: K): U8Field<K> => ({ kind: 'u8', key });
const cstr = <K extends string>(key: K, max: number, status: number = COMMAND_STATUS.ESME_RINVCMDLEN): CStringField<K> => ({
  kind: 'cstr',
  key,
  max,
  status,
});
const sm = <K extends string>(key: K): ShortMessageField<K> => ({ kind: 'sm', key });

const S = COMMAND_STATUS;

const BIND_FIELDS = [
  cstr('systemId', 16, S.ESME_RINVSYSID),
  cstr('password', 9, S.ESME_RINVPASWD),
  cstr('systemType', 13, S.ESME_RINVSYSTYP),
  u8('interfaceVersion'),
  u8('addrTon'),
  u8('addrNpi'),
  cstr('addressRange', 41),
] as const;

const BIND_RESP_FIELDS = [cstr('systemId', 16, S.ESME_RINVSYSID)] as const;

/** submit_sm and deliver_sm share one layout (§4.4.1, §4.6.1). */
const SM_FIELDS = [
  cstr('serviceType', 6, S.ESME_RINVSERTYP),
  u8('sourceAddrTon'),
  u8('sourceAddrNpi'),
  cstr('sourceAddr', 21, S.ESME_RINVSRCADR),
  u8('destAddrTon'),
  u8('destAddrNpi'),
  cstr('destinationAddr', 21, S.ESME_RINVDSTADR),
  u8('esmClass'),
  u8('protocolId'),
  u8('priorityFlag'),
  cstr('scheduleDeliveryTime', 17, S.ESME_RINVSCHED),
  cstr('validityPeriod', 17, S.ESME_RINVEXPIRY),
  u8('registeredDelivery'),
  u8('replaceIfPresentFlag'),
  u8('dataCoding'),
  u8('smDefaultMsgId'),
  sm('shortMessage'),
] as const;

const MESSAGE_ID_FIELDS = [cstr('messageId', 65, S.ESME_RINVMSGID)] as const;

const NO_FIELDS = [] as const;

/** Ordered by command id, as in §5.1.2.1. Response ids are the request id | 0x80000000. */
export const PDU_DEFINITIONS = {
  generic_nack: { id: 0x80000000, fields: NO_FIELDS },
  bind_receiver: { id: 0x00000001, fields: BIND_FIELDS },
  bind_receiver_resp: { id: 0x80000001, fields: BIND_RESP_FIELDS },
  bind_transmitter: { id: 0x00000002, fields: BIND_FIELDS },
  bind_transmitter_resp: { id: 0x80000002, fields: BIND_RESP_FIELDS },
  query_sm: {
    id: 0x00000003,
    fields: [cstr('messageId', 65, S.ESME_RINVMSGID), u8('sourceAddrTon'), u8('sourceAddrNpi'), cstr('sourceAddr', 21, S.ESME_RINVSRCADR)] as const,
  },
  query_sm_resp: {
    id: 0x80000003,
    fields: [cstr('messageId', 65, S.ESME_RINVMSGID), cstr('finalDate', 17), u8('messageState'), u8('errorCode')] as const,
  },
  submit_sm: { id: 0x00000004, fields: SM_FIELDS },
  submit_sm_resp: { id: 0x80000004, fields: MESSAGE_ID_FIELDS },
  deliver_sm: { id: 0x00000005, fields: SM_FIELDS },
  deliver_sm_resp: { id: 0x80000005, fields: MESSAGE_ID_FIELDS },
  unbind: { id: 0x00000006, fields: NO_FIELDS },
  unbind_resp: { id: 0x80000006, fields: NO_FIELDS },
  cancel_sm: {
    id: 0x00000008,
    fields: [
      cstr('serviceType', 6, S.ESME_RINVSERTYP),
      cstr('messageId', 65, S.ESME_RINVMSGID),
      u8('sourceAddrTon'),
      u8('sourceAddrNpi'),
      cstr('sourceAddr', 21, S.ESME_RINVSRCADR),
      u8('destAddrTon'),
      u8('destAddrNpi'),
      cstr('destinationAddr', 21, S.ESME_RINVDSTADR),
    ] as const,
  },
  cancel_sm_resp: { id: 0x80000008, fields: NO_FIELDS },
  bind_transceiver: { id: 0x00000009, fields: BIND_FIELDS },
  bind_transceiver_resp: { id: 0x80000009, fields: BIND_RESP_FIELDS },
  outbind: { id: 0x0000000b, fields: [cstr('systemId', 16, S.ESME_RINVSYSID), cstr('password', 9, S.ESME_RINVPASWD)] as const },
  enquire_link: { id: 0x00000015, fields: NO_FIELDS },
  enquire_link_resp: { id: 0x80000015, fields: NO_FIELDS },
  alert_notification: {
    id: 0x00000102,
    fields: [
      u8('sourceAddrTon'),
      u8('sourceAddrNpi'),
      cstr('sourceAddr', 65, S.ESME_RINVSRCADR),
      u8('esmeAddrTon'),
      u8('esmeAddrNpi'),
      cstr('esmeAddr', 65, S.ESME_RINVDSTADR),
    ] as const,
  },
  data_sm: {
    id: 0x00000103,
    fields: [
      cstr('serviceType', 6, S.ESME_RINVSERTYP),
      u8('sourceAddrTon'),
      u8('sourceAddrNpi'),
      cstr('sourceAddr', 65, S.ESME_RINVSRCADR),
      u8('destAddrTon'),
      u8('destAddrNpi'),
      cstr('destinationAddr', 65, S.ESME_RINVDSTADR),
      u8('esmClass'),
      u8('registeredDelivery'),
      u8('dataCoding'),
    ] as const,
  },
  data_sm_resp: { id: 0x80000103, fields: MESSAGE_ID_FIELDS },
} as const satisfies Record<string, { id: number; fields: readonly FieldSpec[] }>;

export type CommandName = keyof typeof PDU_DEFINITIONS;

export const COMMAND_IDS = Object.fromEntries(
  (Object.keys(PDU_DEFINITIONS) as CommandName[]).map((name) => [name, PDU_DEFINITIONS[name].id]),
) as { readonly [C in CommandName]: (typeof PDU_DEFINITIONS)[C]['id'] };

const NAME_BY_ID = new Map<number, CommandName>((Object.keys(PDU_DEFINITIONS) as CommandName[]).map((name) => [PDU_DEFINITIONS[name].id, name]));

export function commandNameOf(commandId: number): CommandName | undefined {
  return NAME_BY_ID.get(commandId >>> 0);
}

/** Response ids are the request id with the top bit set (§5.1.2.1). */
export function isResponseId(commandId: number): boolean {
  return (commandId & 0x80000000) !== 0;
}

// ---------------------------------------------------------------------------------------------
// Types derived from the table

type FieldValue<F> = F extends { kind: 'u8' } ? number : F extends { kind: 'cstr' } ? string : F extends { kind: 'sm' } ? Uint8Array : never;

type FieldsOf<Fs extends readonly FieldSpec[]> = { [F in Fs[number] as F['key']]: FieldValue<F> };

/** Header fields every PDU carries; command_length is computed, never stored. */
export interface PduHeader {
  /** 1..0x7FFFFFFF for requests (§5.1.4); responses echo the request's number. */
  sequenceNumber: number;
  /** command_status: ESME_ROK (0) in requests; the result in responses. */
  status: number;
  /**
   * Optional parameters. Every PDU may carry them on decode: SMPP 5.0 SMSCs add TLVs to
   * responses (e.g. submit_sm_resp) even on 3.4 binds, and §3.2.4 says unknown ones are ignored.
   */
  tlvs: Tlv[];
}

type Flatten<T> = { [K in keyof T]: T[K] };

export type PduOf<C extends CommandName> = Flatten<{ command: C } & PduHeader & FieldsOf<(typeof PDU_DEFINITIONS)[C]['fields']>>;

/** Every PDU, discriminated on `command`. */
export type Pdu = { [C in CommandName]: PduOf<C> }[CommandName];

export type GenericNack = PduOf<'generic_nack'>;
export type BindReceiver = PduOf<'bind_receiver'>;
export type BindReceiverResp = PduOf<'bind_receiver_resp'>;
export type BindTransmitter = PduOf<'bind_transmitter'>;
export type BindTransmitterResp = PduOf<'bind_transmitter_resp'>;
export type BindTransceiver = PduOf<'bind_transceiver'>;
export type BindTransceiverResp = PduOf<'bind_transceiver_resp'>;
export type QuerySm = PduOf<'query_sm'>;
export type QuerySmResp = PduOf<'query_sm_resp'>;
export type SubmitSm = PduOf<'submit_sm'>;
export type SubmitSmResp = PduOf<'submit_sm_resp'>;
export type DeliverSm = PduOf<'deliver_sm'>;
export type DeliverSmResp = PduOf<'deliver_sm_resp'>;
export type Unbind = PduOf<'unbind'>;
export type UnbindResp = PduOf<'unbind_resp'>;
export type CancelSm = PduOf<'cancel_sm'>;
export type CancelSmResp = PduOf<'cancel_sm_resp'>;
export type Outbind = PduOf<'outbind'>;
export type EnquireLink = PduOf<'enquire_link'>;
export type EnquireLinkResp = PduOf<'enquire_link_resp'>;
export type AlertNotification = PduOf<'alert_notification'>;
export type DataSm = PduOf<'data_sm'>;
export type DataSmResp = PduOf<'data_sm_resp'>;
