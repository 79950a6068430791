import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, uuidV7Ids } from '../../runtime/clock-and-ids.js';
import type { CarrierContext, DeliveryReceipt, InboundSms } from '../carrier.js';
import { waitFor } from './session/scripted-peer.test-helper.js';
import { LocalSmsc, type LocalSmscOptions } from './smsc/local-smsc.js';
import { SmppCarrier } from './smpp.carrier.js';

/**
 * Bind layouts and transport against the local SMSC over real TCP / TLS: transmitter +
 * receiver pairs, several binds per carrier, and TLS with certificate verification.
 */

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/tls/${name}`, import.meta.url), 'utf8');

interface Setup {
  smsc: LocalSmsc;
  carrier: SmppCarrier;
  receipts: DeliveryReceipt[];
  inbound: InboundSms[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  settings: Record<string, unknown>,
  smscOptions: LocalSmscOptions = {},
  clock: CarrierContext['clock'] = new ManualClock(),
): Promise<Setup> {
  const smsc = new LocalSmsc({ port: 0, receiptDelayMs: 10, ...smscOptions });
  const port = await smsc.listen();
  const receipts: DeliveryReceipt[] = [];
  const inbound: InboundSms[] = [];
  const context: CarrierContext = {
    sink: {
      receipt: async (receipt) => void receipts.push(receipt),
      inbound: async (sms) => void inbound.push(sms),
    },
    clock,
    ids: uuidV7Ids,
  };
  const carrier = new SmppCarrier(
    'car_binds',
    { host: '127.0.0.1', port, systemId: 'parley', password: 'secret', ...settings },
    context,
    { responseTimeoutMs: 2000, closeTimeoutMs: 500, backoffInitialMs: 50, backoffMaxMs: 200, authRetryMs: 60_000 },
  );
  cleanups.push(async () => {
    await carrier.stop();
    await smsc.close();
  });
  await carrier.start();
  return { smsc, carrier, receipts, inbound };
}

function request(n: number) {
  return { messageId: `msg_${n}`, from: '+15550001111', to: '+15550002222', body: `hello ${n}`, encoding: 'GSM-7' as const, segments: 1 };
}

describe('transmitter + receiver bind pairs', () => {
  it('submits on the transmitter and takes receipts and replies on the receiver', async () => {
    const { smsc, carrier, receipts, inbound } = await setup({ bindMode: 'transmitter-receiver' });
    await waitFor(() => carrier.status() === 'bound');
    expect(smsc.boundSessions.map((s) => s.mode).sort()).toEqual(['receiver', 'transmitter']);
    const transmitter = smsc.boundSessions.find((s) => s.mode === 'transmitter');

    const result = await carrier.submit(request(1));
    const [received] = await smsc.waitForSubmits(1);
    expect(received?.sessionId).toBe(transmitter?.id);
    await waitFor(() => receipts.length === 1);
    expect(receipts[0]).toMatchObject({ carrierMessageId: result.carrierMessageIds[0], status: 'delivered' });
    // The receipt went to the receiver: the SMSC may not send deliver_sm to a transmitter.
    expect(smsc.receipts[0]?.sessionId).not.toBe(transmitter?.id);

    const mo = await smsc.sendFromHandset({ from: '+15550002222', to: '+15550001111', text: 'yes please' });
    expect(mo.statuses).toEqual([0]);
    expect(mo.sessionId).not.toBe(transmitter?.id);
    expect(inbound.map((sms) => sms.body)).toEqual(['yes please']);
  });

  it('is not bound while either half is down, and recovers when it rebinds', async () => {
    const { smsc, carrier } = await setup({ bindMode: 'transmitter-receiver' });
    await waitFor(() => carrier.status() === 'bound');
    const receiver = smsc.boundSessions.find((s) => s.mode === 'receiver');
    expect(receiver).toBeDefined();
    smsc.dropSession(receiver?.id ?? -1);
    // Texts could still go out, but their receipts and replies would pile up unseen.
    await waitFor(() => carrier.status() === 'connecting');
    await waitFor(() => carrier.status() === 'bound');
    expect(smsc.boundSessions.map((s) => s.mode).sort()).toEqual(['receiver', 'transmitter']);
  });

  it('opens one pair per configured bind', async () => {
    const { smsc, carrier } = await setup({ bindMode: 'transmitter-receiver', binds: 2 });
    await waitFor(() => carrier.status() === 'bound' && smsc.boundSessions.length === 4);
    expect(smsc.boundSessions.map((s) => s.mode).sort()).toEqual(['receiver', 'receiver', 'transmitter', 'transmitter']);
  });
});

describe('several binds per carrier', () => {
  it('spreads submits round-robin over every bound transceiver', async () => {
    const { smsc, carrier, receipts } = await setup({ binds: 3 });
    // Bound on both sides: the SMSC may count a bind before its bind_resp has reached Parley.
    await waitFor(() => smsc.boundSessions.length === 3 && carrier.bindStatuses().every((b) => b.status === 'bound'));
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => carrier.submit(request(i))));
    const received = await smsc.waitForSubmits(9);
    const perSession = new Map<number, number>();
    for (const message of received) perSession.set(message.sessionId, (perSession.get(message.sessionId) ?? 0) + 1);
    expect([...perSession.values()]).toEqual([3, 3, 3]);
    // Each receipt comes back on the bind that submitted it and still names its message.
    await waitFor(() => receipts.length === 9);
    expect(new Set(receipts.map((r) => r.carrierMessageId))).toEqual(new Set(results.flatMap((r) => r.carrierMessageIds)));
  });

  it('keeps sending on the remaining binds while one reconnects', async () => {
    const { smsc, carrier } = await setup({ binds: 2 });
    await waitFor(() => smsc.boundSessions.length === 2 && carrier.bindStatuses().every((b) => b.status === 'bound'));
    const [first] = smsc.boundSessions;
    smsc.dropSession(first?.id ?? -1);
    await waitFor(() => smsc.boundSessions.length === 1 && carrier.bindStatuses().filter((b) => b.status === 'bound').length === 1);
    expect(carrier.status()).toBe('bound');
    for (let i = 0; i < 4; i++) await carrier.submit(request(i));
    const received = await smsc.waitForSubmits(4);
    expect(received.every((m) => m.sessionId !== first?.id)).toBe(true);
    await waitFor(() => smsc.boundSessions.length === 2);
  });

  it('applies the TPS limit to each bind, so binds add throughput', async () => {
    // 3 binds at 2 submits/s each (burst 1): the first 3 go out at once, one per bind, and
    // after that no bind sends twice within 500 ms. Only lower bounds on gaps are asserted, so
    // a slow machine cannot fail it. The session's TPS runs on the carrier clock: a real one here.
    const { smsc, carrier } = await setup({ binds: 3, tps: 2 }, {}, { now: () => new Date() });
    await waitFor(() => smsc.boundSessions.length === 3 && carrier.bindStatuses().every((b) => b.status === 'bound'));
    await Promise.all(Array.from({ length: 7 }, (_, i) => carrier.submit(request(i))));
    const received = await smsc.waitForSubmits(7);
    expect(new Set(received.slice(0, 3).map((m) => m.sessionId)).size).toBe(3);
    const bySession = new Map<number, typeof received>();
    for (const m of received) bySession.set(m.sessionId, [...(bySession.get(m.sessionId) ?? []), m]);
    expect(bySession.size).toBe(3);
    for (const messages of bySession.values()) {
      for (let i = 1; i < messages.length; i++) {
        const gap = (messages[i]?.receivedAt.getTime() ?? 0) - (messages[i - 1]?.receivedAt.getTime() ?? 0);
        expect(gap).toBeGreaterThanOrEqual(480);
      }
    }
  });
});

describe('TLS', () => {
  const tls = { key: fixture('smsc-key.pem'), cert: fixture('smsc-cert.pem') };

  it('binds over TLS, verifying the SMSC certificate against the configured CA', async () => {
    const { smsc, carrier, receipts } = await setup({ tls: true, tlsCa: fixture('smsc-cert.pem') }, { tls });
    await waitFor(() => carrier.status() === 'bound');
    expect(smsc.boundSessions).toHaveLength(1);
    const result = await carrier.submit({ ...request(1), body: 'über TLS ✓', encoding: 'UCS-2', segments: 1 });
    const [received] = await smsc.waitForSubmits(1);
    expect(received?.text).toBe('über TLS ✓');
    await waitFor(() => receipts.length === 1);
    expect(receipts[0]?.carrierMessageId).toBe(result.carrierMessageIds[0]);
  });

  it('refuses an SMSC whose certificate it cannot verify, and says why', async () => {
    const { smsc, carrier } = await setup({ tls: true, tlsCa: fixture('other-cert.pem') }, { tls });
    await waitFor(() => carrier.lastError() !== null);
    expect(carrier.status()).not.toBe('bound');
    expect(smsc.boundSessions).toHaveLength(0);
    expect(carrier.lastError()).toMatch(/certificate/i);
  });

  it('does not speak plain SMPP to a TLS port', async () => {
    const { smsc, carrier } = await setup({}, { tls });
    await waitFor(() => carrier.lastError() !== null);
    expect(carrier.status()).not.toBe('bound');
    expect(smsc.boundSessions).toHaveLength(0);
  });
});
