import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, OTHER_CUSTOMER, seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { shuffledParts, splitBody } from '../../test/support/multipart.js';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import type { InboundSms } from '../carriers/carrier.js';
import type { Message } from '../domain/models.js';
import { GAP_MARKER, INCOMPLETE_MESSAGE_CODE } from '../domain/reassembly.js';
import { ManualClock } from '../runtime/clock-and-ids.js';
import { handleInbound, releaseExpiredParts, type InboundOutcome } from './handle-inbound.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A long reply, as a customer's phone splits it (GSM-7 parts of up to 153 characters). */
const LONG_REPLY =
  'Hi, thanks for the reminder about Thursday. I will be there at 9 but I may be a few minutes late because of the school run. ' +
  'Could you also check whether my insurance details are up to date? I changed provider in March and the new card has a different ' +
  'member number. Thanks again, see you then!';

describe.each(STORES)('inbound reassembly on %s', (kind) => {
  let t: TestContext;
  let clock: ManualClock;
  let seq = 0;
  let nextReference = 0;

  beforeAll(async () => {
    clock = new ManualClock();
    t = await createTestContext(kind, {}, { clock });
  });
  // Sets a test left open would be released by the next test's sweep; flush them here.
  afterEach(async () => {
    clock.advance(DAY);
    await releaseExpiredParts(t.ctx);
  });
  afterAll(async () => t?.cleanup());

  async function seed(ctx = t.ctx): Promise<SeededWorkspace> {
    seq += 1;
    return seedWorkspace(ctx, { name: `Clinic ${seq}`, phoneNumber: `+1201555${4000 + seq}` });
  }

  function reference(): number {
    nextReference = (nextReference + 1) % 256;
    return nextReference;
  }

  let carrierSeq = 0;
  function part(
    seeded: SeededWorkspace,
    body: string,
    concat: { reference: number; total: number; sequence: number },
    overrides: Partial<InboundSms> = {},
  ): InboundSms {
    carrierSeq += 1;
    return {
      carrierId: seeded.carrierId,
      from: CUSTOMER,
      to: seeded.number.phoneNumber,
      body,
      carrierMessageId: `MO-${kind}-${carrierSeq}`,
      at: clock.now(),
      concat,
      ...overrides,
    };
  }

  /** The parts of `body`, ready to deliver: sms(i) is part i+1. */
  function partsOf(seeded: SeededWorkspace, body: string, n: number, overrides: Partial<InboundSms> = {}): InboundSms[] {
    const ref = reference();
    const pieces = splitBody(body, n);
    return pieces.map((piece) => part(seeded, piece.body, { reference: ref, total: pieces.length, sequence: piece.sequence }, overrides));
  }

  function routed(outcome: InboundOutcome): Message {
    if (outcome.kind !== 'routed') throw new Error(`expected a routed outcome, got ${JSON.stringify(outcome)}`);
    return outcome.message;
  }

  async function threadOf(seeded: SeededWorkspace, phone = CUSTOMER): Promise<Message[]> {
    const contact = await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, phone);
    if (!contact) return [];
    const all = await t.ctx.db.repos.messages.listForConversation(await conversationIdOf(seeded, contact.id), 500);
    return all.data;
  }

  async function conversationIdOf(seeded: SeededWorkspace, contactId: string): Promise<string> {
    const page = await t.ctx.db.repos.conversations.list(seeded.workspace.id, 100);
    const conversation = page.data.find((c) => c.contactId === contactId);
    if (!conversation) throw new Error('no conversation');
    return conversation.id;
  }

  async function openPartsFor(seeded: SeededWorkspace): Promise<number> {
    const open = await t.ctx.db.repos.inboundParts.listOpen(10_000);
    return open.filter((p) => p.to === seeded.number.phoneNumber).length;
  }

  it('holds parts delivered in order and builds the message from the last one', async () => {
    const seeded = await seed();
    const parts = partsOf(seeded, LONG_REPLY, 3);
    expect(await handleInbound(t.ctx, parts[0]!)).toEqual({ kind: 'part_stored', received: 1, total: 3 });
    expect(await handleInbound(t.ctx, parts[1]!)).toEqual({ kind: 'part_stored', received: 2, total: 3 });
    expect(await threadOf(seeded)).toEqual([]);

    const message = routed(await handleInbound(t.ctx, parts[2]!));
    expect(message).toMatchObject({
      direction: 'inbound',
      status: 'received',
      from: CUSTOMER,
      to: seeded.number.phoneNumber,
      body: LONG_REPLY,
      segments: 3,
      encoding: 'GSM-7',
      errorCode: null,
      errorMessage: null,
      carrierMessageIds: [parts[0]!.carrierMessageId],
    });
    expect(await t.ctx.db.repos.messages.findById(message.id)).toMatchObject({ body: LONG_REPLY, errorCode: null });
    expect((await threadOf(seeded)).map((m) => m.id)).toEqual([message.id]);
    expect(await openPartsFor(seeded)).toBe(0);
    const events = await t.ctx.db.repos.messages.eventsOf(message.id);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'reassembly', detail: expect.stringMatching(/3 of 3 parts/) }));
  });

  it('builds the message from parts delivered out of order', async () => {
    const seeded = await seed();
    const parts = partsOf(seeded, LONG_REPLY, 4);
    for (const i of [3, 1, 0]) expect((await handleInbound(t.ctx, parts[i]!)).kind).toBe('part_stored');
    const message = routed(await handleInbound(t.ctx, parts[2]!));
    expect(message.body).toBe(LONG_REPLY);
    // The first part's id, although it was not the first to arrive.
    expect(message.carrierMessageIds).toEqual([parts[0]!.carrierMessageId]);
  });

  it('ignores a duplicate part, and keeps the first copy when the texts differ', async () => {
    const seeded = await seed();
    const [one, two, three] = partsOf(seeded, 'Part one, part two, part three.', 3);
    await handleInbound(t.ctx, one!);
    expect(await handleInbound(t.ctx, { ...one!, carrierMessageId: 'again' })).toEqual({ kind: 'part_duplicate', releasedAs: null });
    expect(await handleInbound(t.ctx, { ...three!, body: 'garbled' })).toEqual({ kind: 'part_stored', received: 2, total: 3 });
    expect(await handleInbound(t.ctx, three!)).toEqual({ kind: 'part_duplicate', releasedAs: null });
    const message = routed(await handleInbound(t.ctx, two!));
    expect(message.body).toBe(`${one!.body}${two!.body}garbled`);
    const events = await t.ctx.db.repos.messages.eventsOf(message.id);
    expect(events.find((e) => e.kind === 'reassembly')?.detail).toMatch(/part 3 also arrived with a different text/);
  });

  it('recognises a part the carrier redelivers after the message was built', async () => {
    const seeded = await seed();
    const parts = partsOf(seeded, LONG_REPLY, 2);
    await handleInbound(t.ctx, parts[0]!);
    const message = routed(await handleInbound(t.ctx, parts[1]!));
    clock.advance(MINUTE);
    for (const redelivered of parts) {
      expect(await handleInbound(t.ctx, { ...redelivered, carrierMessageId: null, at: clock.now() })).toEqual({
        kind: 'part_duplicate',
        releasedAs: message.id,
      });
    }
    clock.advance(10 * MINUTE);
    await releaseExpiredParts(t.ctx);
    expect((await threadOf(seeded)).map((m) => m.id)).toEqual([message.id]);
  });

  it('builds a new message when the sender reuses a reference for a different text', async () => {
    const seeded = await seed();
    const ref = reference();
    const first = ['Hello ', 'there'].map((body, i) => part(seeded, body, { reference: ref, total: 2, sequence: i + 1 }));
    const second = ['Goodbye ', 'now'].map((body, i) => part(seeded, body, { reference: ref, total: 2, sequence: i + 1 }));
    await handleInbound(t.ctx, first[0]!);
    expect(routed(await handleInbound(t.ctx, first[1]!)).body).toBe('Hello there');
    await handleInbound(t.ctx, second[1]!);
    expect(routed(await handleInbound(t.ctx, second[0]!)).body).toBe('Goodbye now');
  });

  it('keeps interleaved sets apart: same reference from two senders, with a single text between', async () => {
    const seeded = await seed();
    const ref = reference();
    const a = ['From A, ', 'first half and ', 'the end.'].map((body, i) =>
      part(seeded, body, { reference: ref, total: 3, sequence: i + 1 }),
    );
    const b = ['From B, ', 'the end.'].map((body, i) =>
      part(seeded, body, { reference: ref, total: 2, sequence: i + 1 }, { from: OTHER_CUSTOMER }),
    );
    const b3 = ['From B again, ', 'other total.', '!'].map((body, i) =>
      part(seeded, body, { reference: ref, total: 3, sequence: i + 1 }, { from: OTHER_CUSTOMER }),
    );
    await handleInbound(t.ctx, a[0]!);
    await handleInbound(t.ctx, b3[2]!);
    await handleInbound(t.ctx, b[1]!);
    const single = routed(await handleInbound(t.ctx, { ...a[0]!, body: 'A quick one', concat: undefined, carrierMessageId: null }));
    await handleInbound(t.ctx, a[2]!);
    await handleInbound(t.ctx, b3[0]!);
    const fromB = routed(await handleInbound(t.ctx, b[0]!));
    const fromA = routed(await handleInbound(t.ctx, a[1]!));
    const fromB3 = routed(await handleInbound(t.ctx, b3[1]!));
    expect(fromA).toMatchObject({ from: CUSTOMER, body: 'From A, first half and the end.' });
    expect(fromB).toMatchObject({ from: OTHER_CUSTOMER, body: 'From B, the end.' });
    expect(fromB3).toMatchObject({ from: OTHER_CUSTOMER, body: 'From B again, other total.!' });
    expect(single.body).toBe('A quick one');
    expect((await threadOf(seeded)).map((m) => m.body)).toEqual(['A quick one', 'From A, first half and the end.']);
    expect((await threadOf(seeded, OTHER_CUSTOMER)).map((m) => m.body)).toEqual(['From B, the end.', 'From B again, other total.!']);
  });

  it('loses nothing across a restart between two parts', async () => {
    // Its own store, so closing it does not disturb the other tests.
    const restartClock = new ManualClock();
    const before = await createTestContext(kind, {}, { clock: restartClock });
    let after: TestContext | null = null;
    try {
      const seeded = await seedWorkspace(before.ctx, { name: 'Restart Dental' });
      const [one, two] = splitBody(LONG_REPLY, 2).map((piece) =>
        part(seeded, piece.body, { reference: 200, total: 2, sequence: piece.sequence }),
      );
      expect((await handleInbound(before.ctx, one!)).kind).toBe('part_stored');
      after = await before.reopen({ clock: restartClock });
      restartClock.advance(MINUTE);
      const message = routed(await handleInbound(after.ctx, { ...two!, at: restartClock.now() }));
      expect(message.body).toBe(LONG_REPLY);
      expect(await after.ctx.db.repos.inboundParts.listOpen(10)).toEqual([]);
    } finally {
      await (after ?? before).cleanup();
    }
  });

  it('releases an incomplete set after the timeout, marked incomplete with the gap shown', async () => {
    const seeded = await seed();
    const ref = reference();
    const pieces = ['Can I move my ', 'appointment to ', 'Friday morning?'];
    const sms = pieces.map((body, i) => part(seeded, body, { reference: ref, total: 3, sequence: i + 1 }));
    await handleInbound(t.ctx, sms[0]!);
    clock.advance(2 * MINUTE);
    const lastAt = clock.now();
    await handleInbound(t.ctx, { ...sms[2]!, at: lastAt });

    // The deadline runs from the first part: 5 minutes by default.
    clock.advance(3 * MINUTE - 1);
    expect((await releaseExpiredParts(t.ctx)).released).toBe(0);
    expect(await threadOf(seeded)).toEqual([]);
    clock.advance(1);
    expect((await releaseExpiredParts(t.ctx)).released).toBe(1);
    const [message] = await threadOf(seeded);
    expect(message).toMatchObject({
      body: `Can I move my ${GAP_MARKER} Friday morning?`,
      status: 'received',
      errorCode: INCOMPLETE_MESSAGE_CODE,
      errorMessage: '2 of 3 parts arrived within 300 s; part 2 missing',
      segments: 3,
      encoding: 'GSM-7',
      // Received as a whole when its last part was.
      receivedAt: lastAt.toISOString(),
    });
    const events = await t.ctx.db.repos.messages.eventsOf(message!.id);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'reassembly', detail: expect.stringMatching(/2 of 3 parts.*part 2 missing/) }),
    );
    expect(await openPartsFor(seeded)).toBe(0);
    expect((await releaseExpiredParts(t.ctx)).released).toBe(0);

    // The missing part, arriving late, is kept too: a fragment of its own, released in turn.
    expect(await handleInbound(t.ctx, { ...sms[1]!, at: clock.now() })).toEqual({ kind: 'part_stored', received: 1, total: 3 });
    clock.advance(5 * MINUTE);
    await releaseExpiredParts(t.ctx);
    expect((await threadOf(seeded)).map((m) => m.body)).toEqual([
      `Can I move my ${GAP_MARKER} Friday morning?`,
      `${GAP_MARKER} appointment to ${GAP_MARKER}`,
    ]);
  });

  it('honours a configured timeout', async () => {
    const seeded = await seed();
    const deps = { ...t.ctx, config: { ...t.ctx.config, reassemblyTimeoutSeconds: 30 } };
    const [one] = partsOf(seeded, LONG_REPLY, 2);
    await handleInbound(deps, one!);
    clock.advance(29_999);
    expect((await releaseExpiredParts(deps)).released).toBe(0);
    clock.advance(1);
    expect((await releaseExpiredParts(deps)).released).toBe(1);
    expect((await threadOf(seeded))[0]).toMatchObject({
      body: `${one!.body} ${GAP_MARKER}`,
      errorMessage: '1 of 2 parts arrived within 30 s; part 2 missing',
    });
  });

  it('builds the message once when the final parts race', async () => {
    const seeded = await seed();
    for (let round = 0; round < 5; round++) {
      const parts = partsOf(seeded, `${round}: ${LONG_REPLY}`, 4);
      await handleInbound(t.ctx, parts[0]!);
      await handleInbound(t.ctx, parts[1]!);
      const outcomes = await Promise.all([handleInbound(t.ctx, parts[2]!), handleInbound(t.ctx, parts[3]!)]);
      expect(outcomes.map((o) => o.kind).sort()).toEqual(['part_stored', 'routed']);
    }
    // Every part at once, and the last part twice at once.
    const all = partsOf(seeded, `all: ${LONG_REPLY}`, 5);
    const together = await Promise.all(all.map((sms) => handleInbound(t.ctx, sms)));
    expect(together.filter((o) => o.kind === 'routed')).toHaveLength(1);
    const twice = partsOf(seeded, `twice: ${LONG_REPLY}`, 2);
    await handleInbound(t.ctx, twice[0]!);
    const doubled = await Promise.all([handleInbound(t.ctx, twice[1]!), handleInbound(t.ctx, twice[1]!)]);
    expect(doubled.map((o) => o.kind).sort()).toEqual(['part_duplicate', 'routed']);

    clock.advance(DAY);
    await releaseExpiredParts(t.ctx);
    const bodies = (await threadOf(seeded)).map((m) => m.body);
    expect(bodies).toEqual([
      ...[0, 1, 2, 3, 4].map((round) => `${round}: ${LONG_REPLY}`),
      `all: ${LONG_REPLY}`,
      `twice: ${LONG_REPLY}`,
    ]);
  });

  it('builds the message once when the final part races the timeout', async () => {
    const seeded = await seed();
    const parts = partsOf(seeded, LONG_REPLY, 3);
    await handleInbound(t.ctx, parts[0]!);
    await handleInbound(t.ctx, parts[1]!);
    clock.advance(5 * MINUTE);
    await Promise.all([releaseExpiredParts(t.ctx), handleInbound(t.ctx, parts[2]!), releaseExpiredParts(t.ctx)]);
    clock.advance(DAY);
    await releaseExpiredParts(t.ctx);
    const thread = await threadOf(seeded);
    // Either the part won (one whole message) or a sweep did (the set released incomplete,
    // then the late part released on its own); never both, never neither.
    if (thread.length === 1) {
      expect(thread[0]).toMatchObject({ body: LONG_REPLY, errorCode: null });
    } else {
      expect(thread.map((m) => m.errorCode)).toEqual([INCOMPLETE_MESSAGE_CODE, INCOMPLETE_MESSAGE_CODE]);
      expect(thread.map((m) => m.body)).toEqual([
        `${parts[0]!.body}${parts[1]!.body} ${GAP_MARKER}`,
        `${GAP_MARKER} ${parts[2]!.body}`,
      ]);
    }
  });

  it('delivers a part with a nonsense header as a text of its own, and a set of one at once', async () => {
    const seeded = await seed();
    for (const concat of [
      { reference: 1, total: 3, sequence: 4 },
      { reference: 1, total: 0, sequence: 0 },
      { reference: 1, total: 300, sequence: 2 },
      { reference: 70_000, total: 2, sequence: 1 },
      { reference: 1, total: 1, sequence: 1 },
    ]) {
      const message = routed(await handleInbound(t.ctx, part(seeded, `as is ${concat.total}/${concat.sequence}`, concat)));
      expect(message.body).toBe(`as is ${concat.total}/${concat.sequence}`);
    }
    expect(await openPartsFor(seeded)).toBe(0);
  });

  it('applies keywords to the whole text, never to an incomplete one', async () => {
    const seeded = await seed();
    const stop = ['ST', 'OP'].map((body, i) => part(seeded, body, { reference: 99, total: 2, sequence: i + 1 }));
    await handleInbound(t.ctx, stop[0]!);
    const outcome = await handleInbound(t.ctx, stop[1]!);
    expect(outcome).toMatchObject({ kind: 'routed', keyword: 'opt_out', message: { body: 'STOP' } });
    const contact = await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, CUSTOMER);
    expect(contact?.optedOutAt).not.toBeNull();

    const fragment = part(seeded, 'START', { reference: 98, total: 2, sequence: 2 });
    await handleInbound(t.ctx, fragment);
    clock.advance(5 * MINUTE);
    await releaseExpiredParts(t.ctx);
    expect((await threadOf(seeded)).at(-1)).toMatchObject({ body: `${GAP_MARKER} START`, errorCode: INCOMPLETE_MESSAGE_CODE });
    // Still opted out: "[…] START" may end a longer sentence.
    expect((await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, CUSTOMER))?.optedOutAt).not.toBeNull();
  });

  it('keeps a multipart text for an unknown number as unrouted, whole or incomplete', async () => {
    const seeded = await seed();
    const parts = partsOf(seeded, LONG_REPLY, 2, { to: '+12015559871' });
    await handleInbound(t.ctx, parts[1]!);
    const outcome = await handleInbound(t.ctx, parts[0]!);
    expect(outcome.kind).toBe('unrouted');
    const orphan = partsOf(seeded, 'Hello? Anyone there?', 2, { to: '+12015559871' })[0]!;
    await handleInbound(t.ctx, orphan);
    clock.advance(5 * MINUTE);
    await releaseExpiredParts(t.ctx);
    const kept = (await t.ctx.db.repos.unrouted.list(500)).filter((u) => u.to === '+12015559871');
    expect(kept.map((u) => u.body).sort()).toEqual([LONG_REPLY, `${orphan.body} ${GAP_MARKER}`].sort());
    expect(kept.find((u) => u.body === LONG_REPLY)?.id).toBe(outcome.kind === 'unrouted' ? outcome.id : '');
  });

  it('turns any shuffle of a body\u2019s parts, with duplicates, into exactly that body, once', async () => {
    const seeded = await seed();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(shuffledParts({ maxLength: 300, maxParts: 6, maxRepeats: 4 }), async ({ body, total, arrivals }) => {
        runs += 1;
        const ref = reference();
        const before = (await threadOf(seeded)).length;
        const outcomes: InboundOutcome[] = [];
        for (const arrival of arrivals) {
          outcomes.push(
            await handleInbound(t.ctx, part(seeded, arrival.body, { reference: ref, total, sequence: arrival.sequence })),
          );
        }
        const built = outcomes.filter((o) => o.kind === 'routed');
        expect(built).toHaveLength(1);
        expect(routed(built[0]!).body).toBe(body);
        // Whatever came after completion was recognised, not started afresh.
        expect(await openPartsFor(seeded)).toBe(0);
        expect((await threadOf(seeded)).length).toBe(before + 1);
      }),
      { numRuns: 25 },
    );
    expect(runs).toBeGreaterThanOrEqual(25);
  });
});
