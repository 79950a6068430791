import { AppError } from '../domain/errors.js';
import type { Carrier, CarrierContext, CarrierFactory, CarrierStatus } from './carrier.js';
import { SimulatorCarrier, validateSimulatorSettings } from './simulator/simulator.carrier.js';
import { SmppCarrier, validateSmppSettings } from './smpp/smpp.carrier.js';

export interface CarrierDefinition {
  /** Returns a message naming the bad setting, or null when the settings are valid. */
  validate(settings: Record<string, unknown>): string | null;
  create: CarrierFactory;
}

/** Adapters by type. SMPP and HTTP providers register here when they land. */
export const CARRIER_TYPES: Record<string, CarrierDefinition> = {
  simulator: {
    validate: validateSimulatorSettings,
    create: (id, settings, context) => new SimulatorCarrier(id, settings, context),
  },
  smpp: {
    validate: validateSmppSettings,
    create: (id, settings, context) => new SmppCarrier(id, settings, context),
  },
};

export interface CarrierSpec {
  id: string;
  type: string;
  settings: Record<string, unknown>;
}

/**
 * The live carrier connections of this process. Adapters are created on first use from
 * a carrier record the app hands in, so the registry never needs the database.
 */
export class CarrierRegistry {
  private readonly live = new Map<string, Carrier>();
  private readonly starting = new Map<string, Promise<Carrier>>();

  constructor(
    private readonly context: CarrierContext,
    private readonly types: Record<string, CarrierDefinition> = CARRIER_TYPES,
  ) {}

  validate(type: string, settings: Record<string, unknown>): void {
    const definition = this.types[type];
    if (!definition) {
      throw new AppError('carrier_type_unsupported', `carrier type "${type}" is not supported`, { field: 'type' });
    }
    const problem = definition.validate(settings);
    if (problem) {
      const field = problem.split(':')[0] ?? 'settings';
      throw new AppError('validation_error', problem, { field });
    }
  }

  async ensure(spec: CarrierSpec): Promise<Carrier> {
    const existing = this.live.get(spec.id);
    if (existing) return existing;
    const pending = this.starting.get(spec.id);
    if (pending) return pending;
    const definition = this.types[spec.type];
    if (!definition) throw new AppError('carrier_type_unsupported', `carrier type "${spec.type}" is not supported`);
    const carrier = definition.create(spec.id, spec.settings, this.context);
    const start = carrier.start().then(
      () => {
        this.live.set(spec.id, carrier);
        this.starting.delete(spec.id);
        return carrier;
      },
      (error: unknown) => {
        // Forget the failed start, so the next caller tries again instead of getting this
        // rejection forever.
        this.starting.delete(spec.id);
        throw error;
      },
    );
    this.starting.set(spec.id, start);
    return start;
  }

  get(id: string): Carrier | undefined {
    return this.live.get(id);
  }

  /** Carriers this process has started. */
  liveIds(): string[] {
    return [...this.live.keys()];
  }

  /** `down` for a carrier this process has not started. */
  status(id: string): CarrierStatus {
    return this.live.get(id)?.status() ?? 'down';
  }

  /** null for a carrier this process has not started, or whose adapter reports no errors. */
  lastError(id: string): string | null {
    return this.live.get(id)?.lastError?.() ?? null;
  }

  async stopAll(): Promise<void> {
    const carriers = [...this.live.values()];
    this.live.clear();
    await Promise.allSettled(carriers.map((carrier) => carrier.stop()));
  }
}
