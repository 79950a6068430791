import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { ManualClock, uuidV7Ids } from '../runtime/clock-and-ids.js';
import type { Carrier, CarrierContext, CarrierEventSink, CarrierStatus, SubmitResult } from './carrier.js';
import { CARRIER_TYPES, CarrierRegistry, type CarrierDefinition } from './carrier-registry.js';

const sink: CarrierEventSink = { receipt: async () => undefined, inbound: async () => undefined };
const context: CarrierContext = { sink, clock: new ManualClock(), ids: uuidV7Ids };

/** A fake carrier for the registry's bookkeeping: counts starts; `shouldFail` decides each start. */
class CountingCarrier implements Carrier {
  readonly type = 'counting';
  starts = 0;
  stops = 0;
  constructor(
    readonly id: string,
    private readonly shouldFail: () => boolean,
  ) {}
  status(): CarrierStatus {
    return this.stops > 0 ? 'down' : 'bound';
  }
  async start(): Promise<void> {
    this.starts += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.shouldFail()) throw new Error('connection refused');
  }
  async submit(): Promise<SubmitResult> {
    return { carrierMessageIds: ['x'] };
  }
  async stop(): Promise<void> {
    this.stops += 1;
  }
}

function registry(options: { failFirstStart?: boolean } = {}): { registry: CarrierRegistry; created: CountingCarrier[] } {
  const created: CountingCarrier[] = [];
  let failuresLeft = options.failFirstStart ? 1 : 0;
  const shouldFail = (): boolean => failuresLeft-- > 0;
  const counting: CarrierDefinition = {
    validate: (settings) => (settings.port === 'bad' ? 'port: must be a number' : null),
    create: (id) => {
      const carrier = new CountingCarrier(id, shouldFail);
      created.push(carrier);
      return carrier;
    },
  };
  return { registry: new CarrierRegistry(context, { ...CARRIER_TYPES, counting }), created };
}

function errorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('CarrierRegistry', () => {
  it('refuses an unknown carrier type, naming the field', () => {
    const { registry: r } = registry();
    expect(errorOf(() => r.validate('telepathy', {}))).toMatchObject({ code: 'carrier_type_unsupported', field: 'type' });
  });

  it('reports bad settings with the setting as the field', () => {
    const { registry: r } = registry();
    expect(errorOf(() => r.validate('counting', { port: 'bad' }))).toMatchObject({ code: 'validation_error', field: 'port' });
    expect(errorOf(() => r.validate('simulator', { failureRate: 2 }))).toMatchObject({
      code: 'validation_error',
      field: 'failureRate',
    });
    expect(errorOf(() => r.validate('simulator', { colour: 'blue' })).code).toBe('validation_error');
    expect(() => r.validate('simulator', { deliveryDelayMs: 0, failureRate: 0.5 })).not.toThrow();
  });

  it('starts one adapter per carrier, however many callers ask at once', async () => {
    const { registry: r, created } = registry();
    const spec = { id: 'c1', type: 'counting', settings: {} };
    const [a, b, c] = await Promise.all([r.ensure(spec), r.ensure(spec), r.ensure(spec)]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(created).toHaveLength(1);
    expect(created[0]?.starts).toBe(1);
    expect(r.get('c1')).toBe(a);
    expect(r.status('c1')).toBe('bound');
  });

  it('tries again after a start that failed, instead of failing forever', async () => {
    const { registry: r, created } = registry({ failFirstStart: true });
    const spec = { id: 'c2', type: 'counting', settings: {} };
    await expect(r.ensure(spec)).rejects.toThrow('connection refused');
    expect(r.status('c2')).toBe('down');
    const carrier = await r.ensure(spec);
    expect(carrier.status()).toBe('bound');
    expect(created.reduce((n, c) => n + c.starts, 0)).toBe(2);
  });

  it('reports down for a carrier it has not started, and stops every adapter', async () => {
    const { registry: r, created } = registry();
    expect(r.status('never')).toBe('down');
    await r.ensure({ id: 'c3', type: 'counting', settings: {} });
    await r.ensure({ id: 'c4', type: 'counting', settings: {} });
    await r.stopAll();
    expect(created.map((c) => c.stops)).toEqual([1, 1]);
    expect(r.get('c3')).toBeUndefined();
    expect(r.status('c3')).toBe('down');
  });

  it('reports lastError from adapters that have one, null otherwise', async () => {
    const { registry: r } = registry();
    expect(r.lastError('never')).toBeNull();
    // CountingCarrier has no lastError(): the method is optional on the port.
    await r.ensure({ id: 'c6', type: 'counting', settings: {} });
    expect(r.lastError('c6')).toBeNull();

    const failing = new CountingCarrier('c7', () => false);
    const withError = Object.assign(failing, { lastError: (): string | null => 'bind refused: ESME_RBINDFAIL' });
    const r2 = new CarrierRegistry(context, { counting: { validate: () => null, create: () => withError } });
    await r2.ensure({ id: 'c7', type: 'counting', settings: {} });
    expect(r2.lastError('c7')).toBe('bind refused: ESME_RBINDFAIL');
    await r2.stopAll();
    expect(r2.lastError('c7')).toBeNull();
  });

  it('refuses to create an adapter of an unknown type', async () => {
    const { registry: r } = registry();
    await expect(r.ensure({ id: 'c5', type: 'telepathy', settings: {} })).rejects.toMatchObject({
      code: 'carrier_type_unsupported',
    });
  });
});
