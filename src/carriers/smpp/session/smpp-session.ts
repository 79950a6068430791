/**
 * One ESME-side SMPP 3.4 bind over TCP or TLS: bind, request/response correlation, window,
 * TPS limit, throttling pauses, enquire_link, inbound deliver_sm/data_sm and graceful unbind.
 *
 * It knows nothing about messages or the database: the carrier adapter turns messages into
 * PDUs and gives deliver_sm to the app through `onDeliver`, whose returned status is what the
 * SMSC is answered, so a receipt or inbound message is acknowledged only once it is stored.
 *
 * Throttling (ESME_RTHROTTLED / ESME_RMSGQFUL) is handled inside request() for submit_sm and
 * data_sm: the bind pauses submits with exponential backoff and re-sends the same PDU at the
 * head of the queue, so the caller simply sees a later response and nothing is failed or
 * reordered. A throttled response means the SMSC did not take the message, so the retry
 * cannot duplicate it. The adapter can also pause a bind itself with pauseSubmits().
 */
import net from 'node:net';
import tls from 'node:tls';
import {
  COMMAND_IDS,
  COMMAND_STATUS,
  type CommandName,
  type DataSm,
  type DataSmResp,
  type DeliverSm,
  type AlertNotification,
  type CancelSm,
  type CancelSmResp,
  type EnquireLinkResp,
  type Pdu,
  type PduDecodeError,
  type PduFramingError,
  PduReader,
  type QuerySm,
  type QuerySmResp,
  type SubmitSm,
  type SubmitSmResp,
  type EnquireLink,
  classifyCommandStatus,
  encodePdu,
  isResponseId,
} from '../pdu/index.js';
import { SmppSessionError } from './session-error.js';
import { TokenBucket } from './token-bucket.js';

export type SmppBindMode = 'transceiver' | 'transmitter' | 'receiver';

/** The carrier status contract of issue 4 point 7. */
export type SmppSessionState = 'connecting' | 'bound' | 'down' | 'auth_failed';

export interface SessionClock {
  now(): Date;
}

/** Injected so tests can observe or speed up scheduling; defaults to Node's timers. */
export interface SessionTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeTimers: SessionTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const systemClock: SessionClock = { now: () => new Date() };

export interface SmppSessionOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string;
  bindMode?: SmppBindMode;
  tls?: boolean;
  /** Extra TLS settings (CA, client certificate, servername) when `tls` is true. */
  tlsOptions?: tls.ConnectionOptions;
  /** Most requests outstanding at once; further requests wait in order. Default 10. */
  windowSize?: number;
  /** submit_sm + data_sm per second on this bind; undefined = unlimited. */
  tps?: number;
  /** Send enquire_link after this long without traffic in either direction. Default 30. */
  enquireLinkSeconds?: number;
  /** Default 10 000. */
  responseTimeoutMs?: number;
  /** First pause after a throttled submit, doubled per consecutive throttle. Default 1 000. */
  throttleInitialMs?: number;
  /** Longest throttle pause. Default 30 000. */
  throttleMaxMs?: number;
  /** Bound on each wait in close(): outstanding responses, then unbind_resp. Default 5 000. */
  closeTimeoutMs?: number;
  clock?: SessionClock;
  timers?: SessionTimers;
}

export interface SmppSessionHandlers {
  /**
   * A deliver_sm or data_sm from the SMSC (receipt or inbound message). Resolve with the
   * command_status to answer (ESME_ROK once stored). A throw is answered ESME_RX_T_APPN so
   * the SMSC redelivers later rather than the message being lost.
   */
  onDeliver?: (pdu: DeliverSm | DataSm) => Promise<number>;
  onAlert?: (pdu: AlertNotification) => void;
  onStateChange?: (state: SmppSessionState, error: SmppSessionError | undefined) => void;
}

/** Requests the application may send; binds, unbind and enquire_link belong to the session. */
export interface SmppResponseMap {
  submit_sm: SubmitSmResp;
  data_sm: DataSmResp;
  query_sm: QuerySmResp;
  cancel_sm: CancelSmResp;
  enquire_link: EnquireLinkResp;
}
export type SmppRequestPdu = SubmitSm | DataSm | QuerySm | CancelSm | EnquireLink;

const BIND_COMMAND = { transceiver: 'bind_transceiver', transmitter: 'bind_transmitter', receiver: 'bind_receiver' } as const;

const AUTH_STATUSES = new Set<number>([COMMAND_STATUS.ESME_RINVPASWD, COMMAND_STATUS.ESME_RINVSYSID, COMMAND_STATUS.ESME_RBINDFAIL]);

const MAX_SEQUENCE = 0x7fffffff;

interface PendingRequest {
  expected: CommandName;
  /** Counts against the window; session-internal PDUs (bind, enquire_link, unbind) do not. */
  windowed: boolean;
  timer: unknown;
  resolve: (pdu: Pdu) => void;
  reject: (error: SmppSessionError) => void;
}

interface QueuedRequest {
  pdu: SmppRequestPdu;
  resolve: (sent: { response: Pdu; sentAtMs: number }) => void;
  reject: (error: SmppSessionError) => void;
}

function isSubmit(command: CommandName): boolean {
  return command === 'submit_sm' || command === 'data_sm';
}

export class SmppSession {
  private readonly windowSize: number;
  private readonly responseTimeoutMs: number;
  private readonly enquireLinkMs: number;
  private readonly throttleInitialMs: number;
  private readonly throttleMaxMs: number;
  private readonly closeTimeoutMs: number;
  private readonly clock: SessionClock;
  private readonly timers: SessionTimers;
  private readonly bucket: TokenBucket | undefined;

  private currentState: SmppSessionState = 'down';
  private currentError: SmppSessionError | undefined;
  private socket: net.Socket | undefined;
  private reader = new PduReader();
  private connected = false;
  /** A write this turn corked the socket; the end of the turn uncorks it (see writeBytes). */
  private corked = false;
  private closing = false;
  /** Why we are ending the socket ourselves; otherwise its close is a connection loss. */
  private closeReason: SmppSessionError | undefined;
  private socketError: Error | undefined;

  private nextSequence = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private inWindow = 0;
  private readonly queue: QueuedRequest[] = [];
  private pumpTimer: unknown;
  private readonly windowDrainWaiters = new Set<() => void>();

  private pausedUntilMs = 0;
  private pauseStartedMs = 0;
  private throttleStreak = 0;

  private lastActivityMs = 0;
  private enquireTimer: unknown;

  constructor(
    private readonly options: SmppSessionOptions,
    private readonly handlers: SmppSessionHandlers = {},
  ) {
    this.windowSize = options.windowSize ?? 10;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 10_000;
    this.enquireLinkMs = (options.enquireLinkSeconds ?? 30) * 1000;
    this.throttleInitialMs = options.throttleInitialMs ?? 1000;
    this.throttleMaxMs = options.throttleMaxMs ?? 30_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? nodeTimers;
    if (!Number.isInteger(this.windowSize) || this.windowSize < 1) throw new RangeError('windowSize must be a positive integer');
    if (options.tps !== undefined) {
      // About 100 ms of burst: smooth enough for operators that count per 100 ms, yet a late
      // timer does not cost throughput.
      this.bucket = new TokenBucket(options.tps, Math.max(1, Math.floor(options.tps / 10)));
    }
  }

  get state(): SmppSessionState {
    return this.currentState;
  }

  get lastError(): SmppSessionError | undefined {
    return this.currentError;
  }

  /** Requests written and not yet answered that count against the window. */
  get outstanding(): number {
    return this.inWindow;
  }

  /** Opens the connection and binds; resolves once bound, rejects with a SmppSessionError. */
  connect(): Promise<void> {
    if (this.socket !== undefined) return Promise.reject(new SmppSessionError('bind_failed', `session is already ${this.currentState}`));
    this.closing = false;
    this.closeReason = undefined;
    this.socketError = undefined;
    this.connected = false;
    this.reader = new PduReader();
    this.setState('connecting', this.currentError);

    const { host, port } = this.options;
    const socket = this.options.tls
      ? tls.connect({ host, port, servername: net.isIP(host) === 0 ? host : undefined, ...this.options.tlsOptions })
      : net.connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (error) => {
      this.socketError = error;
    });
    socket.on('close', () => this.onSocketClosed(socket));

    return new Promise<void>((resolve, reject) => {
      socket.once(this.options.tls ? 'secureConnect' : 'connect', () => {
        this.connected = true;
        this.bind().then(resolve, reject);
      });
      socket.once('close', () => {
        // Before the bind was even sent: the connect itself failed.
        if (!this.connected) reject(this.currentError ?? new SmppSessionError('connect_failed', 'connection closed'));
      });
    });
  }

  /**
   * Sends a request and resolves with its response (whatever its command_status, except that
   * throttled submits are paused and retried, see the file comment). Rejects with
   * SmppSessionError: response_timeout, connection_lost, generic_nack, not_bound.
   * The sequence number is assigned here; the one on `pdu` is ignored.
   */
  async request<P extends SmppRequestPdu>(
    pdu: P,
    options: { onThrottled?: () => void } = {},
  ): Promise<SmppResponseMap[P['command']]> {
    let front = false;
    for (;;) {
      const { response, sentAtMs } = await this.enqueue(pdu, front);
      if (isSubmit(pdu.command) && classifyCommandStatus(response.status) === 'throttled') {
        this.noteThrottled(sentAtMs);
        options.onThrottled?.();
        // Back at the head, so a throttled message does not fall behind later ones.
        front = true;
        continue;
      }
      if (isSubmit(pdu.command)) this.throttleStreak = 0;
      return response as SmppResponseMap[P['command']];
    }
  }

  /**
   * Holds new submits on this bind for `ms` (requests already written are unaffected and
   * nothing is failed). Extends, never shortens, a pause in force.
   */
  pauseSubmits(ms: number): void {
    const now = this.nowMs();
    if (now + ms > this.pausedUntilMs) {
      this.pausedUntilMs = now + ms;
      this.pauseStartedMs = now;
    }
    this.schedulePump(ms);
  }

  /** Milliseconds left in the current submit pause, 0 when not paused. */
  get submitPauseMs(): number {
    return Math.max(0, this.pausedUntilMs - this.nowMs());
  }

  /**
   * Graceful shutdown: refuse new requests, let outstanding responses arrive (bounded), unbind
   * and wait for unbind_resp (bounded), then end the socket. Requests still queued are
   * rejected not_bound, i.e. certainly unsent.
   */
  async close(): Promise<void> {
    const socket = this.socket;
    if (socket === undefined) return;
    this.closing = true;
    this.rejectQueued(new SmppSessionError('not_bound', 'session is closing'));
    if (this.currentState === 'bound') {
      await this.waitForDrain(this.closeTimeoutMs);
      if (this.socket === socket) {
        try {
          await this.sendInternal({ command: 'unbind', sequenceNumber: 0, status: 0, tlvs: [] }, this.closeTimeoutMs);
        } catch {
          // No unbind_resp in time or the link dropped: we end the socket all the same.
        }
      }
    }
    if (this.socket === socket) {
      this.closeReason = new SmppSessionError('not_bound', 'closed by us');
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.end();
      // A peer that never closes its side must not hold shutdown hostage.
      const timer = this.timers.setTimeout(() => socket.destroy(), this.closeTimeoutMs);
      await closed;
      this.timers.clearTimeout(timer);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Binding

  private async bind(): Promise<void> {
    const mode = this.options.bindMode ?? 'transceiver';
    const response = await this.sendInternal(
      {
        command: BIND_COMMAND[mode],
        sequenceNumber: 0,
        status: 0,
        tlvs: [],
        systemId: this.options.systemId,
        password: this.options.password,
        systemType: this.options.systemType ?? '',
        interfaceVersion: 0x34,
        addrTon: 0,
        addrNpi: 0,
        addressRange: '',
      },
      this.responseTimeoutMs,
    ).catch((error: unknown) => {
      const failure =
        error instanceof SmppSessionError && error.code === 'generic_nack'
          ? new SmppSessionError('bind_failed', 'bind refused with generic_nack', error.status)
          : error instanceof SmppSessionError && error.code === 'response_timeout'
            ? new SmppSessionError('bind_failed', 'no bind response')
            : error;
      this.abort(failure instanceof SmppSessionError ? failure : new SmppSessionError('bind_failed', String(failure)));
      throw failure;
    });

    if (response.status !== COMMAND_STATUS.ESME_ROK) {
      const failure = AUTH_STATUSES.has(response.status)
        ? new SmppSessionError('auth_failed', 'bind refused', response.status)
        : new SmppSessionError('bind_failed', 'bind refused', response.status);
      this.abort(failure);
      throw failure;
    }
    this.currentError = undefined;
    this.setState('bound', undefined);
    this.scheduleEnquireLink(this.enquireLinkMs);
    this.pump();
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  private enqueue(pdu: SmppRequestPdu, front: boolean): Promise<{ response: Pdu; sentAtMs: number }> {
    if (this.currentState !== 'bound' || this.closing) {
      return Promise.reject(new SmppSessionError('not_bound', `session is ${this.closing ? 'closing' : this.currentState}`));
    }
    return new Promise((resolve, reject) => {
      const item = { pdu, resolve, reject };
      if (front) this.queue.unshift(item);
      else this.queue.push(item);
      this.pump();
    });
  }

  /** Writes queued requests in order while the window, the pause and the TPS limit allow. */
  private pump(): void {
    while (this.queue.length > 0 && this.currentState === 'bound') {
      if (this.inWindow >= this.windowSize) return; // a response will pump again
      const head = this.queue[0]!;
      if (isSubmit(head.pdu.command)) {
        const now = this.nowMs();
        if (now < this.pausedUntilMs) return this.schedulePump(this.pausedUntilMs - now);
        const wait = this.bucket?.take(now) ?? 0;
        if (wait > 0) return this.schedulePump(wait);
      }
      this.queue.shift();
      const sentAtMs = this.nowMs();
      this.send(head.pdu, true, this.responseTimeoutMs).then((response) => head.resolve({ response, sentAtMs }), head.reject);
    }
  }

  private schedulePump(ms: number): void {
    if (this.pumpTimer !== undefined) this.timers.clearTimeout(this.pumpTimer);
    this.pumpTimer = this.timers.setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, ms);
  }

  /** Session-owned requests skip the queue and the window: a full window must not stop the link check or unbind. */
  private sendInternal(pdu: Pdu, timeoutMs: number): Promise<Pdu> {
    return this.send(pdu, false, timeoutMs);
  }

  private send(pdu: Pdu, windowed: boolean, timeoutMs: number): Promise<Pdu> {
    const socket = this.socket;
    if (socket === undefined || !this.connected) return Promise.reject(new SmppSessionError('not_bound', 'not connected'));
    const sequenceNumber = this.allocateSequence();
    let bytes: Uint8Array;
    try {
      bytes = encodePdu({ ...pdu, sequenceNumber } as Pdu);
    } catch (error) {
      // A PDU the codec refuses is the caller's bug; nothing was written.
      return Promise.reject(error);
    }
    return new Promise<Pdu>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        if (this.settle(sequenceNumber) !== undefined) {
          reject(new SmppSessionError('response_timeout', `no ${pdu.command}_resp within ${timeoutMs} ms`));
        }
      }, timeoutMs);
      this.pending.set(sequenceNumber, { expected: `${pdu.command}_resp` as CommandName, windowed, timer, resolve, reject });
      if (windowed) this.inWindow += 1;
      this.touch();
      this.writeBytes(socket, bytes);
    });
  }

  /**
   * Writes coalesced per event-loop turn: the first write of a turn corks the socket and the
   * end of the turn uncorks it, so a window's worth of submits (or a batch of receipt
   * responses) leaves in one writev instead of one syscall per PDU.
   */
  private writeBytes(socket: net.Socket, bytes: Uint8Array): void {
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(bytes);
  }

  /** Removes a pending request, freeing its window slot; returns it if it was still pending. */
  private settle(sequenceNumber: number): PendingRequest | undefined {
    const entry = this.pending.get(sequenceNumber);
    if (entry === undefined) return undefined;
    this.pending.delete(sequenceNumber);
    this.timers.clearTimeout(entry.timer);
    if (entry.windowed) {
      this.inWindow -= 1;
      if (this.inWindow === 0) for (const waiter of this.windowDrainWaiters) waiter();
      // Freed a slot: let the next queued request go (after the current I/O callback).
      queueMicrotask(() => this.pump());
    }
    return entry;
  }

  private allocateSequence(): number {
    // 1..0x7FFFFFFF (§5.1.4), skipping numbers still awaiting a response after a wrap.
    for (;;) {
      const candidate = this.nextSequence;
      this.nextSequence = candidate >= MAX_SEQUENCE ? 1 : candidate + 1;
      if (!this.pending.has(candidate)) return candidate;
    }
  }

  private write(pdu: Pdu): void {
    const socket = this.socket;
    if (socket === undefined || socket.destroyed) return;
    this.touch();
    this.writeBytes(socket, encodePdu(pdu));
  }

  private noteThrottled(sentAtMs: number): void {
    // Responses to requests written before the current pause began belong to the burst that
    // caused it: escalating once per response would jump to the maximum pause at once.
    if (sentAtMs < this.pauseStartedMs && this.nowMs() < this.pausedUntilMs) return;
    const pause = Math.min(this.throttleMaxMs, this.throttleInitialMs * 2 ** this.throttleStreak);
    this.throttleStreak += 1;
    this.pauseSubmits(pause);
  }

  private waitForDrain(timeoutMs: number): Promise<void> {
    if (this.inWindow === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.windowDrainWaiters.delete(done);
        this.timers.clearTimeout(timer);
        resolve();
      };
      const timer = this.timers.setTimeout(done, timeoutMs);
      this.windowDrainWaiters.add(done);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Receiving

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    this.touch();
    for (const event of this.reader.push(chunk)) {
      if (event.type === 'pdu') this.onPdu(event.pdu);
      else if (event.type === 'invalid') this.onInvalid(event.error);
      else this.onFatal(event.error);
    }
  }

  private onPdu(pdu: Pdu): void {
    if (isResponseId(COMMAND_IDS[pdu.command])) {
      this.onResponse(pdu);
      return;
    }
    const { sequenceNumber } = pdu;
    switch (pdu.command) {
      case 'enquire_link':
        this.write({ command: 'enquire_link_resp', sequenceNumber, status: 0, tlvs: [] });
        return;
      case 'unbind':
        this.write({ command: 'unbind_resp', sequenceNumber, status: 0, tlvs: [] });
        this.abort(new SmppSessionError('protocol_error', 'the SMSC unbound the session'));
        return;
      case 'deliver_sm':
      case 'data_sm':
        void this.deliver(pdu);
        return;
      case 'alert_notification':
        // No response exists for alert_notification (§4.12).
        this.handlers.onAlert?.(pdu);
        return;
      default:
        // A request an ESME never receives (submit_sm, bind_*, outbind on a bound link...).
        this.write({ command: 'generic_nack', sequenceNumber, status: COMMAND_STATUS.ESME_RINVCMDID, tlvs: [] });
    }
  }

  private async deliver(pdu: DeliverSm | DataSm): Promise<void> {
    const socket = this.socket;
    let status: number;
    try {
      // No handler (e.g. during start-up wiring): a temporary error makes the SMSC keep it.
      status = this.handlers.onDeliver === undefined ? COMMAND_STATUS.ESME_RX_T_APPN : await this.handlers.onDeliver(pdu);
    } catch {
      status = COMMAND_STATUS.ESME_RX_T_APPN;
    }
    // The link the PDU came on is gone: the SMSC will redeliver on the next bind.
    if (socket !== this.socket) return;
    const command = pdu.command === 'deliver_sm' ? 'deliver_sm_resp' : 'data_sm_resp';
    this.write({ command, sequenceNumber: pdu.sequenceNumber, status, tlvs: [], messageId: '' });
  }

  private onResponse(pdu: Pdu): void {
    const entry = this.settle(pdu.sequenceNumber);
    // A late response to a request that already timed out: its outcome was reported as unknown.
    if (entry === undefined) return;
    if (pdu.command === entry.expected) entry.resolve(pdu);
    else if (pdu.command === 'generic_nack') entry.reject(new SmppSessionError('generic_nack', `${entry.expected.replace(/_resp$/, '')} answered with generic_nack`, pdu.status));
    else entry.reject(new SmppSessionError('protocol_error', `expected ${entry.expected}, got ${pdu.command}`, pdu.status));
  }

  private onInvalid(error: PduDecodeError): void {
    if (isResponseId(error.commandId)) {
      // Never nack a response (a nack of a nack could loop); fail the request it answers.
      const entry = this.settle(error.sequenceNumber);
      entry?.reject(new SmppSessionError('protocol_error', `unreadable ${error.command ?? 'response'}: ${error.message}`));
      return;
    }
    const { sequenceNumber, commandStatus: status } = error;
    // A known request with a bad field gets its own response carrying the field's error code
    // (§5.1.3); an unknown command id gets generic_nack.
    if (error.command === 'deliver_sm' || error.command === 'data_sm') {
      this.write({ command: `${error.command}_resp`, sequenceNumber, status, tlvs: [], messageId: '' });
    } else if (error.command === 'enquire_link' || error.command === 'unbind') {
      this.write({ command: `${error.command}_resp`, sequenceNumber, status, tlvs: [] });
    } else {
      this.write({ command: 'generic_nack', sequenceNumber, status, tlvs: [] });
    }
  }

  private onFatal(error: PduFramingError): void {
    // Framing is lost: nothing after this can be trusted, so tell the peer if we can and go.
    if (error.sequenceNumber !== undefined) {
      this.write({ command: 'generic_nack', sequenceNumber: error.sequenceNumber, status: error.commandStatus, tlvs: [] });
    }
    this.abort(new SmppSessionError('protocol_error', error.message));
  }

  // -------------------------------------------------------------------------------------------
  // Link supervision

  private touch(): void {
    this.lastActivityMs = this.nowMs();
  }

  private scheduleEnquireLink(ms: number): void {
    if (this.enquireTimer !== undefined) this.timers.clearTimeout(this.enquireTimer);
    this.enquireTimer = this.timers.setTimeout(() => {
      this.enquireTimer = undefined;
      if (this.currentState !== 'bound') return;
      const idle = this.nowMs() - this.lastActivityMs;
      if (idle < this.enquireLinkMs) return this.scheduleEnquireLink(this.enquireLinkMs - idle);
      this.sendInternal({ command: 'enquire_link', sequenceNumber: 0, status: 0, tlvs: [] }, this.responseTimeoutMs).then(
        () => undefined,
        (error: unknown) => {
          // An unanswered enquire_link means a dead link that TCP has not noticed yet.
          if (error instanceof SmppSessionError && error.code === 'response_timeout') {
            this.abort(new SmppSessionError('connection_lost', 'enquire_link unanswered'));
          }
        },
      );
      this.scheduleEnquireLink(this.enquireLinkMs);
    }, ms);
  }

  /** Ends the connection for `reason`; the socket's close event does the bookkeeping. */
  private abort(reason: SmppSessionError): void {
    this.closeReason ??= reason;
    // What this turn wrote (an unbind_resp, a generic_nack) still leaves: destroy drops corked writes.
    if (this.corked) this.socket?.uncork();
    this.socket?.destroy();
  }

  private onSocketClosed(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    for (const timer of [this.enquireTimer, this.pumpTimer]) if (timer !== undefined) this.timers.clearTimeout(timer);
    this.enquireTimer = undefined;
    this.pumpTimer = undefined;

    const lost = this.connected
      ? new SmppSessionError('connection_lost', this.socketError?.message ?? 'connection closed by the SMSC')
      : new SmppSessionError('connect_failed', this.socketError?.message ?? 'connection closed before connecting');
    const reason = this.closeReason ?? lost;
    const deliberate = this.closing && this.closeReason?.code === 'not_bound';

    for (const sequenceNumber of [...this.pending.keys()]) {
      // Written and unanswered: the SMSC may have it, so these are connection_lost (unknown outcome).
      this.settle(sequenceNumber)?.reject(new SmppSessionError('connection_lost', reason.message));
    }
    this.rejectQueued(new SmppSessionError('not_bound', 'connection closed before the request was sent'));
    this.inWindow = 0;
    for (const waiter of [...this.windowDrainWaiters]) waiter();

    if (reason.code === 'auth_failed') this.setState('auth_failed', reason);
    else this.setState('down', deliberate ? this.currentError : reason);
  }

  private rejectQueued(error: SmppSessionError): void {
    for (const item of this.queue.splice(0)) item.reject(error);
  }

  private setState(state: SmppSessionState, error: SmppSessionError | undefined): void {
    this.currentError = error;
    if (state === this.currentState) return;
    this.currentState = state;
    this.handlers.onStateChange?.(state, error);
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}
