import { describe, expect, it } from 'vitest';
import { COMMAND_STATUS, classifyCommandStatus, commandStatusName, isTransientStatus } from './command-status.js';

describe('command_status table', () => {
  it('has the §5.1.3 codes the session depends on', () => {
    expect(COMMAND_STATUS).toMatchObject({
      ESME_ROK: 0x00,
      ESME_RINVMSGLEN: 0x01,
      ESME_RINVCMDLEN: 0x02,
      ESME_RINVCMDID: 0x03,
      ESME_RINVBNDSTS: 0x04,
      ESME_RALYBND: 0x05,
      ESME_RSYSERR: 0x08,
      ESME_RINVSRCADR: 0x0a,
      ESME_RINVDSTADR: 0x0b,
      ESME_RINVMSGID: 0x0c,
      ESME_RBINDFAIL: 0x0d,
      ESME_RINVPASWD: 0x0e,
      ESME_RINVSYSID: 0x0f,
      ESME_RMSGQFUL: 0x14,
      ESME_RSUBMITFAIL: 0x45,
      ESME_RTHROTTLED: 0x58,
      ESME_RX_T_APPN: 0x64,
      ESME_RX_P_APPN: 0x65,
      ESME_RX_R_APPN: 0x66,
      ESME_RINVOPTPARSTREAM: 0xc0,
      ESME_RINVPARLEN: 0xc2,
    });
    // Codes are unique, so a name lookup is unambiguous.
    expect(new Set(Object.values(COMMAND_STATUS)).size).toBe(Object.keys(COMMAND_STATUS).length);
  });

  it('names known codes and prints others in hex', () => {
    expect(commandStatusName(0x58)).toBe('ESME_RTHROTTLED');
    expect(commandStatusName(0x0e)).toBe('ESME_RINVPASWD');
    expect(commandStatusName(0x400)).toBe('0x00000400');
    expect(commandStatusName(0xffffffff)).toBe('0xffffffff');
  });

  it('classifies: throttling pauses the bind, transient retries, the rest is permanent', () => {
    expect(classifyCommandStatus(COMMAND_STATUS.ESME_ROK)).toBe('ok');
    expect(classifyCommandStatus(COMMAND_STATUS.ESME_RTHROTTLED)).toBe('throttled');
    expect(classifyCommandStatus(COMMAND_STATUS.ESME_RMSGQFUL)).toBe('throttled');
    expect(classifyCommandStatus(COMMAND_STATUS.ESME_RSYSERR)).toBe('transient');
    expect(classifyCommandStatus(COMMAND_STATUS.ESME_RX_T_APPN)).toBe('transient');
    expect(classifyCommandStatus(COMMAND_STATUS.ESME_RINVDSTADR)).toBe('permanent');
    expect(classifyCommandStatus(COMMAND_STATUS.ESME_RX_P_APPN)).toBe('permanent');
    expect(classifyCommandStatus(COMMAND_STATUS.ESME_RSUBMITFAIL)).toBe('permanent');
    expect(classifyCommandStatus(0x401)).toBe('permanent');
    expect(isTransientStatus(COMMAND_STATUS.ESME_RTHROTTLED)).toBe(true);
    expect(isTransientStatus(COMMAND_STATUS.ESME_ROK)).toBe(false);
    expect(isTransientStatus(COMMAND_STATUS.ESME_RINVPASWD)).toBe(false);
  });
});
