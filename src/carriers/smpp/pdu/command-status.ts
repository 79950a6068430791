/**
 * SMPP 3.4 command_status values (spec §5.1.3) and how Parley should react to each.
 *
 * One table keeps names and codes together so logs, carrier status and message error codes
 * all say the same thing for the same number.
 */
export const COMMAND_STATUS = {
  ESME_ROK: 0x00000000,
  ESME_RINVMSGLEN: 0x00000001,
  ESME_RINVCMDLEN: 0x00000002,
  ESME_RINVCMDID: 0x00000003,
  ESME_RINVBNDSTS: 0x00000004,
  ESME_RALYBND: 0x00000005,
  ESME_RINVPRTFLG: 0x00000006,
  ESME_RINVREGDLVFLG: 0x00000007,
  ESME_RSYSERR: 0x00000008,
  ESME_RINVSRCADR: 0x0000000a,
  ESME_RINVDSTADR: 0x0000000b,
  ESME_RINVMSGID: 0x0000000c,
  ESME_RBINDFAIL: 0x0000000d,
  ESME_RINVPASWD: 0x0000000e,
  ESME_RINVSYSID: 0x0000000f,
  ESME_RCANCELFAIL: 0x00000011,
  ESME_RREPLACEFAIL: 0x00000013,
  ESME_RMSGQFUL: 0x00000014,
  ESME_RINVSERTYP: 0x00000015,
  ESME_RINVNUMDESTS: 0x00000033,
  ESME_RINVDLNAME: 0x00000034,
  ESME_RINVDESTFLAG: 0x00000040,
  ESME_RINVSUBREP: 0x00000042,
  ESME_RINVESMCLASS: 0x00000043,
  ESME_RCNTSUBDL: 0x00000044,
  ESME_RSUBMITFAIL: 0x00000045,
  ESME_RINVSRCTON: 0x00000048,
  ESME_RINVSRCNPI: 0x00000049,
  ESME_RINVDSTTON: 0x00000050,
  ESME_RINVDSTNPI: 0x00000051,
  ESME_RINVSYSTYP: 0x00000053,
  ESME_RINVREPFLAG: 0x00000054,
  ESME_RINVNUMMSGS: 0x00000055,
  ESME_RTHROTTLED: 0x00000058,
  ESME_RINVSCHED: 0x00000061,
  ESME_RINVEXPIRY: 0x00000062,
  ESME_RINVDFTMSGID: 0x00000063,
  ESME_RX_T_APPN: 0x00000064,
  ESME_RX_P_APPN: 0x00000065,
  ESME_RX_R_APPN: 0x00000066,
  ESME_RQUERYFAIL: 0x00000067,
  ESME_RINVOPTPARSTREAM: 0x000000c0,
  ESME_ROPTPARNOTALLWD: 0x000000c1,
  ESME_RINVPARLEN: 0x000000c2,
  ESME_RMISSINGOPTPARAM: 0x000000c3,
  ESME_RINVOPTPARAMVAL: 0x000000c4,
  ESME_RDELIVERYFAILURE: 0x000000fe,
  ESME_RUNKNOWNERR: 0x000000ff,
} as const;

export type CommandStatusName = keyof typeof COMMAND_STATUS;

const NAME_BY_CODE = new Map<number, CommandStatusName>(
  (Object.entries(COMMAND_STATUS) as [CommandStatusName, number][]).map(([name, code]) => [code, name]),
);

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * A stable label for a status: its spec name, or the hex code for reserved and
 * SMSC vendor-specific values (0x400–0x4FF), so an unknown code is still reported exactly.
 */
export function commandStatusName(status: number): string {
  return NAME_BY_CODE.get(status >>> 0) ?? hex32(status);
}

/**
 * What a status means for the message or bind that received it:
 * - `ok`: accepted.
 * - `throttled`: the SMSC is overloaded or we exceeded our rate; pause the bind and retry the
 *   same message later (issue 4 point 3: nothing may be lost).
 * - `transient`: the SMSC could not take it now for a reason that may clear; retry later.
 * - `permanent`: the request itself is wrong or refused; retrying would fail the same way.
 */
export type CommandStatusClass = 'ok' | 'throttled' | 'transient' | 'permanent';

const THROTTLED = new Set<number>([COMMAND_STATUS.ESME_RMSGQFUL, COMMAND_STATUS.ESME_RTHROTTLED]);

const TRANSIENT = new Set<number>([
  // The SMSC's own fault, not the message's.
  COMMAND_STATUS.ESME_RSYSERR,
  // The bind is not (yet/any more) in a state to submit: rebinding fixes it.
  COMMAND_STATUS.ESME_RINVBNDSTS,
  // "Temporary application error" by definition.
  COMMAND_STATUS.ESME_RX_T_APPN,
  // data_sm delivery failure: the handset or network may be reachable later.
  COMMAND_STATUS.ESME_RDELIVERYFAILURE,
]);

/**
 * Classifies a command_status. Unknown and vendor-specific codes are treated as permanent:
 * the message then fails visibly with the code in its errorCode, which an operator can act on,
 * whereas retrying an unknown refusal forever would hide it and may duplicate sends.
 */
export function classifyCommandStatus(status: number): CommandStatusClass {
  const code = status >>> 0;
  if (code === COMMAND_STATUS.ESME_ROK) return 'ok';
  if (THROTTLED.has(code)) return 'throttled';
  if (TRANSIENT.has(code)) return 'transient';
  return 'permanent';
}

/** True when a later retry of the same request may succeed (throttled or transient). */
export function isTransientStatus(status: number): boolean {
  const cls = classifyCommandStatus(status);
  return cls === 'throttled' || cls === 'transient';
}
