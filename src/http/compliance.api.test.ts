import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER } from '../../test/support/fixtures.js';
import {
  createApiHarness,
  expectError,
  threadOf,
  type ApiClient,
  type ApiHarness,
  type ContactJson,
  type MessageJson,
  type PageJson,
} from '../../test/support/api.js';
import { ManualClock } from '../runtime/clock-and-ids.js';

interface ConsentJson {
  contactId: string;
  optedOut: boolean;
  optedOutNumbers: Array<{ number: string; since: string }>;
  consentReviewPending: boolean;
  events: Array<{ kind: string; source: string; scope: string; number: string | null; evidence: string | null; messageId: string | null; rule: string | null; actor: string }>;
}
interface AuditJson {
  data: Array<{ action: string; actor: string; targetType: string; targetId: string; detail: Record<string, unknown> }>;
}

/** 2026-06-10 16:00 UTC = 12:00 in New York (EDT): inside every send window. */
const NOON_NEW_YORK = new Date('2026-06-10T16:00:00.000Z');

describe.each(STORES)('compliance over the API on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;
  const clock = new ManualClock(NOON_NEW_YORK);
  let next = 300;
  const customer = (): string => `+1201555${String(2000 + next++)}`;

  beforeAll(async () => {
    h = await createApiHarness(kind, { clock });
    api = h.api;
  });
  afterAll(async () => h?.close());

  const send = (to: string, body: string, extra: Record<string, unknown> = {}) =>
    api.post('/v1/messages', { from: BUSINESS_NUMBER, to, body, ...extra });
  const text = async (from: string, body: string, to = BUSINESS_NUMBER): Promise<MessageJson> => {
    const response = await api.post('/v1/simulator/inbound', { from, to, body });
    expect(response.statusCode).toBe(201);
    return response.json<MessageJson>();
  };
  const contactOf = async (phoneNumber: string): Promise<ContactJson> => {
    const response = await api.get(`/v1/contacts?phoneNumber=${encodeURIComponent(phoneNumber)}`);
    const found = response.json<PageJson<ContactJson>>().data[0];
    if (!found) throw new Error(`no contact ${phoneNumber}`);
    return found;
  };
  const consentOf = async (phoneNumber: string): Promise<ConsentJson> => {
    const response = await api.get(`/v1/contacts/${(await contactOf(phoneNumber)).id}/consent`);
    expect(response.statusCode).toBe(200);
    return response.json<ConsentJson>();
  };
  const settings = async (patch: Record<string, unknown>): Promise<void> => {
    const response = await api.request('PATCH', '/v1/workspace', patch);
    expect(response.statusCode, response.body).toBe(200);
  };
  const message = async (id: string): Promise<MessageJson> => (await api.get(`/v1/messages/${id}`)).json<MessageJson>();

  it('opts out on revocation in plain words, confirms once with the brand, then sends nothing but the reply to START', async () => {
    await settings({ brandName: 'Acme Dental', supportContact: '+1 201 555 0100' });
    const who = customer();
    const first = await send(who, 'Your cleaning is on Tuesday');
    const { conversationId } = first.json<MessageJson>();
    await text(who, 'Please stop texting me.');

    const consent = await consentOf(who);
    expect(consent.optedOut).toBe(true);
    expect(consent.events).toEqual([
      expect.objectContaining({ kind: 'opted_out', source: 'plain_words', scope: 'workspace', actor: 'contact', evidence: 'Please stop texting me.' }),
    ]);
    expect(consent.events[0]?.rule).toMatch(/high/);
    expectError(await send(who, 'One more thing'), 422, 'recipient_opted_out', 'to');

    // HELP after an opt-out is recorded, not answered; a second STOP neither.
    await text(who, 'HELP');
    await text(who, 'STOP');
    let thread = await threadOf(api, conversationId);
    const outbound = thread.filter((m) => m.direction === 'outbound').map((m) => m.body);
    expect(outbound).toHaveLength(2);
    expect(outbound[1]).toMatch(/^Acme Dental: You have been unsubscribed/);

    await text(who, 'START');
    thread = await threadOf(api, conversationId);
    expect(thread.at(-1)?.body).toMatch(/resubscribed/);
    expect((await consentOf(who)).events.map((e) => e.kind)).toEqual(['opted_out', 'help_requested', 'opted_out', 'opted_in']);
    expect((await send(who, 'Welcome back')).statusCode).toBe(201);
  });

  it('answers HELP with brand, support contact and the rates notice by default', async () => {
    const who = customer();
    const help = await text(who, 'help');
    const thread = await threadOf(api, help.conversationId);
    expect(thread.at(-1)?.body).toBe('Acme Dental: Help at +1 201 555 0100. Reply STOP to unsubscribe. Msg & data rates may apply.');
    expect((await consentOf(who)).events.map((e) => [e.kind, e.source])).toEqual([['help_requested', 'keyword']]);
  });

  it('does not opt out on replies that only use the words ("can you stop by tomorrow?")', async () => {
    const who = customer();
    await text(who, 'Can you stop by tomorrow?');
    await text(who, "Don't stop the deliveries please");
    const consent = await consentOf(who);
    expect(consent).toMatchObject({ optedOut: false, consentReviewPending: false, events: [] });
  });

  it('flags an ambiguous reply for a person and holds marketing, not other messages, until it is settled', async () => {
    const who = customer();
    await send(who, 'Hi, this is Acme');
    await h.drain();
    const reply = await text(who, 'not interested');
    const flagged = await contactOf(who);
    expect(flagged).toMatchObject({ optedOut: false, consentReviewPending: true });
    expect((await threadOf(api, reply.conversationId)).at(-1)?.direction).toBe('inbound'); // no automatic reply

    const promo = (await send(who, 'Spring sale: 20% off whitening', { category: 'marketing' })).json<MessageJson>();
    const reminder = (await send(who, 'Reminder: Tuesday 9am', { category: 'transactional' })).json<MessageJson>();
    await h.drain();
    expect(['sent', 'delivered']).toContain((await message(reminder.id)).status);
    expect((await message(promo.id)).status).toBe('queued'); // held

    const settled = await api.post(`/v1/contacts/${flagged.id}/consent/review`, { decision: 'not_an_opt_out', note: 'asked about the parking' });
    expect(settled.statusCode, settled.body).toBe(200);
    expect(settled.json<ConsentJson>()).toMatchObject({ consentReviewPending: false, optedOut: false });
    await h.drain();
    expect(['sent', 'delivered']).toContain((await message(promo.id)).status);
    expectError(await api.post(`/v1/contacts/${flagged.id}/consent/review`, { decision: 'opted_out' }), 409, 'conflict');
  });

  it('a person can settle an ambiguous reply as an opt-out: held marketing is then canceled', async () => {
    const who = customer();
    await text(who, "I'm done with this");
    const flagged = await contactOf(who);
    expect(flagged.consentReviewPending).toBe(true);
    const promo = (await send(who, 'Last chance!', { category: 'marketing' })).json<MessageJson>();
    await h.drain();
    const settled = await api.post(`/v1/contacts/${flagged.id}/consent/review`, { decision: 'opted_out' });
    expect(settled.json<ConsentJson>()).toMatchObject({ optedOut: true, consentReviewPending: false });
    expect(settled.json<ConsentJson>().events.map((e) => [e.kind, e.source])).toEqual([
      ['review_requested', 'plain_words'],
      ['opted_out', 'agent'],
    ]);
    await h.drain(); // at once, not at the hold's next re-check
    expect(await message(promo.id)).toMatchObject({ status: 'canceled', errorCode: 'recipient_opted_out' });
  });

  it('records consent gathered elsewhere with its evidence, and exports the ledger as CSV', async () => {
    const who = customer();
    await send(who, 'Welcome!');
    const contact = await contactOf(who);
    const recorded = await api.post(`/v1/contacts/${contact.id}/consent`, {
      status: 'opted_out',
      source: 'web_form',
      evidence: 'Unsubscribe form on acme.example, IP 203.0.113.7',
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    expect(recorded.json<ConsentJson>().events).toEqual([
      expect.objectContaining({ kind: 'opted_out', source: 'web_form', actor: expect.stringMatching(/^api_key:/) }),
    ]);
    expectError(await send(who, 'Hello?'), 422, 'recipient_opted_out');
    expectError(await api.post(`/v1/contacts/${contact.id}/consent`, { status: 'opted_in', evidence: '   ' }), 400, 'validation_error', 'evidence');
    expectError(await api.post(`/v1/contacts/${contact.id}/consent`, { status: 'maybe', evidence: 'x' }), 400, 'validation_error');

    const csv = await api.get('/v1/consent/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('recorded_at,event,contact_phone,contact_name,scope,business_number,source,rule,actor,evidence_message_id,evidence,event_id');
    const row = lines.find((line) => line.includes(who) && line.includes('web_form'));
    expect(row).toContain('"Unsubscribe form on acme.example, IP 203.0.113.7"');
    // Oldest first, and every event of the workspace once.
    const times = lines.slice(1).map((line) => line.slice(0, 24));
    expect([...times].sort()).toEqual(times);
  });

  it('scopes STOP to the number it was sent to when configured; STOPALL is always workspace-wide', async () => {
    const second = await api.post('/v1/numbers', { phoneNumber: '+12015550199', carrierId: h.seeded.carrierId, mps: 10_000 });
    expect(second.statusCode, second.body).toBe(201);
    await settings({ optOutScope: 'number' });
    try {
      const who = customer();
      await text(who, 'STOP');
      let consent = await consentOf(who);
      expect(consent).toMatchObject({ optedOut: false, optedOutNumbers: [{ number: BUSINESS_NUMBER }] });
      expectError(await send(who, 'From the main line'), 422, 'recipient_opted_out');
      expect((await api.post('/v1/messages', { from: '+12015550199', to: who, body: 'From the second line' })).statusCode).toBe(201);

      await text(who, 'STOP ALL', '+12015550199');
      consent = await consentOf(who);
      expect(consent.optedOut).toBe(true);
      expect(consent.events.at(-1)).toMatchObject({ kind: 'opted_out', scope: 'workspace' });
      expectError(await api.post('/v1/messages', { from: '+12015550199', to: who, body: 'x' }), 422, 'recipient_opted_out');

      // START to a number lifts what blocks that number, the workspace-wide opt-out included.
      await text(who, 'START');
      consent = await consentOf(who);
      expect(consent).toMatchObject({ optedOut: false, optedOutNumbers: [] });
    } finally {
      await settings({ optOutScope: 'workspace' });
    }
  });

  it('refuses outbound sensitive data unless overridden, and audits the override', async () => {
    const who = customer();
    const refused = await send(who, 'Your card 4242 4242 4242 4242 is on file');
    const error = expectError(refused, 422, 'sensitive_content', 'body');
    expect(error.message).toMatch(/payment card/);
    expect((await api.get(`/v1/contacts?phoneNumber=${encodeURIComponent(who)}`)).json<PageJson<ContactJson>>().data).toEqual([]);

    const sent = await send(who, 'Your card 4242 4242 4242 4242 is on file', { allowSensitiveContent: true });
    expect(sent.statusCode).toBe(201);
    const id = sent.json<MessageJson>().id;
    expect(sent.json<MessageJson>()).toMatchObject({ bodyMasked: true });
    expect(sent.json<MessageJson>().body).not.toContain('4242 4242 4242 4242');
    const audit = (await api.get('/v1/audit-log?action=sensitive_content.override')).json<AuditJson>();
    expect(audit.data[0]).toMatchObject({ targetType: 'message', targetId: id, actor: expect.stringMatching(/^api_key:/), detail: { kinds: ['payment_card'] } });

    const batch = await api.post('/v1/messages/batch', {
      from: BUSINESS_NUMBER,
      body: 'SSN on file: {{ssn}}',
      category: 'transactional',
      recipients: [{ to: customer(), ssn: '123-45-6789' }, { to: customer(), ssn: 'none' }],
    });
    const results = batch.json<{ results: Array<{ id?: string; error?: { code: string } }> }>().results;
    expect(results[0]?.error?.code).toBe('sensitive_content');
    expect(results[1]?.id).toEqual(expect.any(String));
  });

  it('stores inbound sensitive data but masks it everywhere until an administrator reveals it (audited)', async () => {
    const who = customer();
    const inbound = await text(who, 'my iban is DE89 3704 0044 0532 0130 00 thanks');
    expect(inbound.bodyMasked).toBe(true);
    expect(inbound.body).not.toContain('3704 0044');
    expect((await message(inbound.id)).body).toBe(inbound.body);
    const conversations = (await api.get('/v1/conversations')).json<PageJson<{ id: string; lastMessagePreview: string | null }>>().data;
    expect(conversations.find((c) => c.id === inbound.conversationId)?.lastMessagePreview).not.toContain('3704 0044');

    const revealed = await api.post(`/v1/messages/${inbound.id}/reveal`);
    expect(revealed.statusCode).toBe(200);
    expect(revealed.json<{ body: string }>().body).toBe('my iban is DE89 3704 0044 0532 0130 00 thanks');
    const audit = (await api.get('/v1/audit-log?action=sensitive_content.revealed')).json<AuditJson>();
    expect(audit.data[0]).toMatchObject({ targetId: inbound.id, detail: { kinds: ['iban'] } });
  });

  it('masks a card number in the conversation preview even where the preview cuts the text', async () => {
    const who = customer();
    const body = `${'x'.repeat(150)} card 4242 4242 4242 4242 ok`;
    const inbound = await text(who, body);
    const conversations = (await api.get('/v1/conversations?limit=200')).json<PageJson<{ id: string; lastMessagePreview: string | null }>>().data;
    const preview = conversations.find((c) => c.id === inbound.conversationId)?.lastMessagePreview ?? '';
    expect(preview).toHaveLength(160);
    expect(preview).not.toMatch(/4242/);
  });

  it('START lifts a number opt-out made while STOP was scoped by number, after the workspace went back to workspace scope', async () => {
    const who = customer();
    await settings({ optOutScope: 'number' });
    await text(who, 'STOP');
    await settings({ optOutScope: 'workspace' });
    expectError(await send(who, 'Still there?'), 422, 'recipient_opted_out');
    await text(who, 'START');
    expect((await consentOf(who)).optedOutNumbers).toEqual([]);
    expect((await send(who, 'Welcome back')).statusCode).toBe(201);
  });

  it('audits compliance settings changes: who changed which, from what to what', async () => {
    await settings({ optOutScope: 'number', brandName: 'Acme Smiles' });
    await settings({ optOutScope: 'workspace' });
    const audit = (await api.get('/v1/audit-log?action=workspace.compliance_changed')).json<AuditJson>();
    expect(audit.data[0]).toMatchObject({
      actor: expect.stringMatching(/^api_key:/),
      targetType: 'workspace',
      detail: { optOutScope: { from: 'number', to: 'workspace' } },
    });
    expect(audit.data[1]?.detail).toMatchObject({ optOutScope: { from: 'workspace', to: 'number' }, brandName: { to: 'Acme Smiles' } });
    await settings({ brandName: 'Acme Dental' });
  });

  it('keeps an audit log of consent changes, newest first', async () => {
    const who = customer();
    await text(who, 'STOP');
    await text(who, 'START');
    const contact = await contactOf(who);
    const audit = (await api.get('/v1/audit-log?limit=50')).json<AuditJson>();
    const mine = audit.data.filter((event) => event.targetId === contact.id).map((event) => event.action);
    expect(mine).toEqual(['consent.opted_in', 'consent.opted_out']);
  });

  it("keeps the contact's copy of its consent equal to what its ledger says", async () => {
    const scripts = [['STOP'], ['STOP', 'START'], ['not interested'], ['not interested', 'STOP'], ['HELP'], ['STOP', 'STOP', 'YES']];
    for (const script of scripts) {
      const who = customer();
      for (const body of script) await text(who, body);
      const contact = await contactOf(who);
      const ledger = await consentOf(who);
      expect({ optedOut: contact.optedOut, review: contact.consentReviewPending }, script.join(' → ')).toEqual({
        optedOut: ledger.optedOut,
        review: ledger.consentReviewPending,
      });
    }
  });

  describe('quiet hours and frequency caps (marketing only)', () => {
    beforeAll(async () => settings({ quietHours: '08:00-21:00', marketingCap: { max: 3, windowHours: 24, overCap: 'defer' } }));
    afterAll(async () => settings({ quietHours: null, marketingCap: null }));

    it("schedules marketing created during the recipient's quiet hours for the window's opening", async () => {
      clock.set(new Date('2026-06-11T02:30:00.000Z')); // 22:30 in New York (EDT)
      try {
        const promo = (await send(customer(), 'Flash sale tonight!', { category: 'marketing' })).json<MessageJson>();
        expect(promo).toMatchObject({ status: 'scheduled', sendAt: '2026-06-11T12:00:00.000Z' }); // 08:00 EDT
        const code = (await send(customer(), 'Your code is 424242', { category: 'transactional' })).json<MessageJson>();
        expect(code.status).toBe('queued');
        // Los Angeles (213): 19:30 there, inside the window.
        const west = (await send('+12135550142', 'Flash sale tonight!', { category: 'marketing' })).json<MessageJson>();
        expect(west.status).toBe('queued');
      } finally {
        clock.set(NOON_NEW_YORK);
      }
    });

    it('ends the window at 20:00 for recipients presumed in Florida, and honours a contact time zone', async () => {
      clock.set(new Date('2026-06-11T00:30:00.000Z')); // 20:30 in Miami (EDT)
      try {
        const miami = (await send('+13055550142', 'Sale!', { category: 'marketing' })).json<MessageJson>();
        expect(miami).toMatchObject({ status: 'scheduled', sendAt: '2026-06-11T12:00:00.000Z' });
        const who = customer();
        await send(who, 'hello');
        const contact = await contactOf(who);
        const patched = await api.request('PATCH', `/v1/contacts/${contact.id}`, { timeZone: 'America/Los_Angeles' });
        expect(patched.json<ContactJson>().timeZone).toBe('America/Los_Angeles');
        expect((await send(who, 'Sale!', { category: 'marketing' })).json<MessageJson>().status).toBe('queued'); // 17:30 there
        expectError(await api.request('PATCH', `/v1/contacts/${contact.id}`, { timeZone: 'Mars/Olympus' }), 400, 'validation_error', 'timeZone');
      } finally {
        clock.set(NOON_NEW_YORK);
      }
    });

    it('holds marketing over the cap until the window allows it, or fails it with frequency_capped when configured', async () => {
      const who = customer();
      const sent: MessageJson[] = [];
      for (let i = 0; i < 3; i++) {
        sent.push((await send(who, `Deal ${i}`, { category: 'marketing' })).json<MessageJson>());
        await h.drain();
      }
      for (const m of await Promise.all(sent.map((s) => message(s.id)))) expect(['sent', 'delivered']).toContain(m.status);
      const fourth = (await send(who, 'Deal 3', { category: 'marketing' })).json<MessageJson>();
      expect(fourth.status).toBe('scheduled');
      expect(Date.parse(fourth.sendAt ?? '')).toBe(NOON_NEW_YORK.getTime() + 24 * 3_600_000);

      await settings({ marketingCap: { max: 3, windowHours: 24, overCap: 'fail' } });
      expectError(await send(who, 'Deal 4', { category: 'marketing' }), 422, 'frequency_capped');
      expect((await send(who, 'Your order shipped', { category: 'transactional' })).statusCode).toBe(201);
      await settings({ marketingCap: { max: 3, windowHours: 24, overCap: 'defer' } });
    });

    it('counts sends against the cap at claim time: of four queued together, three go and the fourth waits', async () => {
      const who = customer();
      const queued = [];
      for (let i = 0; i < 4; i++) queued.push((await send(who, `Offer ${i}`, { category: 'marketing' })).json<MessageJson>());
      expect(queued.map((m) => m.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
      await h.drain();
      const after = await Promise.all(queued.map((m) => message(m.id)));
      expect(after.filter((m) => m.status === 'queued')).toHaveLength(1);
      const waiting = after.find((m) => m.status === 'queued');
      expect(Date.parse(waiting?.sendAt ?? '')).toBeGreaterThanOrEqual(NOON_NEW_YORK.getTime() + 24 * 3_600_000);
    });

    it("counts the cap across a contact's threads with several numbers claimed together", async () => {
      const who = customer();
      const froms = [BUSINESS_NUMBER];
      for (let i = 0; i < 4; i++) {
        const phoneNumber = `+1201555${7100 + next * 5 + i}`;
        const created = await api.post('/v1/numbers', { phoneNumber, carrierId: h.seeded.carrierId, mps: 10_000 });
        expect(created.statusCode, created.body).toBe(201);
        froms.push(phoneNumber);
      }
      const queued = [];
      for (const from of froms) queued.push((await api.post('/v1/messages', { from, to: who, body: 'Deal', category: 'marketing' })).json<MessageJson>());
      await h.drain();
      const after = await Promise.all(queued.map((m) => message(m.id)));
      expect(after.filter((m) => m.status === 'queued')).toHaveLength(2);
    });

    it('refuses bad settings, naming the field', async () => {
      expectError(await api.request('PATCH', '/v1/workspace', { quietHours: '25:00-21:00' }), 400, 'validation_error', 'quietHours');
      expectError(await api.request('PATCH', '/v1/workspace', { timeZone: 'Nowhere/Special' }), 400, 'validation_error', 'timeZone');
      expectError(await api.request('PATCH', '/v1/workspace', { marketingCap: { max: 0, windowHours: 24, overCap: 'defer' } }), 400, 'validation_error');
      expectError(await api.request('PATCH', '/v1/workspace', { quietHours: '21:00-08:00' }), 400, 'validation_error', 'quietHours');
      const disjoint = await api.request('PATCH', '/v1/workspace', { regionQuietHours: { 'US-FL': '05:00-07:00' } });
      expectError(disjoint, 400, 'validation_error', 'regionQuietHours.US-FL');
    });

    it('holds marketing that falls due during quiet hours when a worker claims it, until the window opens', async () => {
      // The last test of the file: it leaves the clock (and the sender's pacing state) a day ahead.
      clock.set(new Date('2026-06-11T00:50:00.000Z')); // 20:50 in New York
      const promo = (await send(customer(), 'Tonight only', { category: 'marketing' })).json<MessageJson>();
      expect(promo.status).toBe('queued');
      clock.set(new Date('2026-06-11T01:10:00.000Z')); // 21:10: the worker comes to it late
      await h.drain();
      expect(await message(promo.id)).toMatchObject({ status: 'queued', sendAt: '2026-06-11T12:00:00.000Z' });
      clock.set(new Date('2026-06-11T12:00:30.000Z'));
      await h.drain();
      expect(['sent', 'delivered']).toContain((await message(promo.id)).status);
    });
  });
});
