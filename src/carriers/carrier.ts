/**
 * The Carrier port: everything the core needs from a way of reaching handsets, and
 * nothing more. An adapter knows SMPP or HTTP, never the database: it receives plain
 * submit requests and reports receipts and inbound texts to a sink the app provides.
 */
export type CarrierStatus = 'bound' | 'connecting' | 'down' | 'auth_failed' | 'ready';

export interface SubmitRequest {
  messageId: string;
  from: string;
  to: string;
  body: string;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
}

export interface SubmitResult {
  /** One id per part the carrier accepted; the first is the message's carrierMessageId. */
  carrierMessageIds: string[];
  /**
   * How often the carrier said "too fast" (and the adapter waited and resent) on the way:
   * the worker slows that sender down.
   */
  throttled?: number;
}

/** A carrier refused or could not take a message. `retryable` errors are tried again later. */
export class CarrierError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, retryable: boolean) {
    super(message);
    this.name = 'CarrierError';
    this.code = code;
    this.retryable = retryable;
  }
}

export interface DeliveryReceipt {
  carrierId: string;
  carrierMessageId: string;
  status: 'delivered' | 'undelivered';
  errorCode: string | null;
  raw: string | null;
  at: Date;
}

export interface InboundSms {
  carrierId: string;
  from: string;
  to: string;
  body: string;
  carrierMessageId: string | null;
  at: Date;
  /**
   * Set by adapters that parsed a concatenation header (UDH IEI 0x00/0x08) or SAR TLVs:
   * this text is one part of a longer message, which the app reassembles. Adapters pass
   * the values as received; the app validates them (a nonsense header is delivered as a
   * text of its own rather than dropped).
   */
  concat?: { reference: number; total: number; sequence: number };
}

/**
 * A receipt the adapter received but could not read at all (no message id, garbled text).
 * Handed to the sink's `unparseableReceipt`, which stores it for operators: never dropped.
 */
export interface UnparseableReceipt {
  reason: string;
  raw: string;
  at: Date;
}

/** Implemented by the app: where adapters hand receipts and inbound texts. */
export interface CarrierEventSink {
  receipt(receipt: DeliveryReceipt): Promise<void>;
  inbound(sms: InboundSms): Promise<void>;
  /** A receipt that could not be read; resolves once stored. Optional for test sinks. */
  unparseableReceipt?(receipt: UnparseableReceipt & { carrierId: string }): Promise<void>;
}

export interface Carrier {
  readonly id: string;
  readonly type: string;
  status(): CarrierStatus;
  /**
   * Why the carrier is not working, for operators (GET /v1/carriers/:id); null when there is
   * nothing to say. Optional: in-process adapters have no connection to fail. Must never
   * contain credentials, since it is shown through the API.
   */
  lastError?(): string | null;
  /**
   * Most submits that can be outstanding at the carrier at once (an SMPP window per bind).
   * The worker starts no more carrier calls than this, which bounds how many messages can
   * end with an unknown outcome if it dies. Optional: unbounded when absent.
   */
  submitCapacity?(): number;
  /** Connects (or not, for in-process adapters). Must not throw for a carrier that is down. */
  start(): Promise<void>;
  submit(request: SubmitRequest): Promise<SubmitResult>;
  /** Stops taking submits, waits for in-flight ones, then disconnects. */
  stop(): Promise<void>;
}

export interface CarrierContext {
  sink: CarrierEventSink;
  clock: { now(): Date };
  ids: { next(): string };
}

export type CarrierFactory = (
  id: string,
  settings: Record<string, unknown>,
  context: CarrierContext,
) => Carrier;
