import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { CUSTOMER, eventually, OTHER_CUSTOMER, seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { reload, send, simulatorOf } from '../../test/support/pipeline.js';
import type { InboundSms } from '../carriers/carrier.js';
import type { Message } from '../domain/models.js';
import { SendWorker } from '../workers/send-worker.js';
import { createCarrier, createNumber } from './carrier.service.js';
import { handleInbound, type InboundOutcome } from './handle-inbound.js';
import { sendMessage } from './send-message.js';
import { simulateInbound } from './simulate-inbound.js';
import { createWorkspace } from './workspace.service.js';

describe.each(STORES)('handleInbound on %s', (kind) => {
  let t: TestContext;
  let worker: SendWorker;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterEach(async () => worker?.stop());
  afterAll(async () => t?.cleanup());

  async function seed(): Promise<SeededWorkspace> {
    seq += 1;
    worker = new SendWorker(t.ctx);
    return seedWorkspace(t.ctx, { name: `Clinic ${seq}`, phoneNumber: `+1201555${3000 + seq}` });
  }

  let carrierSeq = 0;
  function sms(seeded: SeededWorkspace, body: string, overrides: Partial<InboundSms> = {}): InboundSms {
    carrierSeq += 1;
    return {
      carrierId: seeded.carrierId,
      from: CUSTOMER,
      to: seeded.number.phoneNumber,
      body,
      carrierMessageId: `MO-${kind}-${carrierSeq}`,
      at: new Date(),
      ...overrides,
    };
  }

  function routed(outcome: InboundOutcome): Extract<InboundOutcome, { kind: 'routed' }> {
    if (outcome.kind !== 'routed') throw new Error(`expected a routed outcome, got ${outcome.kind}`);
    return outcome;
  }

  async function optedOut(seeded: SeededWorkspace, phone = CUSTOMER): Promise<boolean> {
    const contact = await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, phone);
    return contact?.optedOutAt !== null && contact?.optedOutAt !== undefined;
  }

  async function delivered(id: string): Promise<Message> {
    return eventually(async () => {
      const m = await reload(t.ctx, id);
      return m.status === 'delivered' && m;
    });
  }

  it('lands a reply in the thread its outbound message started', async () => {
    const seeded = await seed();
    const outbound = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber);
    const reply = routed(await handleInbound(t.ctx, sms(seeded, 'See you then')));
    expect(reply.keyword).toBeNull();
    expect(reply.reply).toBeNull();
    expect(reply.message).toMatchObject({
      direction: 'inbound',
      status: 'received',
      conversationId: outbound.conversationId,
      contactId: outbound.contactId,
      from: CUSTOMER,
      to: seeded.number.phoneNumber,
    });
    const thread = await t.ctx.db.repos.messages.listForConversation(outbound.conversationId, 10);
    expect(thread.data.map((m) => m.id)).toEqual([outbound.id, reply.message.id]);
    expect(await t.ctx.db.repos.conversations.findById(outbound.conversationId)).toMatchObject({
      lastMessagePreview: 'See you then',
    });
  });

  it('reads the numbers as carriers write them: no plus, or national', async () => {
    const seeded = await seed();
    const plain = routed(
      await handleInbound(t.ctx, sms(seeded, 'hi', { from: '2015550123', to: seeded.number.phoneNumber.slice(1) })),
    );
    expect(plain.message).toMatchObject({ from: CUSTOMER, to: seeded.number.phoneNumber });
    const again = routed(await handleInbound(t.ctx, sms(seeded, 'hi again', { from: CUSTOMER.slice(1) })));
    expect(again.message.conversationId).toBe(plain.message.conversationId);
  });

  it('keeps an inbound text for an unknown number as unrouted', async () => {
    const seeded = await seed();
    const outcome = await handleInbound(t.ctx, sms(seeded, 'anyone?', { to: '+12015559870', carrierMessageId: 'lost-1' }));
    expect(outcome.kind).toBe('unrouted');
    const kept = await t.ctx.db.repos.unrouted.list(100);
    expect(kept).toContainEqual(
      expect.objectContaining({
        id: outcome.kind === 'unrouted' ? outcome.id : '',
        to: '+12015559870',
        from: CUSTOMER,
        body: 'anyone?',
        carrierMessageId: 'lost-1',
        carrierId: seeded.carrierId,
      }),
    );
  });

  it('keeps a text with bytes no store can hold (NUL, a lone surrogate), marked with U+FFFD', async () => {
    const seeded = await seed();
    const outcome = routed(await handleInbound(t.ctx, sms(seeded, 'ok\u0000 then \ud83d done')));
    expect((await reload(t.ctx, outcome.message.id)).body).toBe('ok\uFFFD then \uFFFD done');
  });

  it('stores a redelivered inbound text once', async () => {
    const seeded = await seed();
    const text = sms(seeded, 'Is my order ready?');
    const first = routed(await handleInbound(t.ctx, text));
    const second = await handleInbound(t.ctx, { ...text, at: new Date() });
    expect(second).toMatchObject({ kind: 'duplicate', message: { id: first.message.id } });
    const thread = await t.ctx.db.repos.messages.listForConversation(first.message.conversationId, 10);
    expect(thread.data).toHaveLength(1);
  });

  it('stores a text raced in twice by the carrier once', async () => {
    const seeded = await seed();
    const text = sms(seeded, 'Racing');
    const outcomes = await Promise.all([handleInbound(t.ctx, text), handleInbound(t.ctx, text), handleInbound(t.ctx, text)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['duplicate', 'duplicate', 'routed']);
    const ids = new Set(outcomes.map((o) => (o.kind === 'routed' || o.kind === 'duplicate' ? o.message.id : o.kind)));
    expect(ids.size).toBe(1);
  });

  it('a burst of replies (committed together) lands each in its own thread, STOP included, and all are searchable at once', async () => {
    const seeded = await seed();
    const customers = Array.from({ length: 20 }, (_, i) => `+1201555${7100 + i}`);
    const texts = customers.map((from, i) => sms(seeded, i === 3 ? 'STOP' : `Burst walrus ${i}`, { from }));
    const outcomes = await Promise.all([...texts, texts[5] as InboundSms].map((text) => handleInbound(t.ctx, text)));
    expect(outcomes.filter((o) => o.kind === 'routed')).toHaveLength(20);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(1);
    const threads = new Set(outcomes.map((o) => (o.kind === 'routed' ? o.message.conversationId : null)).filter(Boolean));
    expect(threads.size).toBe(20);
    expect(await optedOut(seeded, customers[3])).toBe(true);
    expect(await optedOut(seeded, customers[4])).toBe(false);
    const found = await t.ctx.db.repos.conversations.listInbox(seeded.workspace.id, { view: 'all', now: new Date().toISOString(), q: 'walrus' }, 50);
    expect(found.data).toHaveLength(19);
  });

  it('honours STOP: opted out, one confirmation that is sent anyway, nothing after', async () => {
    const seeded = await seed();
    const stop = routed(await handleInbound(t.ctx, sms(seeded, '  Stop! ')));
    expect(stop.keyword).toBe('opt_out');
    expect(await optedOut(seeded)).toBe(true);
    expect(stop.reply).toMatchObject({
      direction: 'outbound',
      status: 'queued',
      consentExempt: true,
      category: 'transactional',
      conversationId: stop.message.conversationId,
    });
    expect(stop.reply?.body).toContain(seeded.workspace.name);

    await worker.drain();
    await delivered(stop.reply?.id ?? '');
    expect(simulatorOf(t.ctx, seeded).handsetMessages(CUSTOMER).map((m) => m.body)).toEqual([stop.reply?.body]);

    const second = routed(await handleInbound(t.ctx, sms(seeded, 'STOP')));
    expect(second.keyword).toBe('opt_out');
    expect(second.reply).toBeNull();

    const refused = await sendMessage(t.ctx, seeded.workspace, {
      from: seeded.number.phoneNumber,
      to: CUSTOMER,
      body: 'Sale!',
    }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'recipient_opted_out', field: 'to' });

    const contact = await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, CUSTOMER);
    const events = await t.ctx.db.repos.contacts.consentEvents(contact?.id ?? '');
    expect(events.map((e) => [e.kind, e.source, e.messageId])).toEqual([
      ['opted_out', 'keyword', stop.message.id],
      ['opted_out', 'keyword', second.message.id],
    ]);
    const thread = await t.ctx.db.repos.messages.listForConversation(stop.message.conversationId, 10);
    expect(thread.data.filter((m) => m.direction === 'outbound')).toHaveLength(1);
  });

  it('honours START and UNSTOP with a confirmation', async () => {
    const seeded = await seed();
    await handleInbound(t.ctx, sms(seeded, 'STOP'));
    const start = routed(await handleInbound(t.ctx, sms(seeded, 'start')));
    expect(start.keyword).toBe('opt_in');
    expect(await optedOut(seeded)).toBe(false);
    expect(start.reply?.body).toMatch(/resubscribed/);
    await handleInbound(t.ctx, sms(seeded, 'quit'));
    expect(await optedOut(seeded)).toBe(true);
    const unstop = routed(await handleInbound(t.ctx, sms(seeded, 'UNSTOP')));
    expect(unstop.keyword).toBe('opt_in');
    expect(await optedOut(seeded)).toBe(false);
    const outbound = await send(t.ctx, seeded.workspace, seeded.number.phoneNumber, { body: 'Welcome back' });
    expect(outbound.status).toBe('queued');
  });

  it('treats YES as an opt-in only while opted out', async () => {
    const seeded = await seed();
    const yes = routed(await handleInbound(t.ctx, sms(seeded, 'Yes')));
    expect(yes.keyword).toBeNull();
    expect(yes.reply).toBeNull();
    await handleInbound(t.ctx, sms(seeded, 'STOP'));
    const optIn = routed(await handleInbound(t.ctx, sms(seeded, 'YES')));
    expect(optIn.keyword).toBe('opt_in');
    expect(optIn.reply).not.toBeNull();
    expect(await optedOut(seeded)).toBe(false);
  });

  it('leaves a sentence that only starts with stop for a person', async () => {
    const seeded = await seed();
    const text = routed(await handleInbound(t.ctx, sms(seeded, 'stop by the shop at 5?')));
    expect(text.keyword).toBeNull();
    expect(await optedOut(seeded)).toBe(false);
  });

  it('opts out on a revocation in plain words, recording the rule that read it', async () => {
    const seeded = await seed();
    const text = routed(await handleInbound(t.ctx, sms(seeded, 'stop texting me about pizza')));
    expect(text.keyword).toBe('opt_out');
    expect(await optedOut(seeded)).toBe(true);
    const contact = await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, CUSTOMER);
    const [event] = await t.ctx.db.repos.contacts.consentEvents(contact?.id ?? '');
    expect(event).toMatchObject({ kind: 'opted_out', source: 'plain_words', evidence: 'stop texting me about pizza', actor: 'contact' });
    expect(event?.rule).toMatch(/high/);
  });

  it('answers HELP with the default text, which names the workspace', async () => {
    const seeded = await seed();
    const help = routed(await handleInbound(t.ctx, sms(seeded, 'help')));
    expect(help.keyword).toBe('help');
    expect(help.reply?.body).toBe(`${seeded.workspace.name}: Reply STOP to unsubscribe. Msg & data rates may apply.`);
    expect(await optedOut(seeded)).toBe(false);
  });

  it('does not answer HELP from a contact who opted out: after the confirmation, nothing but the reply to START', async () => {
    const seeded = await seed();
    const stop = routed(await handleInbound(t.ctx, sms(seeded, 'STOP')));
    const help = routed(await handleInbound(t.ctx, sms(seeded, 'HELP')));
    expect(help.keyword).toBe('help');
    expect(help.reply).toBeNull();
    expect(await optedOut(seeded)).toBe(true);
    await worker.drain();
    await delivered(stop.reply?.id ?? '');
    expect(simulatorOf(t.ctx, seeded).handsetMessages(CUSTOMER).map((m) => m.body)).toEqual([stop.reply?.body]);
    const contact = await t.ctx.db.repos.contacts.findByPhone(seeded.workspace.id, CUSTOMER);
    expect((await t.ctx.db.repos.contacts.consentEvents(contact?.id ?? '')).map((e) => e.kind)).toEqual(['opted_out', 'help_requested']);
  });

  it("answers HELP with the workspace's own help text when it has one", async () => {
    const { workspace } = await createWorkspace(t.ctx, {
      name: 'Helpful Dental',
      helpText: 'Helpful Dental: call 201-555-0199. Reply STOP to opt out.',
    });
    const carrier = await createCarrier(t.ctx, workspace, { type: 'simulator', name: 'sim', settings: { deliveryDelayMs: 1 } });
    const number = await createNumber(t.ctx, workspace, { phoneNumber: '+12015553900', carrierId: carrier.id });
    const help = routed(
      await handleInbound(t.ctx, {
        carrierId: carrier.id,
        from: OTHER_CUSTOMER,
        to: number.phoneNumber,
        body: 'INFO',
        carrierMessageId: null,
        at: new Date(),
      }),
    );
    expect(help.reply?.body).toBe('Helpful Dental: call 201-555-0199. Reply STOP to opt out.');
    // A HELP is recorded as evidence, and changes no consent.
    const contact = await t.ctx.db.repos.contacts.findByPhone(workspace.id, OTHER_CUSTOMER);
    expect((await t.ctx.db.repos.contacts.consentEvents(contact?.id ?? '')).map((e) => e.kind)).toEqual(['help_requested']);
    expect(contact?.optedOutAt).toBeNull();
  });

  it('carries a simulated handset text through the simulator carrier into the thread', async () => {
    seq += 1;
    worker = new SendWorker(t.ctx);
    const seeded = await seedWorkspace(t.ctx, { name: `Sim ${seq}`, phoneNumber: `+1201555${3000 + seq}` });
    const message = await simulateInbound(t.ctx, seeded.workspace, {
      from: '(201) 555-0124',
      to: seeded.number.phoneNumber,
      body: 'STOP',
    });
    expect(message).toMatchObject({ direction: 'inbound', from: OTHER_CUSTOMER, body: 'STOP', carrierId: seeded.carrierId });
    expect(await optedOut(seeded, OTHER_CUSTOMER)).toBe(true);
    await worker.drain();
    await eventually(async () => simulatorOf(t.ctx, seeded).handsetMessages(OTHER_CUSTOMER).length === 2);
    expect(simulatorOf(t.ctx, seeded).handsetMessages(OTHER_CUSTOMER).map((m) => m.direction)).toEqual([
      'from_handset',
      'to_handset',
    ]);
  });
});
