import { describe, expect, it } from 'vitest';
import { ManualClock, uuidV7Ids } from '../../runtime/clock-and-ids.js';
import { CarrierError, type CarrierEventSink, type DeliveryReceipt, type InboundSms } from '../carrier.js';
import { SimulatorCarrier, validateSimulatorSettings } from './simulator.carrier.js';

interface Recorded {
  receipts: DeliveryReceipt[];
  inbound: InboundSms[];
  sink: CarrierEventSink;
}

function recordingSink(options: { failReceipts?: number } = {}): Recorded {
  let failures = options.failReceipts ?? 0;
  const recorded: Recorded = {
    receipts: [],
    inbound: [],
    sink: {
      receipt: async (receipt) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('store unavailable');
        }
        recorded.receipts.push(receipt);
      },
      inbound: async (sms) => {
        recorded.inbound.push(sms);
      },
    },
  };
  return recorded;
}

function simulator(settings: Record<string, unknown>, recorded: Recorded, random = () => 0.5): SimulatorCarrier {
  return new SimulatorCarrier('sim-1', settings, { sink: recorded.sink, clock: new ManualClock(), ids: uuidV7Ids }, random);
}

const request = (segments = 1) => ({
  messageId: 'm1',
  from: '+12015550100',
  to: '+12015550123',
  body: 'hello',
  encoding: 'GSM-7' as const,
  segments,
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error('condition not met');
}

describe('SimulatorCarrier', () => {
  it('accepts a submit with one distinct id per part, then reports each part delivered', async () => {
    const recorded = recordingSink();
    const sim = simulator({ deliveryDelayMs: 1 }, recorded);
    await sim.start();
    expect(sim.status()).toBe('ready');
    const { carrierMessageIds } = await sim.submit(request(3));
    expect(carrierMessageIds).toHaveLength(3);
    expect(new Set(carrierMessageIds).size).toBe(3);
    await waitFor(() => recorded.receipts.length === 3);
    expect(recorded.receipts.map((r) => r.carrierMessageId)).toEqual(carrierMessageIds);
    expect(recorded.receipts.every((r) => r.status === 'delivered' && r.errorCode === null && r.carrierId === 'sim-1')).toBe(
      true,
    );
    expect(sim.handsetMessages('+12015550123')).toMatchObject([
      { direction: 'to_handset', peer: '+12015550100', body: 'hello', carrierMessageId: carrierMessageIds[0] },
    ]);
  });

  it('reports the failureRate share undelivered', async () => {
    const recorded = recordingSink();
    const sim = simulator({ deliveryDelayMs: 0, failureRate: 1 }, recorded, Math.random);
    await sim.submit(request());
    await waitFor(() => recorded.receipts.length === 1);
    expect(recorded.receipts[0]).toMatchObject({ status: 'undelivered', errorCode: 'handset_unreachable' });
    const never = recordingSink();
    const fine = simulator({ deliveryDelayMs: 0, failureRate: 0 }, never, () => 0);
    await fine.submit(request());
    await waitFor(() => never.receipts.length === 1);
    expect(never.receipts[0]?.status).toBe('delivered');
  });

  it('reports pending receipts when stopped, then refuses submits as retryable', async () => {
    const recorded = recordingSink();
    const sim = simulator({ deliveryDelayMs: 3_600_000 }, recorded);
    await sim.submit(request(2));
    expect(recorded.receipts).toHaveLength(0);
    await sim.stop();
    expect(recorded.receipts).toHaveLength(2);
    expect(sim.status()).toBe('down');
    const refused = await sim.submit(request()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CarrierError);
    expect(refused).toMatchObject({ code: 'carrier_unavailable', retryable: true });
  });

  it('keeps flushing the other pending receipts when one fails to record', async () => {
    const recorded = recordingSink({ failReceipts: 1 });
    const sim = simulator({ deliveryDelayMs: 3_600_000 }, recorded);
    await sim.submit({ ...request(), messageId: 'a' });
    await sim.submit({ ...request(), messageId: 'b' });
    await sim.stop();
    expect(recorded.receipts).toHaveLength(1);
  });

  it('hands a text from a virtual handset to the sink', async () => {
    const recorded = recordingSink();
    const sim = simulator({}, recorded);
    const id = await sim.inbound('+12015550123', '+12015550100', 'hi there');
    expect(recorded.inbound).toMatchObject([
      { carrierId: 'sim-1', from: '+12015550123', to: '+12015550100', body: 'hi there', carrierMessageId: id },
    ]);
    expect(sim.handsetMessages('+12015550123')).toMatchObject([{ direction: 'from_handset', peer: '+12015550100' }]);
    expect(sim.handsetMessages('+12015550199')).toEqual([]);
  });

  it('remembers the 10,000 most recently used handsets, not every number ever texted', async () => {
    const recorded = recordingSink();
    const sim = simulator({ deliveryDelayMs: 3_600_000 }, recorded);
    const handset = (i: number): string => `+1201555${String(i).padStart(4, '0')}`;
    await sim.submit({ ...request(), to: handset(0) });
    for (let i = 1; i <= 10_000; i++) {
      await sim.submit({ ...request(), messageId: `m${i}`, to: handset(i) });
      // Handset 1 is used again and again: it stays, while handset 0 ages out.
      if (i % 1000 === 0) await sim.submit({ ...request(), messageId: `again${i}`, to: handset(1) });
    }
    expect(sim.handsetMessages(handset(0))).toEqual([]);
    expect(sim.handsetMessages(handset(1)).length).toBeGreaterThan(1);
    expect(sim.handsetMessages(handset(10_000))).toHaveLength(1);
    await sim.stop();
  });
});

describe('validateSimulatorSettings', () => {
  it('accepts empty and valid settings', () => {
    expect(validateSimulatorSettings({})).toBeNull();
    expect(validateSimulatorSettings({ deliveryDelayMs: 0, failureRate: 0.25 })).toBeNull();
  });

  it('names the bad setting', () => {
    expect(validateSimulatorSettings({ failureRate: -0.1 })).toMatch(/^failureRate: /);
    expect(validateSimulatorSettings({ deliveryDelayMs: 1.5 })).toMatch(/^deliveryDelayMs: /);
    expect(validateSimulatorSettings({ deliveryDelayMs: '5' })).toMatch(/^deliveryDelayMs: /);
  });
});
