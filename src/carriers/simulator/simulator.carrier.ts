import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  CarrierError,
  type Carrier,
  type CarrierContext,
  type CarrierStatus,
  type SubmitRequest,
  type SubmitResult,
} from '../carrier.js';

export const SimulatorSettingsSchema = Type.Object(
  {
    deliveryDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000, default: 200 })),
    failureRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0 })),
    nationalLanguages: Type.Optional(
      Type.Array(Type.Union([Type.Literal('turkish'), Type.Literal('spanish'), Type.Literal('portuguese')]), {
        uniqueItems: true,
        description: 'GSM national shift tables this carrier may use (3GPP TS 23.038), opt-in',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SimulatorSettings = Static<typeof SimulatorSettingsSchema>;

export interface HandsetMessage {
  direction: 'to_handset' | 'from_handset';
  peer: string;
  body: string;
  carrierMessageId: string;
  at: string;
}

const HANDSET_HISTORY = 200;
/**
 * Handsets remembered, least recently used dropped first: a campaign to a million
 * simulated numbers must not keep a million histories (~600 MB) in the server.
 */
const MAX_HANDSETS = 10_000;

/**
 * An in-process network of virtual handsets. Outbound texts are accepted at once
 * (`sent`) and a receipt follows after `deliveryDelayMs`: `delivered`, or `undelivered`
 * for the share given by `failureRate`. Handsets can text back through `inbound`,
 * which goes through the same sink (and so the same inbound use-case) as a real carrier.
 */
export class SimulatorCarrier implements Carrier {
  readonly type = 'simulator';
  private readonly settings: { deliveryDelayMs: number; failureRate: number };
  private readonly pending = new Map<NodeJS.Timeout, () => Promise<void>>();
  private readonly handsets = new Map<string, HandsetMessage[]>();
  private stopped = false;
  private sequence = 0;

  constructor(
    readonly id: string,
    settings: Record<string, unknown>,
    private readonly context: CarrierContext,
    private readonly random: () => number = Math.random,
  ) {
    const parsed = Value.Default(SimulatorSettingsSchema, structuredClone(settings)) as SimulatorSettings;
    this.settings = { deliveryDelayMs: parsed.deliveryDelayMs ?? 200, failureRate: parsed.failureRate ?? 0 };
  }

  status(): CarrierStatus {
    return this.stopped ? 'down' : 'ready';
  }

  async start(): Promise<void> {
    this.stopped = false;
  }

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    if (this.stopped) throw new CarrierError('carrier_unavailable', 'simulator carrier is stopped', true);
    const ids = Array.from({ length: Math.max(1, request.segments) }, () => this.nextCarrierId());
    this.remember(request.to, {
      direction: 'to_handset',
      peer: request.from,
      body: request.body,
      carrierMessageId: ids[0] ?? '',
      at: this.context.clock.now().toISOString(),
    });
    const fails = this.random() < this.settings.failureRate;
    this.later(async () => {
      for (const carrierMessageId of ids) {
        await this.context.sink.receipt({
          carrierId: this.id,
          carrierMessageId,
          status: fails ? 'undelivered' : 'delivered',
          errorCode: fails ? 'handset_unreachable' : null,
          raw: null,
          at: this.context.clock.now(),
        });
      }
    });
    return { carrierMessageIds: ids };
  }

  /** A virtual handset `from` texts the business number `to`. */
  async inbound(from: string, to: string, body: string): Promise<string> {
    const carrierMessageId = this.nextCarrierId();
    this.remember(from, {
      direction: 'from_handset',
      peer: to,
      body,
      carrierMessageId,
      at: this.context.clock.now().toISOString(),
    });
    await this.context.sink.inbound({
      carrierId: this.id,
      from,
      to,
      body,
      carrierMessageId,
      at: this.context.clock.now(),
    });
    return carrierMessageId;
  }

  /** What a virtual handset has sent and received, oldest first. */
  handsetMessages(phone: string): HandsetMessage[] {
    return [...(this.handsets.get(phone) ?? [])];
  }

  /** Receipts still pending are reported at once, so a stop loses none. */
  async stop(): Promise<void> {
    this.stopped = true;
    const flush = [...this.pending.entries()];
    this.pending.clear();
    for (const [timer, run] of flush) {
      clearTimeout(timer);
      // One receipt the sink could not take must not cost the others behind it.
      await run().catch(() => undefined);
    }
  }

  private later(run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      run().catch(() => undefined);
    }, this.settings.deliveryDelayMs);
    this.pending.set(timer, run);
  }

  private nextCarrierId(): string {
    this.sequence += 1;
    return `SIM${this.context.ids.next().replaceAll('-', '').slice(-16)}${this.sequence.toString(36)}`;
  }

  private remember(phone: string, message: HandsetMessage): void {
    const history = this.handsets.get(phone) ?? [];
    history.push(message);
    if (history.length > HANDSET_HISTORY) history.shift();
    // Re-inserted, so the map's order is least recently used first.
    this.handsets.delete(phone);
    this.handsets.set(phone, history);
    if (this.handsets.size > MAX_HANDSETS) {
      const oldest = this.handsets.keys().next().value;
      if (oldest !== undefined) this.handsets.delete(oldest);
    }
  }
}

export function validateSimulatorSettings(settings: Record<string, unknown>): string | null {
  const error = Value.Errors(SimulatorSettingsSchema, settings).First();
  if (!error) return null;
  const path = error.path.replace(/^\//, '').replaceAll('/', '.');
  return `${path || 'settings'}: ${error.message}`;
}
