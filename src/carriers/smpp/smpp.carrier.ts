/**
 * The SMPP 3.4 Carrier adapter: turns Parley's submit requests into submit_sm PDUs over one or
 * more supervised binds, and turns the SMSC's deliver_sm / data_sm into receipts and inbound
 * texts for the app's sink. It knows SMPP and the encoding module, never the database.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConcatReferenceAllocator } from '../../domain/concat-reference.js';
import type { GsmCharset } from '../../domain/gsm-alphabet.js';
import { gsmCharsetFor } from '../../domain/gsm-national-tables.js';
import { analyzeBody, type BodyAnalysis } from '../../domain/sms-encoding.js';
import {
  type WireCharset,
  WireEncodingError,
  decodeShortMessage,
  encodeForCarrier,
  encodePartsForCarrier,
  fillBitsForUdh,
} from '../../domain/sms-wire-codec.js';
import { buildUdh, type UdhElement } from '../../domain/udh.js';
import {
  CarrierError,
  type Carrier,
  type CarrierContext,
  type CarrierStatus,
  type InboundSms,
  type SubmitRequest,
  type SubmitResult,
} from '../carrier.js';
import {
  NPI,
  TON,
  type AddressingOptions,
  destinationAddress,
  readInboundAddress,
  sourceAddress,
  type SmppAddress,
} from './addressing.js';
import { parseDeliveryReceipt, toDeliveryReceipt } from './delivery-receipt.js';
import {
  COMMAND_STATUS,
  type DataSm,
  type DeliverSm,
  type KnownTlv,
  type SubmitSm,
  classifyCommandStatus,
  commandStatusName,
  findTlv,
  submitSm,
  tlv,
} from './pdu/index.js';
import { SmppBindSupervisor, SmppSessionError, type SmppBindMode } from './session/index.js';

export const SmppSettingsSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    // Lengths are the bind PDU's C-octet string limits less the NUL (SMPP 3.4 §4.1.1).
    systemId: Type.String({ minLength: 1, maxLength: 15 }),
    password: Type.String({ maxLength: 8 }),
    systemType: Type.Optional(Type.String({ maxLength: 12 })),
    bindMode: Type.Optional(
      Type.Union([Type.Literal('transceiver'), Type.Literal('transmitter-receiver')], {
        description:
          'one transceiver bind, or a bind_transmitter for submits plus a bind_receiver for receipts and replies (per `binds`)',
      }),
    ),
    tls: Type.Optional(Type.Boolean()),
    tlsCa: Type.Optional(
      Type.String({ minLength: 1, maxLength: 65_536, description: 'PEM certificate(s) to trust for TLS, for a private CA' }),
    ),
    tlsServername: Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, description: 'name to verify the TLS certificate against, if not host' }),
    ),
    windowSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    tps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000, description: 'submits per second, per bind' })),
    enquireLinkSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    longMessages: Type.Optional(Type.Union([Type.Literal('udh'), Type.Literal('sar'), Type.Literal('payload')])),
    gsmCharset: Type.Optional(
      Type.Union([Type.Literal('gsm7'), Type.Literal('gsm7-packed'), Type.Literal('latin1'), Type.Literal('ascii')]),
    ),
    shortCodeTon: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 6, description: 'TON for short-code senders (no standard); default 3, network specific' }),
    ),
    shortCodeNpi: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 18, description: 'NPI for short-code senders; default 0, unknown' }),
    ),
    smscDefaultAlphabet: Type.Optional(
      Type.Union([Type.Literal('gsm7'), Type.Literal('latin1'), Type.Literal('ascii')], {
        description: 'how to read inbound data_coding 0 ("SMSC default alphabet"); default gsm7',
      }),
    ),
    nationalLanguages: Type.Optional(
      Type.Array(Type.Union([Type.Literal('turkish'), Type.Literal('spanish'), Type.Literal('portuguese')]), {
        uniqueItems: true,
        description: 'GSM national shift tables this carrier may use (3GPP TS 23.038), opt-in',
      }),
    ),
    binds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 32,
        description: 'parallel binds for throughput (transmitter-receiver: this many pairs); tps applies to each',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SmppSettings = Static<typeof SmppSettingsSchema>;

export function validateSmppSettings(settings: Record<string, unknown>): string | null {
  const error = Value.Errors(SmppSettingsSchema, settings).First();
  if (!error) return null;
  const path = error.path.replace(/^\//, '').replaceAll('/', '.');
  // Never echo the value: for `password` that would leak the secret into an error response.
  return `${path || 'settings'}: ${error.message}`;
}

/** Knobs that are not carrier settings: timeouts and backoff, injectable for tests. */
export interface SmppCarrierTuning {
  responseTimeoutMs?: number;
  closeTimeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  authRetryMs?: number;
}

const ESM_CLASS_UDHI = 0x40;
/** The session's default window (SmppSessionOptions.windowSize). */
const DEFAULT_WINDOW = 10;
/** SMSC delivery receipt requested on final outcome (success or failure), §5.2.17. */
const REGISTERED_DELIVERY_FINAL = 0x01;
/** UCS-2 single part is 70 units, multipart 67 with an 8-bit concatenation IE. */
const UCS2_SINGLE_UNITS = 70;
const UCS2_MULTI_UNITS = 67;

export interface UnparseableReceipt {
  reason: string;
  raw: string;
  at: Date;
}

/** One supervised bind and what it may do. */
interface CarrierBind {
  supervisor: SmppBindSupervisor;
  label: string;
  transmits: boolean;
  receives: boolean;
}

interface WireMessage {
  /** One submit_sm per entry, in part order. */
  pdus: SubmitSm[];
}

export class SmppCarrier implements Carrier {
  readonly type = 'smpp';
  private readonly settings: SmppSettings;
  private readonly binds: CarrierBind[] = [];
  private readonly addressing: AddressingOptions;
  private readonly references: ConcatReferenceAllocator;
  private started = false;
  private stopped = false;
  private nextBind = 0;

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
    private readonly context: CarrierContext,
    private readonly tuning: SmppCarrierTuning = {},
  ) {
    this.settings = structuredClone(settings) as SmppSettings;
    const { shortCodeTon, shortCodeNpi } = this.settings;
    this.addressing =
      shortCodeTon === undefined && shortCodeNpi === undefined
        ? {}
        : { shortCode: { ton: shortCodeTon ?? TON.networkSpecific, npi: shortCodeNpi ?? NPI.unknown } };
    // Seeded from the clock so a restart does not reuse references of parts still being
    // reassembled on handsets.
    this.references = new ConcatReferenceAllocator({ seed: context.clock.now().getTime() % 0x10000 });
  }

  status(): CarrierStatus {
    if (!this.started || this.stopped) return 'down';
    // Bound means both directions work: a bound transmitter whose receiver is down would
    // send texts whose receipts and replies pile up at the SMSC unseen.
    const transmit = this.binds.filter((bind) => bind.transmits).map((bind) => bind.supervisor.status);
    const receive = this.binds.filter((bind) => bind.receives).map((bind) => bind.supervisor.status);
    if (transmit.includes('bound') && receive.includes('bound')) return 'bound';
    // auth_failed outranks connecting because a retry after wrong credentials briefly shows
    // `connecting` and would hide the real problem.
    const states = [...transmit, ...receive];
    if (states.includes('auth_failed')) return 'auth_failed';
    if (states.includes('connecting') || states.includes('bound')) return 'connecting';
    return 'down';
  }

  /** Each bind's own state (`bind 1`, `transmitter 2`, …): the carrier status summarises them. */
  bindStatuses(): { label: string; status: string }[] {
    return this.binds.map((bind) => ({ label: bind.label, status: bind.supervisor.status }));
  }

  /** Why the carrier is not bound, for the API and logs; null when there is nothing to say. */
  lastError(): string | null {
    for (const bind of this.binds) {
      const error = bind.supervisor.lastError;
      if (error) return this.binds.length > 1 ? `${bind.label}: ${error.message}` : error.message;
    }
    return null;
  }

  async start(): Promise<void> {
    if (this.started && !this.stopped) return;
    this.started = true;
    this.stopped = false;
    this.binds.length = 0;
    const pairs = this.settings.bindMode === 'transmitter-receiver';
    for (let i = 0; i < (this.settings.binds ?? 1); i++) {
      if (pairs) {
        this.binds.push(this.supervise('transmitter', `transmitter ${i + 1}`));
        this.binds.push(this.supervise('receiver', `receiver ${i + 1}`));
      } else {
        this.binds.push(this.supervise('transceiver', `bind ${i + 1}`));
      }
    }
    // Connects in the background: an SMSC that is down means `connecting`/`down`, not a throw.
    for (const bind of this.binds) bind.supervisor.start();
  }

  private supervise(mode: SmppBindMode, label: string): CarrierBind {
    const s = this.settings;
    const tlsOptions = {
      ...(s.tlsCa === undefined ? {} : { ca: s.tlsCa }),
      ...(s.tlsServername === undefined ? {} : { servername: s.tlsServername }),
    };
    const supervisor = new SmppBindSupervisor({
      session: {
        host: s.host,
        port: s.port,
        systemId: s.systemId,
        password: s.password,
        ...(s.systemType === undefined ? {} : { systemType: s.systemType }),
        bindMode: mode,
        ...(s.tls === undefined ? {} : { tls: s.tls, tlsOptions }),
        ...(s.windowSize === undefined ? {} : { windowSize: s.windowSize }),
        ...(s.tps === undefined ? {} : { tps: s.tps }),
        ...(s.enquireLinkSeconds === undefined ? {} : { enquireLinkSeconds: s.enquireLinkSeconds }),
        ...(this.tuning.responseTimeoutMs === undefined ? {} : { responseTimeoutMs: this.tuning.responseTimeoutMs }),
        ...(this.tuning.closeTimeoutMs === undefined ? {} : { closeTimeoutMs: this.tuning.closeTimeoutMs }),
        clock: this.context.clock,
      },
      // A transmitter may still be sent deliver_sm by a lax SMSC; handle it rather than refuse.
      handlers: { onDeliver: (pdu) => this.onDeliver(pdu) },
      ...(this.tuning.backoffInitialMs === undefined ? {} : { backoffInitialMs: this.tuning.backoffInitialMs }),
      ...(this.tuning.backoffMaxMs === undefined ? {} : { backoffMaxMs: this.tuning.backoffMaxMs }),
      ...(this.tuning.authRetryMs === undefined ? {} : { authRetryMs: this.tuning.authRetryMs }),
    });
    return { supervisor, label, transmits: mode !== 'receiver', receives: mode !== 'transmitter' };
  }

  /**
   * Parts go out one after another on one bind, so the SMSC sees them in order. Once a part
   * was accepted, any later failure is final (non-retryable, same code): retrying would send
   * the accepted parts again and the handset would show them twice. The accepted ids are in
   * the error message so an operator can still trace them.
   */
  async submit(request: SubmitRequest): Promise<SubmitResult> {
    if (!this.started || this.stopped) throw new CarrierError('carrier_unavailable', 'smpp carrier is not started', true);
    const source = sourceAddress(request.from, this.addressing);
    const destination = destinationAddress(request.to, this.addressing);
    const message = this.buildMessage(request, source, destination);

    const supervisor = this.pickBind();
    if (!supervisor) throw new CarrierError('carrier_unavailable', `smpp carrier ${this.id} has no bound session`, true);

    const ids: string[] = [];
    let throttled = 0;
    const onThrottled = (): void => void (throttled += 1);
    for (const [index, pdu] of message.pdus.entries()) {
      let failure: CarrierError | undefined;
      try {
        const response = await supervisor.request(pdu, { onThrottled });
        if (response.status === COMMAND_STATUS.ESME_ROK) {
          ids.push(response.messageId);
          continue;
        }
        failure = statusError(response.status);
      } catch (error) {
        failure = sessionFailure(error);
      }
      if (ids.length === 0) throw failure;
      throw new CarrierError(
        failure.code,
        `part ${index + 1} of ${message.pdus.length} failed (${failure.message}) after parts 1–${ids.length} were accepted with ids ${ids.join(', ')}`,
        false,
      );
    }
    return throttled > 0 ? { carrierMessageIds: ids, throttled } : { carrierMessageIds: ids };
  }

  /** Submits that can be on the wire at once: the window of every bind that may submit. */
  submitCapacity(): number {
    return this.binds.filter((bind) => bind.transmits).length * (this.settings.windowSize ?? DEFAULT_WINDOW);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.binds.map((bind) => bind.supervisor.stop()));
  }

  // -------------------------------------------------------------------------------------------
  // Outbound

  /** Round-robin over the bound binds that may submit, so each bind's TPS adds up. */
  private pickBind(): SmppBindSupervisor | undefined {
    const count = this.binds.length;
    for (let i = 0; i < count; i++) {
      const bind = this.binds[(this.nextBind + i) % count];
      if (bind?.transmits && bind.supervisor.status === 'bound') {
        this.nextBind = (this.nextBind + i + 1) % count;
        return bind.supervisor;
      }
    }
    return undefined;
  }

  private buildMessage(request: SubmitRequest, source: SmppAddress, destination: SmppAddress): WireMessage {
    const nationalLanguages = this.settings.nationalLanguages ?? [];
    let analysis = analyzeBody(request.body, { nationalLanguages });
    let charset: WireCharset = analysis.encoding === 'UCS-2' ? 'ucs2' : (this.settings.gsmCharset ?? 'gsm7');
    // National shift tables exist only for GSM-7 septets: a Latin-1 / IA5 carrier gets the
    // body re-analysed without them (UCS-2 then, as the body is not plain GSM 03.38).
    if (analysis.charset && charset !== 'gsm7' && charset !== 'gsm7-packed') {
      analysis = analyzeBody(request.body);
      charset = 'ucs2';
    }
    const base = (): SubmitSm =>
      submitSm({
        sourceAddrTon: source.ton,
        sourceAddrNpi: source.npi,
        sourceAddr: source.address,
        destAddrTon: destination.ton,
        destAddrNpi: destination.npi,
        destinationAddr: destination.address,
        registeredDelivery: REGISTERED_DELIVERY_FINAL,
        shortMessage: new Uint8Array(0),
      });
    try {
      return this.encode(request, analysis, charset, base);
    } catch (error) {
      // Latin-1 / IA5 lack some GSM characters (e.g. Greek capitals, '€' in IA5): such a body
      // goes as UCS-2 rather than failing.
      if (error instanceof WireEncodingError && error.reason === 'unrepresentable' && charset !== 'ucs2') {
        try {
          return this.encode(request, ucs2Analysis(request.body), 'ucs2', base);
        } catch (retry) {
          throw encodingFailure(retry);
        }
      }
      throw encodingFailure(error);
    }
  }

  private encode(request: SubmitRequest, analysis: BodyAnalysis, charset: WireCharset, base: () => SubmitSm): WireMessage {
    const gsmCharset: GsmCharset | undefined = analysis.charset
      ? gsmCharsetFor(analysis.charset.lockingId, analysis.charset.singleShiftId)
      : undefined;
    const gsmOption = gsmCharset ? { gsmCharset } : {};
    const mode = this.settings.longMessages ?? 'udh';

    if (mode === 'payload') {
      // One submit_sm for the whole body; national IEs still need a UDH, which may lead
      // message_payload just as it may lead short_message (UDHI says so).
      const national: UdhElement[] = [];
      if (analysis.charset && analysis.charset.lockingId !== 0) {
        national.push({ type: 'national-locking-shift', languageId: analysis.charset.lockingId });
      }
      if (analysis.charset && analysis.charset.singleShiftId !== 0) {
        national.push({ type: 'national-single-shift', languageId: analysis.charset.singleShiftId });
      }
      const udh = national.length > 0 ? buildUdh(national) : null;
      const encoded = encodeForCarrier(request.body, charset, {
        ...gsmOption,
        fillBits: udh ? fillBitsForUdh(udh.length) : 0,
      });
      const payload = new Uint8Array((udh?.length ?? 0) + encoded.bytes.length);
      if (udh) payload.set(udh);
      payload.set(encoded.bytes, udh?.length ?? 0);
      return {
        pdus: [
          {
            ...base(),
            esmClass: udh ? ESM_CLASS_UDHI : 0,
            dataCoding: encoded.dataCoding,
            tlvs: [tlv('message_payload', payload)],
          },
        ],
      };
    }

    const multipart = analysis.parts.length > 1;
    if (mode === 'sar') {
      // Each part alone (no concatenation IE); the SAR TLVs carry what the IE would have.
      const reference = multipart ? this.references.next(request.from, request.to, 16) : 0;
      return {
        pdus: analysis.parts.map((text, index) => {
          const [part] = encodePartsForCarrier([text], { charset, reference: 0, ...gsmOption });
          if (!part) throw new WireEncodingError('invalid-option', 'no part encoded');
          const tlvs: KnownTlv[] = multipart
            ? [
                tlv('sar_msg_ref_num', reference),
                tlv('sar_total_segments', analysis.parts.length),
                tlv('sar_segment_seqnum', index + 1),
              ]
            : [];
          return {
            ...base(),
            esmClass: part.udh ? ESM_CLASS_UDHI : 0,
            dataCoding: part.dataCoding,
            shortMessage: part.shortMessage,
            tlvs,
          };
        }),
      };
    }

    const reference = multipart ? this.references.next(request.from, request.to, 8) : 0;
    const parts = encodePartsForCarrier(analysis.parts, { charset, reference, ...gsmOption });
    return {
      pdus: parts.map((part) => ({
        ...base(),
        esmClass: part.udh ? ESM_CLASS_UDHI : 0,
        dataCoding: part.dataCoding,
        shortMessage: part.shortMessage,
      })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Inbound

  /**
   * Resolves ESME_ROK only after the sink has taken the receipt or text: a throw makes the
   * session answer ESME_RX_T_APPN so the SMSC redelivers instead of the message being lost.
   */
  private async onDeliver(pdu: DeliverSm | DataSm): Promise<number> {
    const payload = findTlv(pdu.tlvs, 'message_payload');
    const bytes = pdu.command === 'deliver_sm' && pdu.shortMessage.length > 0 ? pdu.shortMessage : (payload ?? new Uint8Array(0));
    const decoded = decodeShortMessage(bytes, pdu.dataCoding, {
      udhi: (pdu.esmClass & ESM_CLASS_UDHI) !== 0,
      gsm7Packing: this.settings.gsmCharset === 'gsm7-packed' ? 'packed' : 'unpacked',
      // data_coding 0 means whatever the SMSC's default is (§5.2.19); most use GSM 03.38, some Latin-1.
      smscDefaultAlphabet: this.settings.smscDefaultAlphabet ?? 'gsm7',
      resolveGsmCharset: (languages) => gsmCharsetFor(languages.locking ?? 0, languages.singleShift ?? 0),
    });
    const receiptedMessageId = findTlv(pdu.tlvs, 'receipted_message_id');
    const messageState = findTlv(pdu.tlvs, 'message_state');
    const networkError = findTlv(pdu.tlvs, 'network_error_code');
    const parsed = parseDeliveryReceipt({
      esmClass: pdu.esmClass,
      text: decoded.text,
      tlvs: {
        ...(receiptedMessageId === undefined ? {} : { receiptedMessageId }),
        ...(messageState === undefined ? {} : { messageState }),
        ...(networkError === undefined
          ? {}
          : {
              networkErrorCode: Uint8Array.of(
                networkError.networkType & 0xff,
                (networkError.errorCode >> 8) & 0xff,
                networkError.errorCode & 0xff,
              ),
            }),
      },
    });
    const at = this.context.clock.now();

    if (parsed.kind === 'receipt') {
      // Non-final states (ENROUTE, ACCEPTD…) change nothing, but are still acknowledged.
      const receipt = toDeliveryReceipt(parsed, this.id, at);
      if (receipt) await this.context.sink.receipt(receipt);
      return COMMAND_STATUS.ESME_ROK;
    }
    if (parsed.kind === 'unparseable_receipt') {
      // Redelivery would not make it readable; store it for reporting, then acknowledge.
      await this.context.sink.unparseableReceipt?.({ carrierId: this.id, reason: parsed.reason, raw: parsed.raw, at });
      return COMMAND_STATUS.ESME_ROK;
    }

    const sms: InboundSms = {
      carrierId: this.id,
      from: readInboundAddress({ ton: pdu.sourceAddrTon, npi: pdu.sourceAddrNpi, address: pdu.sourceAddr }),
      to: readInboundAddress({ ton: pdu.destAddrTon, npi: pdu.destAddrNpi, address: pdu.destinationAddr }),
      body: decoded.text,
      carrierMessageId: receiptedMessageId ?? null,
      at,
    };
    const concat = decoded.concatenation ?? sarConcatenation(pdu);
    if (concat) sms.concat = { reference: concat.reference, total: concat.total, sequence: concat.sequence };
    await this.context.sink.inbound(sms);
    return COMMAND_STATUS.ESME_ROK;
  }
}

function sarConcatenation(pdu: DeliverSm | DataSm): { reference: number; total: number; sequence: number } | null {
  const reference = findTlv(pdu.tlvs, 'sar_msg_ref_num');
  const total = findTlv(pdu.tlvs, 'sar_total_segments');
  const sequence = findTlv(pdu.tlvs, 'sar_segment_seqnum');
  if (reference === undefined || total === undefined || sequence === undefined) return null;
  return { reference, total, sequence };
}

/** UCS-2 parts without analyzeBody's GSM-7 choice; pairs are never split across parts. */
function ucs2Analysis(body: string): BodyAnalysis {
  const parts: string[] = [];
  if (body.length <= UCS2_SINGLE_UNITS) parts.push(body);
  else {
    let start = 0;
    while (start < body.length) {
      let end = Math.min(body.length, start + UCS2_MULTI_UNITS);
      const last = body.charCodeAt(end - 1);
      if (end < body.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
      parts.push(body.slice(start, end));
      start = end;
    }
  }
  return {
    encoding: 'UCS-2',
    segments: parts.length,
    characters: [...body].length,
    parts,
    unicodeCharacters: [],
  };
}

function statusError(status: number): CarrierError {
  const name = commandStatusName(status);
  const code = `smpp_${name.toLowerCase()}`;
  const retryable = classifyCommandStatus(status) !== 'permanent';
  return new CarrierError(code, `SMSC refused submit_sm with ${name} (0x${(status >>> 0).toString(16).padStart(8, '0')})`, retryable);
}

function sessionFailure(error: unknown): CarrierError {
  if (error instanceof CarrierError) return error;
  if (error instanceof SmppSessionError) {
    switch (error.outcome) {
      case 'not_sent':
        return new CarrierError('carrier_unavailable', `submit_sm not sent: ${error.message}`, true);
      case 'unknown':
        // The SMSC may have the message: never retry, a duplicate is worse than a failure.
        return new CarrierError('submit_outcome_unknown', `submit_sm outcome unknown: ${error.message}`, false);
      case 'rejected':
        return new CarrierError(
          error.statusName ? `smpp_${error.statusName.toLowerCase()}` : 'smpp_generic_nack',
          `SMSC answered submit_sm with generic_nack: ${error.message}`,
          false,
        );
    }
  }
  // The codec refused the PDU before anything was written: the message itself is at fault.
  return new CarrierError('invalid_message', `submit_sm could not be encoded: ${String(error)}`, false);
}

function encodingFailure(error: unknown): CarrierError {
  if (error instanceof CarrierError) return error;
  if (error instanceof WireEncodingError) {
    const code = error.reason === 'too-long' || error.reason === 'too-many-parts' ? 'message_too_long' : 'invalid_message';
    return new CarrierError(code, error.message, false);
  }
  throw error;
}
