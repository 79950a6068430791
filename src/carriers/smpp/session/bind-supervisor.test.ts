import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_STATUS } from '../pdu/index.js';
import { SmppBindSupervisor, type SmppBindSupervisorOptions } from './bind-supervisor.js';
import { type PeerScript, type ScriptedPeer, sleep, startScriptedPeer, submitSm, waitFor } from './scripted-peer.test-helper.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(script: PeerScript | undefined, options: Partial<SmppBindSupervisorOptions>): Promise<{ peer: ScriptedPeer; supervisor: SmppBindSupervisor }> {
  const peer = await startScriptedPeer(script);
  const supervisor = new SmppBindSupervisor({
    session: { host: '127.0.0.1', port: peer.port, systemId: 'parley', password: 'secret', responseTimeoutMs: 500, closeTimeoutMs: 200 },
    ...options,
  });
  cleanups.push(() => peer.close());
  cleanups.push(() => supervisor.stop());
  return { peer, supervisor };
}

describe('SmppBindSupervisor', () => {
  it('reconnects with backoff after the link drops mid-request', async () => {
    let drops = 0;
    const { peer, supervisor } = await setup(
      (pdu, conn) => {
        if (pdu.command !== 'submit_sm' || drops > 0) return false;
        drops += 1;
        conn.destroy();
        return true;
      },
      { backoffInitialMs: 80, backoffMinMs: 0, random: () => 0.99 },
    );
    supervisor.start();
    await waitFor(() => supervisor.status === 'bound');
    await expect(supervisor.request(submitSm())).rejects.toMatchObject({ code: 'connection_lost' });
    const lostAt = Date.now();
    await waitFor(() => supervisor.status === 'down');
    expect(supervisor.lastError?.code).toBe('connection_lost');
    await waitFor(() => supervisor.status === 'bound');
    // Jitter drew 0.99 of the 80 ms ceiling: no immediate reconnect.
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(60);
    expect(peer.connections).toHaveLength(2);
    await expect(supervisor.request(submitSm())).resolves.toMatchObject({ status: 0 });
  });

  it('retries a refused connection with growing delays', async () => {
    // Port 1 (tcpmux) has no listener here: every connect is refused. A port freed by a
    // closed test server could be taken by another test file's server meanwhile.
    const port = 1;
    const supervisor = new SmppBindSupervisor({
      session: { host: '127.0.0.1', port, systemId: 'parley', password: 'secret' },
      backoffInitialMs: 20,
      backoffMaxMs: 80,
      backoffMinMs: 0,
      random: () => 0.99,
    });
    cleanups.push(() => supervisor.stop());
    const started = Date.now();
    supervisor.start();
    // Delays ~20, 40, 80, 80, 80…: it keeps trying (waited for, so a loaded CI machine
    // cannot make this flaky), and the third attempt cannot come before 20 + 40 ms.
    await waitFor(() => supervisor.attempts >= 3, 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    // Never dozens: a slow machine only makes fewer attempts, so this bound is safe.
    const before = supervisor.attempts;
    await sleep(400);
    expect(supervisor.attempts - before).toBeLessThanOrEqual(8);
    expect(supervisor.status).toBe('down');
    expect(supervisor.lastError?.code).toBe('connect_failed');
  });

  it('retries slowly after auth_failed, never in a hot loop', async () => {
    const { peer, supervisor } = await setup(
      (pdu, conn) => {
        if (pdu.command !== 'bind_transceiver') return false;
        conn.send({ command: 'bind_transceiver_resp', sequenceNumber: pdu.sequenceNumber, status: COMMAND_STATUS.ESME_RINVPASWD, tlvs: [], systemId: '' });
        return true;
      },
      { authRetryMs: 150, backoffInitialMs: 1, backoffMinMs: 0 },
    );
    supervisor.start();
    await waitFor(() => supervisor.status === 'auth_failed');
    expect(supervisor.lastError).toMatchObject({ code: 'auth_failed', statusName: 'ESME_RINVPASWD' });
    const bindsSoFar = () => peer.received.filter((p) => p.command === 'bind_transceiver').length;
    // It does retry (waited for, so load cannot make this flaky)…
    await waitFor(() => bindsSoFar() >= 2, 5000);
    // …but one per 150 ms at most, despite a 1 ms connection-loss backoff.
    const before = bindsSoFar();
    await sleep(400);
    expect(bindsSoFar() - before).toBeLessThanOrEqual(3);
  });

  it('uses full jitter under an exponential ceiling capped at backoffMaxMs', () => {
    const high = new SmppBindSupervisor({ session: { host: '127.0.0.1', port: 1, systemId: 'x', password: 'y' }, random: () => 0.999999 });
    expect([0, 1, 2, 3, 6, 10, 40].map((n) => high.backoffDelay(n))).toEqual([999, 1999, 3999, 7999, 59999, 59999, 59999]);
    const low = new SmppBindSupervisor({ session: { host: '127.0.0.1', port: 1, systemId: 'x', password: 'y' }, random: () => 0 });
    expect(low.backoffDelay(5)).toBe(100);
  });

  it('stop() unbinds and stops reconnecting', async () => {
    const { peer, supervisor } = await setup(undefined, { backoffInitialMs: 10, backoffMinMs: 0 });
    supervisor.start();
    await waitFor(() => supervisor.status === 'bound');
    await supervisor.stop();
    await sleep(60);
    expect(peer.received.map((p) => p.command)).toEqual(['bind_transceiver', 'unbind']);
    expect(peer.connections).toHaveLength(1);
    expect(supervisor.status).toBe('down');
  });
});
