import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_STATUS, type Pdu } from '../pdu/index.js';
import { SmppSessionError } from './session-error.js';
import { SmppSession, type SmppSessionHandlers, type SmppSessionOptions } from './smpp-session.js';
import { type PeerScript, type ScriptedPeer, deliverSm, sleep, startScriptedPeer, submitSm, waitFor } from './scripted-peer.test-helper.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  script?: PeerScript,
  options: Partial<SmppSessionOptions> = {},
  handlers: SmppSessionHandlers = {},
): Promise<{ peer: ScriptedPeer; session: SmppSession }> {
  const peer = await startScriptedPeer(script);
  const session = new SmppSession({ host: '127.0.0.1', port: peer.port, systemId: 'parley', password: 'secret', responseTimeoutMs: 1000, ...options }, handlers);
  cleanups.push(() => peer.close());
  cleanups.push(async () => {
    const closing = session.close();
    await Promise.race([closing, sleep(500)]);
  });
  return { peer, session };
}

function commands(pdus: readonly Pdu[]): string[] {
  return pdus.map((p) => p.command);
}

describe('SmppSession', () => {
  it('binds as a transceiver with the credentials', async () => {
    const { peer, session } = await setup(undefined, { systemType: 'PRLY' });
    await session.connect();
    expect(session.state).toBe('bound');
    const bind = peer.received[0];
    expect(bind).toMatchObject({ command: 'bind_transceiver', systemId: 'parley', password: 'secret', systemType: 'PRLY', interfaceVersion: 0x34 });
    const response = await session.request(submitSm());
    expect(response).toMatchObject({ command: 'submit_sm_resp', status: 0, messageId: '1' });
  });

  it('binds as a receiver when asked', async () => {
    const { peer, session } = await setup(undefined, { bindMode: 'receiver' });
    await session.connect();
    expect(peer.received[0]?.command).toBe('bind_receiver');
  });

  it.each([
    ['ESME_RINVPASWD', COMMAND_STATUS.ESME_RINVPASWD],
    ['ESME_RINVSYSID', COMMAND_STATUS.ESME_RINVSYSID],
    ['ESME_RBINDFAIL', COMMAND_STATUS.ESME_RBINDFAIL],
  ])('goes auth_failed with %s', async (name, status) => {
    const { session } = await setup((pdu, conn) => {
      if (pdu.command !== 'bind_transceiver') return false;
      conn.send({ command: 'bind_transceiver_resp', sequenceNumber: pdu.sequenceNumber, status, tlvs: [], systemId: '' });
      return true;
    });
    await expect(session.connect()).rejects.toMatchObject({ code: 'auth_failed', statusName: name });
    await waitFor(() => session.state === 'auth_failed');
    expect(session.lastError?.statusName).toBe(name);
  });

  it('answers enquire_link from the SMSC and sends its own when idle', async () => {
    const { peer, session } = await setup(undefined, { enquireLinkSeconds: 0.05 });
    await session.connect();
    peer.connections[0]!.send({ command: 'enquire_link', sequenceNumber: 77, status: 0, tlvs: [] });
    await waitFor(() => peer.received.filter((p) => p.command === 'enquire_link').length >= 2);
    // Our reply to the peer's enquire_link carries its sequence number.
    await waitFor(() => peer.received.some((p) => p.command === 'enquire_link_resp' && p.sequenceNumber === 77));
    expect(session.state).toBe('bound');
  });

  it('never has more than windowSize requests outstanding', async () => {
    let outstanding = 0;
    let maxOutstanding = 0;
    const { session } = await setup(
      (pdu, conn) => {
        if (pdu.command !== 'submit_sm') return false;
        outstanding += 1;
        maxOutstanding = Math.max(maxOutstanding, outstanding);
        setTimeout(() => {
          outstanding -= 1;
          conn.send({ command: 'submit_sm_resp', sequenceNumber: pdu.sequenceNumber, status: 0, tlvs: [], messageId: String(pdu.sequenceNumber) });
        }, 20);
        return true;
      },
      { windowSize: 3 },
    );
    await session.connect();
    const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => session.request(submitSm(`m${i}`))));
    expect(responses).toHaveLength(12);
    expect(maxOutstanding).toBe(3);
  });

  it('keeps submits within the TPS limit', async () => {
    const { peer, session } = await setup(undefined, { tps: 50 });
    await session.connect();
    const started = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => session.request(submitSm())));
    const elapsed = Date.now() - started;
    // Burst of 5 tokens, then 25 more at 50/s: at least ~500 ms; generous upper bound for CI.
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(5000); // generous: only a loaded machine makes it slower;
    expect(peer.received.filter((p) => p.command === 'submit_sm')).toHaveLength(30);
  });

  it('rejects with response_timeout when no response comes, and frees the slot', async () => {
    let first = true;
    const { session } = await setup(
      (pdu) => {
        if (pdu.command !== 'submit_sm' || !first) return false;
        first = false;
        return true; // swallow the first submit
      },
      { responseTimeoutMs: 100, windowSize: 1 },
    );
    await session.connect();
    const error = await session.request(submitSm()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmppSessionError);
    expect(error).toMatchObject({ code: 'response_timeout', outcome: 'unknown' });
    await expect(session.request(submitSm())).resolves.toMatchObject({ status: 0 });
  });

  it('rejects pending requests with connection_lost when the peer drops the link', async () => {
    const { peer, session } = await setup((pdu, conn) => {
      if (pdu.command !== 'submit_sm') return false;
      conn.destroy();
      return true;
    });
    await session.connect();
    await expect(session.request(submitSm())).rejects.toMatchObject({ code: 'connection_lost', outcome: 'unknown' });
    await waitFor(() => session.state === 'down');
    expect(session.lastError?.code).toBe('connection_lost');
    await expect(session.request(submitSm())).rejects.toMatchObject({ code: 'not_bound', outcome: 'not_sent' });
    expect(peer.connections).toHaveLength(1);
  });

  it('rejects with generic_nack when the SMSC nacks a request', async () => {
    const { session } = await setup((pdu, conn) => {
      if (pdu.command !== 'submit_sm') return false;
      conn.send({ command: 'generic_nack', sequenceNumber: pdu.sequenceNumber, status: COMMAND_STATUS.ESME_RINVCMDID, tlvs: [] });
      return true;
    });
    await session.connect();
    await expect(session.request(submitSm())).rejects.toMatchObject({ code: 'generic_nack', statusName: 'ESME_RINVCMDID' });
    expect(session.state).toBe('bound');
  });

  it('answers an unknown command from the peer with generic_nack and stays bound', async () => {
    const { peer, session } = await setup();
    await session.connect();
    const garbage = new Uint8Array(16);
    new DataView(garbage.buffer).setUint32(0, 16);
    new DataView(garbage.buffer).setUint32(4, 0x00000077);
    new DataView(garbage.buffer).setUint32(12, 4242);
    peer.connections[0]!.writeRaw(garbage);
    await waitFor(() => peer.received.some((p) => p.command === 'generic_nack'));
    expect(peer.received.find((p) => p.command === 'generic_nack')).toMatchObject({ sequenceNumber: 4242, status: COMMAND_STATUS.ESME_RINVCMDID });
    await expect(session.request(submitSm())).resolves.toMatchObject({ status: 0 });
  });

  it('closes and goes down on a framing error', async () => {
    const { peer, session } = await setup();
    await session.connect();
    const bad = new Uint8Array(16);
    new DataView(bad.buffer).setUint32(0, 0xfffffff0);
    peer.connections[0]!.writeRaw(bad);
    await waitFor(() => session.state === 'down');
    expect(session.lastError?.code).toBe('protocol_error');
  });

  it('acknowledges deliver_sm only after the handler resolves, with its status', async () => {
    let release: (status: number) => void = () => undefined;
    const delivered: Pdu[] = [];
    const { peer, session } = await setup(undefined, {}, {
      onDeliver: (pdu) => {
        delivered.push(pdu);
        return new Promise<number>((resolve) => {
          release = resolve;
        });
      },
    });
    await session.connect();
    peer.connections[0]!.send(deliverSm(9));
    await waitFor(() => delivered.length === 1);
    await sleep(30);
    expect(commands(peer.received)).not.toContain('deliver_sm_resp');
    release(COMMAND_STATUS.ESME_ROK);
    await waitFor(() => peer.received.some((p) => p.command === 'deliver_sm_resp'));
    expect(peer.received.find((p) => p.command === 'deliver_sm_resp')).toMatchObject({ sequenceNumber: 9, status: 0 });
  });

  it('answers ESME_RX_T_APPN when the deliver handler throws', async () => {
    const { peer, session } = await setup(undefined, {}, { onDeliver: () => Promise.reject(new Error('db down')) });
    await session.connect();
    peer.connections[0]!.send(deliverSm(10));
    await waitFor(() => peer.received.some((p) => p.command === 'deliver_sm_resp'));
    expect(peer.received.find((p) => p.command === 'deliver_sm_resp')).toMatchObject({ sequenceNumber: 10, status: COMMAND_STATUS.ESME_RX_T_APPN });
  });

  it('pauses submits after ESME_RTHROTTLED and then succeeds with the same message', async () => {
    let throttled = 0;
    const { peer, session } = await setup(
      (pdu, conn) => {
        if (pdu.command !== 'submit_sm' || throttled >= 2) return false;
        throttled += 1;
        const status = throttled === 1 ? COMMAND_STATUS.ESME_RTHROTTLED : COMMAND_STATUS.ESME_RMSGQFUL;
        conn.send({ command: 'submit_sm_resp', sequenceNumber: pdu.sequenceNumber, status, tlvs: [], messageId: '' });
        return true;
      },
      { throttleInitialMs: 50, throttleMaxMs: 200 },
    );
    await session.connect();
    const started = Date.now();
    const response = await session.request(submitSm('keep me'));
    expect(response.status).toBe(0);
    // 50 ms then 100 ms of pause.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const submits = peer.received.filter((p) => p.command === 'submit_sm');
    expect(submits).toHaveLength(3);
    expect(submits.map((p) => (p.command === 'submit_sm' ? new TextDecoder().decode(p.shortMessage) : ''))).toEqual(['keep me', 'keep me', 'keep me']);
  });

  it('closes gracefully: waits for outstanding responses, unbinds, ends the socket', async () => {
    const { peer, session } = await setup((pdu, conn) => {
      if (pdu.command !== 'submit_sm') return false;
      setTimeout(() => conn.send({ command: 'submit_sm_resp', sequenceNumber: pdu.sequenceNumber, status: 0, tlvs: [], messageId: 'late' }), 50);
      return true;
    });
    await session.connect();
    const inFlight = session.request(submitSm());
    await waitFor(() => peer.received.some((p) => p.command === 'submit_sm'));
    await session.close();
    await expect(inFlight).resolves.toMatchObject({ messageId: 'late' });
    expect(commands(peer.received)).toEqual(['bind_transceiver', 'submit_sm', 'unbind']);
    expect(session.state).toBe('down');
    expect(session.lastError).toBeUndefined();
    await expect(session.request(submitSm())).rejects.toMatchObject({ code: 'not_bound' });
  });

  it('wraps sequence numbers within 1..0x7FFFFFFF', async () => {
    const { peer, session } = await setup();
    await session.connect();
    // Reach the wrap without sending two billion PDUs: the counter is private by design.
    (session as unknown as { nextSequence: number }).nextSequence = 0x7fffffff;
    await session.request(submitSm());
    await session.request(submitSm());
    const seqs = peer.received.filter((p) => p.command === 'submit_sm').map((p) => p.sequenceNumber);
    expect(seqs).toEqual([0x7fffffff, 1]);
  });
});
