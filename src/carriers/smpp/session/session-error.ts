/**
 * Errors a session reports to its caller. Each carries what the send pipeline needs to decide
 * between retrying, failing and "unknown outcome" without parsing messages.
 */
import { commandStatusName } from '../pdu/index.js';

export type SmppSessionErrorCode =
  /** No response within responseTimeoutMs: the SMSC may or may not have the message. */
  | 'response_timeout'
  /** The connection dropped after the request was written and before its response came. */
  | 'connection_lost'
  /** The SMSC answered with generic_nack: it could not parse or route the request. */
  | 'generic_nack'
  /** The request was never written (not bound, closing, or dropped while queued). */
  | 'not_bound'
  /** The TCP/TLS connection could not be opened. */
  | 'connect_failed'
  /** bind_resp said the credentials are wrong (ESME_RINVPASWD / ESME_RINVSYSID / ESME_RBINDFAIL). */
  | 'auth_failed'
  /** bind_resp carried another error status, or no bind_resp came. */
  | 'bind_failed'
  /** The peer broke the protocol: lost framing, an unreadable or mismatched response, or unbound us. */
  | 'protocol_error';

/**
 * - `unknown`: the request may have reached the SMSC (the pipeline's unknown-outcome rule applies).
 * - `not_sent`: it certainly did not; safe to retry.
 * - `rejected`: the SMSC refused it.
 */
export type SmppRequestOutcome = 'unknown' | 'not_sent' | 'rejected';

const OUTCOME: Record<SmppSessionErrorCode, SmppRequestOutcome> = {
  response_timeout: 'unknown',
  connection_lost: 'unknown',
  protocol_error: 'unknown',
  generic_nack: 'rejected',
  not_bound: 'not_sent',
  connect_failed: 'not_sent',
  auth_failed: 'not_sent',
  bind_failed: 'not_sent',
};

export class SmppSessionError extends Error {
  readonly code: SmppSessionErrorCode;
  readonly outcome: SmppRequestOutcome;
  /** The SMPP command_status, when the error came from one (bind_resp, generic_nack). */
  readonly status: number | undefined;
  /** Its spec name, e.g. ESME_RINVPASWD, for carrier status and logs. */
  readonly statusName: string | undefined;

  constructor(code: SmppSessionErrorCode, message: string, status?: number) {
    super(status === undefined ? message : `${message} (${commandStatusName(status)})`);
    this.name = 'SmppSessionError';
    this.code = code;
    this.outcome = OUTCOME[code];
    this.status = status;
    this.statusName = status === undefined ? undefined : commandStatusName(status);
  }
}
