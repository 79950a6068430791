import type { AppContext } from '../../src/context.js';
import { createCarrierSink } from '../../src/app/carrier-sink.js';
import { createCarrier, createNumber } from '../../src/app/carrier.service.js';
import { sendMessage } from '../../src/app/send-message.js';
import { CARRIER_TYPES, CarrierRegistry } from '../../src/carriers/carrier-registry.js';
import type { Carrier, CarrierStatus, SubmitRequest, SubmitResult } from '../../src/carriers/carrier.js';
import { SimulatorCarrier } from '../../src/carriers/simulator/simulator.carrier.js';
import type { BusinessNumber, Message, Workspace } from '../../src/domain/models.js';
import { CUSTOMER, type SeededWorkspace } from './fixtures.js';

export type SubmitBehaviour = (request: SubmitRequest, attempt: number) => Promise<SubmitResult>;

/**
 * A fake carrier for fault injection, test-only: each submit runs `behaviour`, which a
 * test sets to throw CarrierErrors, hang until released, or answer with chosen ids.
 */
export class FakeCarrier implements Carrier {
  readonly type = 'fake';
  readonly submits: SubmitRequest[] = [];
  /** Date.now() of each submit call, as the carrier would see it. */
  readonly submitTimes: number[] = [];
  behaviour: SubmitBehaviour = async (request) => ({ carrierMessageIds: [`FAKE-${request.messageId}`] });

  /** Submits the carrier takes at once (its window); undefined = unbounded. */
  capacity: number | undefined;

  constructor(readonly id: string) {}

  status(): CarrierStatus {
    return 'ready';
  }

  submitCapacity(): number {
    return this.capacity ?? Number.POSITIVE_INFINITY;
  }

  async start(): Promise<void> {}

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    this.submits.push(request);
    this.submitTimes.push(Date.now());
    return this.behaviour(request, this.submits.length);
  }

  async stop(): Promise<void> {}
}

/**
 * Gives the context a carrier registry that also knows the `fake` type, with the real
 * simulator beside it. Call before seeding: carriers created earlier live in the old registry.
 */
export function installFakeCarriers(ctx: AppContext): Map<string, FakeCarrier> {
  const fakes = new Map<string, FakeCarrier>();
  ctx.carriers = new CarrierRegistry(
    { sink: createCarrierSink(ctx), clock: ctx.clock, ids: ctx.ids },
    {
      ...CARRIER_TYPES,
      fake: {
        validate: () => null,
        create: (id) => {
          const fake = new FakeCarrier(id);
          fakes.set(id, fake);
          return fake;
        },
      },
    },
  );
  return fakes;
}

/** A business number in `workspace` on a new fake carrier. */
export async function fakeNumber(
  ctx: AppContext,
  fakes: Map<string, FakeCarrier>,
  workspace: Workspace,
  phoneNumber: string,
  options: { mps?: number; kind?: 'long_code' | 'toll_free' | 'short_code' } = {},
): Promise<{ number: BusinessNumber; carrier: FakeCarrier }> {
  const record = await createCarrier(ctx, workspace, { type: 'fake', name: 'fake', settings: {} });
  // Unpaced unless a test asks for a limit: pacing has its own tests.
  const number = await createNumber(ctx, workspace, {
    phoneNumber,
    carrierId: record.id,
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.mps === undefined && options.kind !== undefined ? {} : { mps: options.mps ?? 10_000 }),
  });
  const carrier = fakes.get(record.id);
  if (!carrier) throw new Error('fake carrier was not created');
  return { number, carrier };
}

/** The live simulator behind a seeded workspace's number. */
export function simulatorOf(ctx: AppContext, seeded: SeededWorkspace): SimulatorCarrier {
  const carrier = ctx.carriers.get(seeded.carrierId);
  if (!(carrier instanceof SimulatorCarrier)) throw new Error('the seeded carrier is not a live simulator');
  return carrier;
}

/** Queues one message through the real use-case. */
export async function send(
  ctx: AppContext,
  workspace: Workspace,
  from: string,
  input: { to?: string; body?: string; sendAt?: string } = {},
): Promise<Message> {
  const { message } = await sendMessage(ctx, workspace, {
    from,
    to: input.to ?? CUSTOMER,
    body: input.body ?? 'Your appointment is tomorrow at 9am.',
    ...(input.sendAt ? { sendAt: input.sendAt } : {}),
  });
  return message;
}

/** Reads a message back, failing loudly when it is gone. */
export async function reload(ctx: AppContext, id: string): Promise<Message> {
  const message = await ctx.db.repos.messages.findById(id);
  if (!message) throw new Error(`message ${id} not found`);
  return message;
}

/** A promise with its resolve handle, for holding a fake carrier's submit open. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
