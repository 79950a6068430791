/** The ESME-side SMPP session and its reconnect supervisor. */
export { SmppBindSupervisor, type SmppBindSupervisorOptions } from './bind-supervisor.js';
export { type SmppRequestOutcome, SmppSessionError, type SmppSessionErrorCode } from './session-error.js';
export {
  type SessionClock,
  type SessionTimers,
  type SmppBindMode,
  type SmppRequestPdu,
  type SmppResponseMap,
  SmppSession,
  type SmppSessionHandlers,
  type SmppSessionOptions,
  type SmppSessionState,
  nodeTimers,
} from './smpp-session.js';
export { TokenBucket } from './token-bucket.js';
