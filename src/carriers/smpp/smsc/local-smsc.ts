import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Clock } from '../../../domain/ports.js';
import { decodeShortMessage } from '../../../domain/sms-wire-codec.js';
import type { ConcatenationInfo, UdhElement } from '../../../domain/udh.js';
import {
  COMMAND_STATUS,
  PduReader,
  encodePdu,
  findTlv,
  tlv,
  type CancelSm,
  type DataSm,
  type Pdu,
  type PduDecodeError,
  type QuerySm,
  type SubmitSm,
  type Tlv,
} from '../pdu/index.js';
import { encodeHandsetMessage } from './handset-message.js';
import { MESSAGE_STATE_OF, encodeReceiptText, formatReceiptText, smppAbsoluteTime, type ReceiptStat } from './receipt-text.js';
import { deliverSm, errorResponseFor, genericNack, smscAddress } from './smsc-pdus.js';

/**
 * A local SMSC for trying Parley's SMPP path without an operator account, and for testing the
 * ESME session against real TCP with faults on demand (issue 4, point 8). It speaks SMPP 3.4
 * on our own codec; it is a test and demo tool, so it keeps everything in memory.
 */

export interface SmscAccount {
  systemId: string;
  password: string;
}

export type BindMode = 'transmitter' | 'receiver' | 'transceiver';

export interface LocalSmscOptions {
  /** Default: one account, parley / secret. */
  accounts?: readonly SmscAccount[];
  /** Default 127.0.0.1: a test SMSC should not be reachable from the network unless asked. */
  host?: string;
  /** Default 2775 (the IANA SMPP port); 0 picks a free one. */
  port?: number;
  /** Format of assigned message ids. Default 'hex' (lower-case), as many SMSCs do. */
  messageIdFormat?: 'hex' | 'decimal';
  /** First message id number; default 0x10000000 so hex and decimal ids look different. */
  firstMessageId?: number;
  /** Delay between a submit and its delivery receipt. Default 100 ms. */
  receiptDelayMs?: number;
  /** Delay before a receipt the ESME refused (non-zero deliver_sm_resp) is sent again. Default 1 000 ms. */
  receiptRetryMs?: number;
  /** Outcome every receipt reports. Default DELIVRD. */
  receiptStat?: ReceiptStat;
  /** system_id the SMSC names itself with in bind responses. */
  smscSystemId?: string;
  /** How data_coding 0 is laid out in submits; Parley's default charset is unpacked. */
  gsm7Packing?: 'packed' | 'unpacked';
  /** Serve SMPP over TLS with this key and certificate (PEM) instead of plain TCP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  clock?: Clock;
}

/** One rule consumed by submits (submit_sm and data_sm), first rule first. */
export type SubmitFault =
  /** Answer ESME_RTHROTTLED (0x58). */
  | { kind: 'throttle'; count?: number }
  /** Answer ESME_RMSGQFUL (0x14). */
  | { kind: 'queue_full'; count?: number }
  /** Answer with this command_status. */
  | { kind: 'reject'; status: number; count?: number }
  /** Accept, but send the response after `ms`. */
  | { kind: 'delay'; ms: number; count?: number }
  /** Accept (and later send the receipt) but never send the response: the "unknown outcome". */
  | { kind: 'drop_response'; count?: number }
  /** Close the TCP connection instead of answering; the message is not accepted. */
  | { kind: 'drop_connection'; count?: number }
  /** Write these bytes instead of a response (default: a header with an impossible length). */
  | { kind: 'garbage'; bytes?: Uint8Array; count?: number };

export interface SmscSessionInfo {
  id: number;
  remote: string;
  systemId: string;
  mode: BindMode;
}

export interface ReceivedMessage {
  /** Assigned id; '' when the submit was refused. */
  messageId: string;
  command: 'submit_sm' | 'data_sm';
  sessionId: number;
  systemId: string;
  /** command_status answered (or that would have been, for drop_response). */
  status: number;
  /** The fault rule applied to this submit, if any. */
  fault: SubmitFault['kind'] | null;
  sourceAddr: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  destinationAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  shortMessage: Uint8Array;
  messagePayload: Uint8Array | undefined;
  udh: UdhElement[] | null;
  concatenation: ConcatenationInfo | null;
  sar: { reference: number; total: number; sequence: number } | null;
  /** Decoded from message_payload when present, else from short_message (UDH removed). */
  text: string;
  tlvs: Tlv[];
  receivedAt: Date;
}

export interface SentReceipt {
  messageId: string;
  systemId: string;
  sessionId: number;
  text: string;
  /** deliver_sm_resp command_status; undefined until it arrives. */
  responseStatus: number | undefined;
}

export interface MoResult {
  sessionId: number;
  parts: number;
  /** deliver_sm_resp command_status of each part, in order. */
  statuses: number[];
}

export interface LocalSmscEvents {
  listening: [port: number];
  bind: [session: SmscSessionInfo];
  bind_failed: [info: { remote: string; systemId: string; status: number }];
  unbind: [session: SmscSessionInfo];
  /** Every submit, accepted or not. */
  submit: [message: ReceivedMessage];
  receipt: [receipt: SentReceipt];
  mo: [info: { from: string; to: string; text: string; result: MoResult }];
  invalid: [info: { sessionId: number; error: string }];
  disconnect: [info: { sessionId: number; systemId: string | null }];
}

interface StoredMessage {
  message: ReceivedMessage;
  state: 'enroute' | 'delivered' | 'undeliverable' | 'deleted';
  finalDate: Date | null;
  receiptTimer: NodeJS.Timeout | null;
}

type Outstanding = { resolve: (status: number) => void; reject: (error: Error) => void };


class SmscSession {
  readonly reader = new PduReader();
  mode: BindMode | null = null;
  systemId: string | null = null;
  private nextSequence = 1;
  private readonly outstanding = new Map<number, Outstanding>();
  closed = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {}

  get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  get canReceive(): boolean {
    return this.mode === 'receiver' || this.mode === 'transceiver';
  }

  get canTransmit(): boolean {
    return this.mode === 'transmitter' || this.mode === 'transceiver';
  }

  info(): SmscSessionInfo {
    return { id: this.id, remote: this.remote, systemId: this.systemId ?? '', mode: this.mode ?? 'transceiver' };
  }

  send(pdu: Pdu): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(encodePdu(pdu));
  }

  sequence(): number {
    const value = this.nextSequence;
    // Sequence numbers are 1..0x7FFFFFFF (§5.1.4); wrap rather than overflow.
    this.nextSequence = value >= 0x7fffffff ? 1 : value + 1;
    return value;
  }

  /** Sends a request and resolves with its response's command_status. */
  request(pdu: Pdu): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.outstanding.set(pdu.sequenceNumber, { resolve, reject });
      this.send(pdu);
    });
  }

  settle(sequenceNumber: number, status: number): boolean {
    const waiter = this.outstanding.get(sequenceNumber);
    if (!waiter) return false;
    this.outstanding.delete(sequenceNumber);
    waiter.resolve(status);
    return true;
  }

  failOutstanding(): void {
    for (const waiter of this.outstanding.values()) waiter.reject(new Error(`session ${this.id} closed before its response`));
    this.outstanding.clear();
  }
}

const systemClock: Clock = { now: () => new Date() };

/** A length no reader can accept: its framing check must fail and close the connection. */
const DEFAULT_GARBAGE = Uint8Array.from([0x00, 0x00, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef]);

export class LocalSmsc extends EventEmitter<LocalSmscEvents> {
  /** Every submit_sm / data_sm, accepted or refused, in arrival order. */
  readonly attempts: ReceivedMessage[] = [];
  /** Submits that were accepted (got a message id). */
  readonly received: ReceivedMessage[] = [];
  readonly receipts: SentReceipt[] = [];

  private readonly accounts: readonly SmscAccount[];
  private readonly options: Required<Omit<LocalSmscOptions, 'accounts' | 'clock' | 'tls'>>;
  private readonly clock: Clock;
  private readonly server: Server;
  private readonly sessions = new Map<number, SmscSession>();
  private readonly messages = new Map<string, StoredMessage>();
  /** Receipts for a system id with no receiver bound yet: an SMSC stores and retries them. */
  private readonly pendingReceipts = new Map<string, StoredMessage[]>();
  private readonly faults: { fault: SubmitFault; remaining: number }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextSessionId = 1;
  private nextMessageNumber: number;
  private nextConcatReference = 1;
  private receiverCursor = 0;
  private closing = false;

  constructor(options: LocalSmscOptions = {}) {
    super();
    this.accounts = options.accounts ?? [{ systemId: 'parley', password: 'secret' }];
    this.options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 2775,
      messageIdFormat: options.messageIdFormat ?? 'hex',
      firstMessageId: options.firstMessageId ?? 0x10000000,
      receiptDelayMs: options.receiptDelayMs ?? 100,
      receiptRetryMs: options.receiptRetryMs ?? 1000,
      receiptStat: options.receiptStat ?? 'DELIVRD',
      smscSystemId: options.smscSystemId ?? 'parley-smsc',
      gsm7Packing: options.gsm7Packing ?? 'unpacked',
    };
    this.clock = options.clock ?? systemClock;
    this.nextMessageNumber = this.options.firstMessageId;
    this.server = options.tls
      ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, (socket) => this.accept(socket))
      : createServer((socket) => this.accept(socket));
    // A client that fails the TLS handshake never becomes a session; nothing to clean up.
    this.server.on('tlsClientError', () => undefined);
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        const { port } = this.server.address() as AddressInfo;
        this.emit('listening', port);
        resolve(port);
      });
    });
  }

  get port(): number | undefined {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  get boundSessions(): SmscSessionInfo[] {
    return [...this.sessions.values()].filter((s) => s.mode !== null).map((s) => s.info());
  }

  /** Cuts one session's connection without an unbind, as a network fault would. */
  dropSession(sessionId: number): boolean {
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    session.socket.destroy();
    return true;
  }

  /** Adds a fault rule; `count` (default 1) submits consume it before the next rule applies. */
  injectFault(fault: SubmitFault): void {
    this.faults.push({ fault, remaining: fault.count ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Resolves once `count` submits (accepted or not) have arrived in total. */
  waitForSubmits(count: number, timeoutMs = 5000): Promise<ReceivedMessage[]> {
    return this.waitFor(() => this.attempts.length >= count, 'submit', timeoutMs, () => this.attempts.slice(0, count));
  }

  /** Resolves once `count` receipts have been answered by the ESME. */
  waitForReceiptResponses(count: number, timeoutMs = 5000): Promise<SentReceipt[]> {
    return this.waitFor(
      () => this.receipts.filter((r) => r.responseStatus !== undefined).length >= count,
      'receipt',
      timeoutMs,
      () => this.receipts.slice(0, count),
    );
  }

  /**
   * A handset texts `to` from `from`: sends the mobile-originated deliver_sm (one per part) to
   * a bound receiver or transceiver, of `systemId` when given. Resolves when every part is
   * answered; rejects when nothing is bound or the session closes first.
   */
  async sendFromHandset(input: { from: string; to: string; text: string; systemId?: string }): Promise<MoResult> {
    const session = this.receiverFor(input.systemId);
    if (!session) throw new Error(`no receiver or transceiver bound${input.systemId ? ` for ${input.systemId}` : ''}`);
    const reference = this.nextConcatReference;
    this.nextConcatReference = (reference % 255) + 1;
    const parts = encodeHandsetMessage(input.text, reference);
    const source = smscAddress(input.from);
    const destination = smscAddress(input.to);
    // Parts go out together, as an SMSC forwards them; the ESME reassembles by UDH.
    const statuses = await Promise.all(
      parts.map((part) => session.request(deliverSm(session.sequence(), { source, destination, ...part }))),
    );
    const result: MoResult = { sessionId: session.id, parts: parts.length, statuses };
    this.emit('mo', { from: input.from, to: input.to, text: input.text, result });
    return result;
  }

  /** Unbinds every session (waiting briefly for unbind_resp), closes them and stops listening. */
  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const stored of this.messages.values()) if (stored.receiptTimer) clearTimeout(stored.receiptTimer);
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.sessions.values()].map((session) => this.closeSession(session)));
    await serverClosed;
  }

  // -------------------------------------------------------------------------------------------

  private waitFor<T>(done: () => boolean, event: 'submit' | 'receipt', timeoutMs: number, value: () => T): Promise<T> {
    if (done()) return Promise.resolve(value());
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        cleanup();
        resolve(value());
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}s`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off(event, check);
      };
      this.on(event, check);
    });
  }

  private async closeSession(session: SmscSession): Promise<void> {
    if (session.socket.destroyed) return;
    const ended = new Promise<void>((resolve) => session.socket.once('close', () => resolve()));
    if (session.mode !== null && !session.closed) {
      // An orderly end per §4.2: tell the ESME, give it a moment to answer, then hang up.
      const answered = session.request({ command: 'unbind', sequenceNumber: session.sequence(), status: 0, tlvs: [] });
      answered.catch(() => undefined);
      await Promise.race([answered.catch(() => undefined), delay(500)]);
    }
    session.socket.end();
    const forced = setTimeout(() => session.socket.destroy(), 1000);
    await ended;
    clearTimeout(forced);
  }

  private accept(socket: Socket): void {
    const session = new SmscSession(this.nextSessionId++, socket);
    this.sessions.set(session.id, session);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const event of session.reader.push(chunk)) {
        if (session.closed) return;
        if (event.type === 'pdu') this.handle(session, event.pdu);
        else if (event.type === 'invalid') this.handleInvalid(session, event.error);
        else {
          // Framing is lost: nothing after this can be trusted (§ reader docs), so nack and hang up.
          this.emit('invalid', { sessionId: session.id, error: event.error.message });
          session.send(genericNack(event.error.sequenceNumber ?? 0, event.error.commandStatus));
          session.socket.end();
          session.closed = true;
        }
      }
    });
    // A peer that vanishes mid-write is normal for a test SMSC; the close handler cleans up.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      session.closed = true;
      session.failOutstanding();
      this.sessions.delete(session.id);
      this.emit('disconnect', { sessionId: session.id, systemId: session.systemId });
    });
  }

  private handleInvalid(session: SmscSession, error: PduDecodeError): void {
    this.emit('invalid', { sessionId: session.id, error: error.message });
    const response = errorResponseFor(error.command, error.sequenceNumber, error.commandStatus);
    if (response) session.send(response);
  }

  private handle(session: SmscSession, pdu: Pdu): void {
    switch (pdu.command) {
      case 'bind_transmitter':
      case 'bind_receiver':
      case 'bind_transceiver':
        this.bind(session, pdu.command, pdu.sequenceNumber, pdu.systemId, pdu.password);
        return;
      case 'enquire_link':
        session.send({ command: 'enquire_link_resp', sequenceNumber: pdu.sequenceNumber, status: 0, tlvs: [] });
        return;
      case 'unbind':
        session.send({ command: 'unbind_resp', sequenceNumber: pdu.sequenceNumber, status: 0, tlvs: [] });
        if (session.mode !== null) this.emit('unbind', session.info());
        session.mode = null;
        session.closed = true;
        session.socket.end();
        return;
      case 'submit_sm':
      case 'data_sm':
        this.submit(session, pdu);
        return;
      case 'query_sm':
        if (session.mode === null) this.refuse(session, pdu, COMMAND_STATUS.ESME_RINVBNDSTS);
        else this.query(session, pdu);
        return;
      case 'cancel_sm':
        if (session.mode === null) this.refuse(session, pdu, COMMAND_STATUS.ESME_RINVBNDSTS);
        else this.cancel(session, pdu);
        return;
      case 'deliver_sm_resp':
      case 'unbind_resp':
      case 'enquire_link_resp':
      case 'generic_nack':
        session.settle(pdu.sequenceNumber, pdu.status);
        return;
      default:
        this.refuse(session, pdu, COMMAND_STATUS.ESME_RINVCMDID);
    }
  }

  private refuse(session: SmscSession, pdu: Pdu, status: number): void {
    const response = errorResponseFor(pdu.command, pdu.sequenceNumber, status);
    if (response) session.send(response);
  }

  private bind(
    session: SmscSession,
    command: 'bind_transmitter' | 'bind_receiver' | 'bind_transceiver',
    sequenceNumber: number,
    systemId: string,
    password: string,
  ): void {
    const respond = (status: number): void =>
      session.send({
        command: `${command}_resp`,
        sequenceNumber,
        status,
        tlvs: status === 0 ? [tlv('sc_interface_version', 0x34)] : [],
        systemId: status === 0 ? this.options.smscSystemId : '',
      });
    if (session.mode !== null) {
      respond(COMMAND_STATUS.ESME_RALYBND);
      return;
    }
    const account = this.accounts.find((a) => a.systemId === systemId);
    const status =
      account === undefined ? COMMAND_STATUS.ESME_RINVSYSID : account.password !== password ? COMMAND_STATUS.ESME_RINVPASWD : 0;
    respond(status);
    if (status !== 0) {
      this.emit('bind_failed', { remote: session.remote, systemId, status });
      return;
    }
    session.mode = command === 'bind_transmitter' ? 'transmitter' : command === 'bind_receiver' ? 'receiver' : 'transceiver';
    session.systemId = systemId;
    this.emit('bind', session.info());
    if (session.canReceive) this.flushPendingReceipts(systemId);
  }

  private submit(session: SmscSession, pdu: SubmitSm | DataSm): void {
    const respond = (status: number, messageId: string): void =>
      session.send({ command: pdu.command === 'submit_sm' ? 'submit_sm_resp' : 'data_sm_resp', sequenceNumber: pdu.sequenceNumber, status, tlvs: [], messageId });
    if (!session.canTransmit) {
      respond(COMMAND_STATUS.ESME_RINVBNDSTS, '');
      return;
    }
    const fault = this.takeFault();
    const status =
      fault?.kind === 'throttle'
        ? COMMAND_STATUS.ESME_RTHROTTLED
        : fault?.kind === 'queue_full'
          ? COMMAND_STATUS.ESME_RMSGQFUL
          : fault?.kind === 'reject'
            ? fault.status
            : 0;
    const accepted = status === 0 && fault?.kind !== 'drop_connection' && fault?.kind !== 'garbage';
    const message = this.record(session, pdu, accepted ? this.assignId() : '', status, fault?.kind ?? null);

    switch (fault?.kind) {
      case 'drop_connection':
        session.closed = true;
        session.socket.destroy();
        return;
      case 'garbage':
        session.socket.write(fault.bytes ?? DEFAULT_GARBAGE);
        return;
      case 'drop_response':
        break;
      case 'delay':
        this.later(() => respond(status, message.messageId), fault.ms);
        break;
      default:
        respond(status, message.messageId);
    }
    if (accepted) this.scheduleReceipt(message);
  }

  private takeFault(): SubmitFault | undefined {
    const head = this.faults[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.faults.shift();
    return head.fault;
  }

  private assignId(): string {
    const n = this.nextMessageNumber;
    this.nextMessageNumber = n >= Number.MAX_SAFE_INTEGER ? 1 : n + 1;
    return this.options.messageIdFormat === 'hex' ? n.toString(16) : n.toString(10);
  }

  private record(session: SmscSession, pdu: SubmitSm | DataSm, messageId: string, status: number, fault: SubmitFault['kind'] | null): ReceivedMessage {
    const payload = findTlv(pdu.tlvs, 'message_payload');
    const shortMessage = pdu.command === 'submit_sm' ? pdu.shortMessage : new Uint8Array(0);
    const udhi = (pdu.esmClass & 0x40) !== 0;
    // message_payload replaces short_message when both are sent (§5.3.2.32 forbids both; be lenient).
    const body = payload ?? shortMessage;
    const decoded = decodeShortMessage(body, pdu.dataCoding, { udhi, gsm7Packing: this.options.gsm7Packing });
    const sarReference = findTlv(pdu.tlvs, 'sar_msg_ref_num');
    const sarTotal = findTlv(pdu.tlvs, 'sar_total_segments');
    const sarSequence = findTlv(pdu.tlvs, 'sar_segment_seqnum');
    const message: ReceivedMessage = {
      messageId,
      command: pdu.command,
      sessionId: session.id,
      systemId: session.systemId ?? '',
      status,
      fault,
      sourceAddr: pdu.sourceAddr,
      sourceAddrTon: pdu.sourceAddrTon,
      sourceAddrNpi: pdu.sourceAddrNpi,
      destinationAddr: pdu.destinationAddr,
      destAddrTon: pdu.destAddrTon,
      destAddrNpi: pdu.destAddrNpi,
      esmClass: pdu.esmClass,
      dataCoding: pdu.dataCoding,
      registeredDelivery: pdu.registeredDelivery,
      shortMessage,
      messagePayload: payload,
      udh: decoded.udh,
      concatenation: decoded.concatenation,
      sar:
        sarReference !== undefined && sarTotal !== undefined && sarSequence !== undefined
          ? { reference: sarReference, total: sarTotal, sequence: sarSequence }
          : null,
      text: decoded.text,
      tlvs: pdu.tlvs,
      receivedAt: this.clock.now(),
    };
    this.attempts.push(message);
    if (messageId !== '') {
      this.received.push(message);
      this.messages.set(messageId, { message, state: 'enroute', finalDate: null, receiptTimer: null });
    }
    this.emit('submit', message);
    return message;
  }

  /** registered_delivery bits 0–1 (§5.2.17): 01 = always, 10 = on failure only. */
  private wantsReceipt(registeredDelivery: number): boolean {
    const request = registeredDelivery & 0x03;
    return request === 1 || (request === 2 && this.options.receiptStat !== 'DELIVRD');
  }

  private scheduleReceipt(message: ReceivedMessage): void {
    const stored = this.messages.get(message.messageId);
    if (!stored) return;
    const finish = (): void => {
      stored.receiptTimer = null;
      stored.state = this.options.receiptStat === 'DELIVRD' ? 'delivered' : 'undeliverable';
      stored.finalDate = this.clock.now();
      if (this.wantsReceipt(message.registeredDelivery)) this.deliverReceipt(stored);
    };
    stored.receiptTimer = setTimeout(finish, this.options.receiptDelayMs);
  }

  private receiverFor(systemId: string | undefined): SmscSession | undefined {
    const candidates = [...this.sessions.values()].filter(
      (s) => !s.closed && s.canReceive && (systemId === undefined || s.systemId === systemId),
    );
    if (candidates.length === 0) return undefined;
    // Round-robin across the binds, as SMSCs spread deliveries over an ESME's receivers.
    this.receiverCursor = (this.receiverCursor + 1) % candidates.length;
    return candidates[this.receiverCursor];
  }

  private deliverReceipt(stored: StoredMessage): void {
    const { message } = stored;
    // Prefer the bind that submitted when it can receive: the usual transceiver case.
    const own = this.sessions.get(message.sessionId);
    const session = own && !own.closed && own.canReceive ? own : this.receiverFor(message.systemId);
    if (!session) {
      const queue = this.pendingReceipts.get(message.systemId) ?? [];
      queue.push(stored);
      this.pendingReceipts.set(message.systemId, queue);
      return;
    }
    const stat = this.options.receiptStat;
    const text = formatReceiptText({
      messageId: message.messageId,
      submitDate: message.receivedAt,
      doneDate: stored.finalDate ?? this.clock.now(),
      stat,
      err: stat === 'DELIVRD' ? 0 : 1,
      text: message.text,
    });
    const receipt: SentReceipt = { messageId: message.messageId, systemId: message.systemId, sessionId: session.id, text, responseStatus: undefined };
    this.receipts.push(receipt);
    const pdu = deliverSm(session.sequence(), {
      // The receipt travels back: from the recipient to the original sender.
      source: { addr: message.destinationAddr, ton: message.destAddrTon, npi: message.destAddrNpi },
      destination: { addr: message.sourceAddr, ton: message.sourceAddrTon, npi: message.sourceAddrNpi },
      esmClass: 0x04,
      dataCoding: 0,
      shortMessage: encodeReceiptText(text),
      tlvs: [tlv('receipted_message_id', message.messageId), tlv('message_state', MESSAGE_STATE_OF[stat])],
    });
    session.request(pdu).then(
      (status) => {
        receipt.responseStatus = status;
        this.emit('receipt', receipt);
        // Refused (e.g. ESME_RX_T_APPN: the ESME could not store it): try again later, as an
        // SMSC retries undelivered receipts.
        if (status !== COMMAND_STATUS.ESME_ROK && !this.closing) this.later(() => this.deliverReceipt(stored), this.options.receiptRetryMs);
      },
      () => {
        // The bind closed before answering: another bound receiver gets it, else the next bind.
        this.receipts.splice(this.receipts.indexOf(receipt), 1);
        if (!this.closing) setImmediate(() => this.deliverReceipt(stored));
      },
    );
  }

  /** A timer that close() cancels. */
  private later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private flushPendingReceipts(systemId: string): void {
    const queue = this.pendingReceipts.get(systemId);
    if (!queue) return;
    this.pendingReceipts.delete(systemId);
    for (const stored of queue) this.deliverReceipt(stored);
  }

  private query(session: SmscSession, pdu: QuerySm): void {
    const stored = this.messages.get(pdu.messageId);
    if (!stored || (session.systemId !== null && stored.message.systemId !== session.systemId)) {
      session.send({ command: 'query_sm_resp', sequenceNumber: pdu.sequenceNumber, status: COMMAND_STATUS.ESME_RQUERYFAIL, tlvs: [], messageId: pdu.messageId, finalDate: '', messageState: 0, errorCode: 0 });
      return;
    }
    const messageState = { enroute: 1, delivered: 2, undeliverable: 5, deleted: 4 }[stored.state];
    session.send({
      command: 'query_sm_resp',
      sequenceNumber: pdu.sequenceNumber,
      status: 0,
      tlvs: [],
      messageId: pdu.messageId,
      finalDate: stored.finalDate ? smppAbsoluteTime(stored.finalDate) : '',
      messageState,
      errorCode: 0,
    });
  }

  private cancel(session: SmscSession, pdu: CancelSm): void {
    const stored = this.messages.get(pdu.messageId);
    // Only a message still en route can be cancelled (§4.9); a delivered one cannot be recalled.
    const ok = stored !== undefined && stored.state === 'enroute' && stored.message.systemId === session.systemId;
    if (ok) {
      if (stored.receiptTimer) clearTimeout(stored.receiptTimer);
      stored.receiptTimer = null;
      stored.state = 'deleted';
      stored.finalDate = this.clock.now();
    }
    session.send({ command: 'cancel_sm_resp', sequenceNumber: pdu.sequenceNumber, status: ok ? 0 : COMMAND_STATUS.ESME_RCANCELFAIL, tlvs: [] });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
