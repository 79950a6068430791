import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER } from '../../test/support/fixtures.js';
import {
  createApiHarness,
  expectError,
  phone,
  threadOf,
  type ApiClient,
  type ApiHarness,
  type ConversationJson,
  type MessageJson,
  type PageJson,
} from '../../test/support/api.js';
import { ManualClock } from '../runtime/clock-and-ids.js';
import { listInbox } from '../app/inbox.js';
import type { User } from '../domain/models.js';
import { ConversationRepository } from '../store/conversation.repository.js';
import { hashPassword } from '../app/secrets.js';

const PASSWORD = 'correct horse battery staple';

interface NoteJson {
  id: string;
  conversationId: string;
  body: string;
  author: { id: string | null; name: string };
  createdAt: string;
}

describe.each(STORES)('the inbox API on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;
  const clock = new ManualClock(new Date('2026-03-02T15:00:00.000Z'));
  let user: User;

  beforeAll(async () => {
    h = await createApiHarness(kind, { clock });
    api = h.api;
    user = {
      id: h.t.ctx.ids.next(),
      workspaceId: h.seeded.workspace.id,
      email: 'dana@example.com',
      name: 'Dana Agent',
      role: 'agent',
      createdAt: clock.now().toISOString(),
    };
    await h.t.ctx.db.repos.users.insert(user, await hashPassword(PASSWORD));
  });
  afterAll(async () => h?.close());

  const tick = (): void => clock.advance(1000);
  const send = async (to: string, body: string): Promise<MessageJson> => {
    tick();
    const response = await api.post('/v1/messages', { from: BUSINESS_NUMBER, to, body });
    expect(response.statusCode).toBe(201);
    return response.json<MessageJson>();
  };
  const inbound = async (from: string, body: string): Promise<MessageJson> => {
    tick();
    const response = await api.post('/v1/simulator/inbound', { from, to: BUSINESS_NUMBER, body });
    expect(response.statusCode).toBe(201);
    return response.json<MessageJson>();
  };
  const conversation = async (id: string): Promise<ConversationJson> => {
    const response = await api.get(`/v1/conversations/${id}`);
    expect(response.statusCode).toBe(200);
    return response.json<ConversationJson>();
  };
  const ids = async (query: string): Promise<string[]> => {
    const response = await api.get(`/v1/conversations?limit=200&${query}`);
    expect(response.statusCode).toBe(200);
    return response.json<PageJson<ConversationJson>>().data.map((c) => c.id);
  };
  const act = async (id: string, action: string, body?: unknown): Promise<ConversationJson> => {
    const response = await api.post(`/v1/conversations/${id}/${action}`, body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ConversationJson>();
  };

  it('shows a new thread open, unassigned and read; a reply makes it unread until someone reads it', async () => {
    const sent = await send(phone(20), 'Your table is ready');
    const fresh = await conversation(sent.conversationId);
    expect(fresh).toMatchObject({ status: 'open', assignee: null, snoozedUntil: null, unread: false, lastInboundAt: null });

    const reply = await inbound(phone(20), 'On my way');
    const unread = await conversation(sent.conversationId);
    expect(unread).toMatchObject({ unread: true, lastInboundAt: reply.createdAt });

    tick();
    const read = await act(sent.conversationId, 'read');
    expect(read).toMatchObject({ unread: false, lastReadAt: clock.now().toISOString() });
    expect((await conversation(sent.conversationId)).unread).toBe(false);

    await inbound(phone(20), 'Actually 5 minutes late');
    expect((await conversation(sent.conversationId)).unread).toBe(true);
  });

  it('lists the views: open, unassigned, closed, snoozed (until the snooze runs out) and team-assigned', async () => {
    const team = (await api.post('/v1/teams', { name: 'Front desk' })).json<{ id: string }>();
    const open = (await send(phone(21), 'Open thread')).conversationId;
    const closed = (await send(phone(22), 'Closed thread')).conversationId;
    const snoozed = (await send(phone(23), 'Snoozed thread')).conversationId;
    const teamed = (await send(phone(24), 'Team thread')).conversationId;
    await act(closed, 'close');
    const until = new Date(clock.now().getTime() + 60 * 60_000).toISOString();
    expect(await act(snoozed, 'snooze', { until })).toMatchObject({ status: 'open', snoozedUntil: until });
    expect((await act(teamed, 'assign', { teamId: team.id })).assignee).toEqual({ type: 'team', id: team.id, name: 'Front desk' });

    const openView = await ids('view=open');
    expect(openView).toEqual(expect.arrayContaining([open, teamed]));
    expect(openView).not.toContain(closed);
    expect(openView).not.toContain(snoozed);
    const unassigned = await ids('view=unassigned');
    expect(unassigned).toContain(open);
    expect(unassigned).not.toContain(teamed);
    expect(unassigned).not.toContain(snoozed);
    expect(await ids('view=closed')).toEqual([closed]);
    expect(await ids('view=snoozed')).toEqual([snoozed]);
    // Without a view: every thread, newest activity first.
    const all = await ids('');
    expect(all.slice(0, 4)).toEqual([teamed, snoozed, closed, open]);

    // Exactly at `until` the snooze has run out: open again, with no write needed.
    clock.set(new Date(until));
    expect(await ids('view=open')).toContain(snoozed);
    expect(await ids('view=unassigned')).toContain(snoozed);
    expect(await ids('view=snoozed')).not.toContain(snoozed);

    const reopened = await act(closed, 'reopen');
    expect(reopened.status).toBe('open');
    expect(await ids('view=closed')).not.toContain(closed);
  });

  it('reopens a closed or snoozed thread when the customer writes', async () => {
    const closed = (await send(phone(25), 'We are closed Sundays')).conversationId;
    const snoozed = (await send(phone(26), 'See you next week')).conversationId;
    await act(closed, 'close');
    await act(snoozed, 'snooze', { until: new Date(clock.now().getTime() + 86_400_000).toISOString() });
    expect(await ids('view=open')).not.toContain(closed);

    await inbound(phone(25), 'Are you open Monday?');
    await inbound(phone(26), 'Can we move it up?');
    expect(await conversation(closed)).toMatchObject({ status: 'open', snoozedUntil: null, unread: true });
    expect(await conversation(snoozed)).toMatchObject({ status: 'open', snoozedUntil: null, unread: true });
    const openView = await ids('view=open');
    expect(openView.slice(0, 2)).toEqual([snoozed, closed]);
  });

  it('assigns to a user of the workspace, a team or nobody, and refuses anything else', async () => {
    const id = (await send(phone(27), 'Assign me')).conversationId;
    expect((await act(id, 'assign', { userId: user.id })).assignee).toEqual({ type: 'user', id: user.id, name: 'Dana Agent' });
    expect(await ids('view=unassigned')).not.toContain(id);

    // "mine" is a person's view: at the use-case level, for the user; over an API key, refused.
    const mine = await listInbox(h.t.ctx, h.seeded.workspace, { view: 'mine', userId: user.id }, 50);
    expect(mine.data.map((c) => c.id)).toEqual([id]);
    expect(mine.data[0]?.assignee).toEqual({ type: 'user', id: user.id, name: 'Dana Agent' });
    const someoneElse = await listInbox(h.t.ctx, h.seeded.workspace, { view: 'mine', userId: 'nobody' }, 50);
    expect(someoneElse.data).toEqual([]);
    const refused = expectError(await api.get('/v1/conversations?view=mine'), 400, 'validation_error', 'view');
    expect(refused.message).toMatch(/signed-in person/);

    expect((await act(id, 'assign', {})).assignee).toBeNull();
    expect(await ids('view=unassigned')).toContain(id);

    expectError(await api.post(`/v1/conversations/${id}/assign`, { userId: 'no-such-user' }), 400, 'validation_error', 'userId');
    expectError(await api.post(`/v1/conversations/${id}/assign`, { teamId: 'no-such-team' }), 400, 'validation_error', 'teamId');
    const other = await h.addWorkspace({ name: 'Other Co', phoneNumber: phone(2) });
    const theirTeam = (await other.api.post('/v1/teams', { name: 'Theirs' })).json<{ id: string }>();
    expectError(await api.post(`/v1/conversations/${id}/assign`, { teamId: theirTeam.id }), 400, 'validation_error', 'teamId');
    expectError(await api.post(`/v1/conversations/${id}/assign`, { userId: user.id, teamId: theirTeam.id }), 400, 'validation_error');
    expectError(await api.post(`/v1/conversations/${id}/assign`, { user: user.id }), 400, 'validation_error');
    // Another workspace's thread is not found, for every action.
    for (const action of ['assign', 'close', 'reopen', 'read']) {
      expectError(await other.api.post(`/v1/conversations/${id}/${action}`, {}), 404, 'not_found');
    }
    expectError(await other.api.get(`/v1/conversations/${id}/notes`), 404, 'not_found');
    expect((await conversation(id)).assignee).toBeNull();
  });

  it("lists a signed-in person's own threads as view=mine, and signs their notes", async () => {
    const signIn = await api.app.inject({ method: 'POST', url: '/v1/session', payload: { email: user.email, password: PASSWORD } });
    expect(signIn.statusCode, signIn.body).toBe(200);
    const { csrfToken } = signIn.json<{ csrfToken: string }>();
    const setCookie = signIn.headers['set-cookie'];
    const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).find((c) => c.startsWith('parley_session='))?.split(';')[0] ?? '';
    const asUser = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      api.app.inject({ method, url, headers: { cookie, ...(method === 'POST' ? { 'x-csrf-token': csrfToken } : {}) }, ...(payload ? { payload } : {}) });

    const id = (await send(phone(29), 'Mine over a session')).conversationId;
    const assigned = await asUser('POST', `/v1/conversations/${id}/assign`, { userId: user.id });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const mine = await asUser('GET', '/v1/conversations?view=mine');
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json<PageJson<ConversationJson>>().data.map((c) => c.id)).toContain(id);
    for (const c of mine.json<PageJson<ConversationJson>>().data) expect(c.assignee).toEqual({ type: 'user', id: user.id, name: 'Dana Agent' });
    await act(id, 'close');
    expect((await asUser('GET', '/v1/conversations?view=mine')).json<PageJson<ConversationJson>>().data.map((c) => c.id)).not.toContain(id);

    const note = await asUser('POST', `/v1/conversations/${id}/notes`, { body: 'Called them back' });
    expect(note.statusCode, note.body).toBe(201);
    expect(note.json<NoteJson>().author).toEqual({ id: user.id, name: 'Dana Agent' });
  });

  it('refuses a snooze that is not in the future, naming until', async () => {
    const id = (await send(phone(28), 'Snooze me')).conversationId;
    expectError(await api.post(`/v1/conversations/${id}/snooze`, { until: clock.now().toISOString() }), 400, 'validation_error', 'until');
    expectError(await api.post(`/v1/conversations/${id}/snooze`, { until: 'tomorrow' }), 400, 'validation_error', 'until');
    expectError(await api.post(`/v1/conversations/${id}/snooze`, {}), 400, 'validation_error');
    expect((await conversation(id)).snoozedUntil).toBeNull();
  });

  it('searches by contact name, phone digits and message text', async () => {
    const named = (await send(phone(30), 'Your crown is ready for fitting')).conversationId;
    const contact = (await conversation(named)).contact;
    expect((await api.request('PATCH', `/v1/contacts/${contact.id}`, { name: 'Zoë Quintana' })).statusCode).toBe(200);
    const texted = (await send(phone(31), 'Reminder: orthodontic consultation Friday')).conversationId;
    await inbound(phone(31), 'Can I bring my daughter?');

    // Both plans: few matches (threads read by id) and many (the list walked in order).
    for (const smallMatch of [2000, 0]) {
      ConversationRepository.searchSmallMatch = smallMatch;
      try {
        expect(await ids('q=quint')).toEqual([named]);
        expect(await ids('q=ZOË')).toEqual([named]);
        expect(await ids('q=zo')).toEqual([named]);
        expect(await ids(`q=${encodeURIComponent('555-0130')}`)).toEqual([named]);
        expect(await ids(`q=${encodeURIComponent('(201) 555 0131')}`)).toEqual([texted]);
        expect(await ids('q=orthodont')).toEqual([texted]);
        expect(await ids('q=DAUGHTER')).toEqual([texted]);
        expect(await ids(`q=${encodeURIComponent('crown fitting')}`)).toEqual([named]);
        expect(await ids('q=crownless')).toEqual([]);
        expect(await ids(`q=${encodeURIComponent('100%')}`)).toEqual([]);
      } finally {
        ConversationRepository.searchSmallMatch = 2000;
      }
    }
    // Search combines with a view.
    await act(texted, 'close');
    expect(await ids('view=open&q=orthodont')).toEqual([]);
    expect(await ids('view=closed&q=orthodont')).toEqual([texted]);
    // Never another workspace's threads.
    const other = await h.addWorkspace({ name: 'Search Co', phoneNumber: phone(3) });
    await other.api.post('/v1/messages', { from: phone(3), to: phone(31), body: 'orthodontic offer' });
    expect(await ids('q=orthodont')).toEqual([texted]);
  });

  it('keeps notes internal: listed oldest first, never sent, never a message', async () => {
    const sent = await send(phone(32), 'Your refund is on its way');
    await h.drain();
    const before = (await threadOf(api, sent.conversationId)).map((m) => m.id);
    tick();
    const first = await api.post(`/v1/conversations/${sent.conversationId}/notes`, { body: 'Refund approved by Sam' });
    expect(first.statusCode).toBe(201);
    const note = first.json<NoteJson>();
    expect(note).toMatchObject({ conversationId: sent.conversationId, body: 'Refund approved by Sam', author: { id: null } });
    expect(note.author.name).toBe(`API key ${h.seeded.apiKey.slice(0, 10)}`);
    tick();
    await api.post(`/v1/conversations/${sent.conversationId}/notes`, { body: 'Customer called again' });

    const notes = (await api.get(`/v1/conversations/${sent.conversationId}/notes`)).json<{ data: NoteJson[] }>().data;
    expect(notes.map((n) => n.body)).toEqual(['Refund approved by Sam', 'Customer called again']);
    await h.drain();
    expect((await threadOf(api, sent.conversationId)).map((m) => m.id)).toEqual(before);
    const handset = await api.get(`/v1/simulator/handsets/${encodeURIComponent(phone(32))}/messages?number=${encodeURIComponent(BUSINESS_NUMBER)}`);
    expect(handset.statusCode).toBe(200);
    const seen = handset.json<{ data: Array<{ body: string }> }>().data.map((m) => m.body);
    expect(seen).toEqual(['Your refund is on its way']);

    expectError(await api.post(`/v1/conversations/${sent.conversationId}/notes`, { body: '  ' }), 400, 'validation_error', 'body');
    expectError(await api.post(`/v1/conversations/${sent.conversationId}/notes`, { body: 'x', pinned: true }), 400, 'validation_error');
    expectError(await api.post('/v1/conversations/nope/notes', { body: 'x' }), 404, 'not_found');
  });

  it('keeps teams unique by name and templates with known merge fields', async () => {
    const created = await api.post('/v1/teams', { name: 'Billing' });
    expect(created.statusCode).toBe(201);
    expectError(await api.post('/v1/teams', { name: ' Billing ' }), 409, 'already_exists', 'name');
    const teams = (await api.get('/v1/teams')).json<{ data: Array<{ name: string }> }>().data.map((t) => t.name);
    expect(teams).toContain('Billing');

    const template = await api.post('/v1/templates', { name: 'Greeting', body: 'Hi {{contact.name}}, {{business.name}} here.' });
    expect(template.statusCode).toBe(201);
    const { id } = template.json<{ id: string }>();
    expect((await api.get('/v1/templates')).json<{ data: Array<{ id: string; body: string }> }>().data).toEqual([
      expect.objectContaining({ id, name: 'Greeting', body: 'Hi {{contact.name}}, {{business.name}} here.' }),
    ]);

    const thread = (await send(phone(33), 'Hello')).conversationId;
    expectError(await api.post(`/v1/templates/${id}/render`, { conversationId: thread }), 400, 'validation_error', 'body');
    const contact = (await conversation(thread)).contact;
    await api.request('PATCH', `/v1/contacts/${contact.id}`, { name: 'Ana' });
    const rendered = await api.post(`/v1/templates/${id}/render`, { conversationId: thread });
    expect(rendered.json()).toEqual({ body: 'Hi Ana, Acme Dental here.' });

    expectError(await api.post('/v1/templates', { name: 'Bad', body: 'Hi {{contact.firstName}}' }), 400, 'validation_error', 'body');
    expectError(await api.post('/v1/templates', { name: 'Long', body: 'x'.repeat(1601) }), 400, 'body_too_long', 'body');
    expectError(await api.post('/v1/templates', { name: 'Empty', body: ' ' }), 400, 'validation_error', 'body');
    const other = await h.addWorkspace({ name: 'Template Co', phoneNumber: phone(4) });
    expectError(await other.api.delete(`/v1/templates/${id}`), 404, 'not_found');
    expect((await api.delete(`/v1/templates/${id}`)).statusCode).toBe(204);
    expectError(await api.delete(`/v1/templates/${id}`), 404, 'not_found');
  });

  it('pages stably while new messages arrive: no thread twice, no unchanged thread missed', async () => {
    const threads: string[] = [];
    for (let i = 40; i < 50; i++) threads.push((await send(phone(i), `Batch ${i}`)).conversationId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/v1/conversations?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await api.get(query)).json<PageJson<ConversationJson>>();
      seen.push(...page.data.map((c) => c.id));
      cursor = page.nextCursor;
      // Activity during the walk: an already-seen thread and a not-yet-seen one move to the top.
      if (pages === 0) {
        await inbound(phone(49), 'new reply on a seen thread');
        await inbound(phone(41), 'new reply on an unseen thread');
      }
      pages += 1;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const unchanged = threads.filter((_, i) => i !== 1 && i !== 9);
    for (const id of unchanged) expect(seen).toContain(id);
  });

  it('streams conversation.updated with the full conversation, and note.created', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/v1/events`;
    const controller = new AbortController();
    const response = await fetch(url, { headers: { authorization: `Bearer ${h.seeded.apiKey}` }, signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const frames = (): Array<{ event: string; data: Record<string, unknown> }> =>
      text
        .split('\n\n')
        .filter((block) => block.includes('data:'))
        .map((block) => ({
          event: /event: (.*)/.exec(block)?.[1] ?? '',
          data: JSON.parse(/data: (.*)/.exec(block)?.[1] ?? '{}') as Record<string, unknown>,
        }));
    const until = async (match: (frame: { event: string; data: Record<string, unknown> }) => boolean) => {
      const deadline = Date.now() + 5000;
      for (;;) {
        const found = frames().find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching frame in ${text}`);
        const chunk = await reader.read();
        if (chunk.done) throw new Error('stream ended');
        text += decoder.decode(chunk.value, { stream: true });
      }
    };
    try {
      const id = (await send(phone(34), 'How would you like to pay?')).conversationId;
      await inbound(phone(34), 'Card 4111 1111 1111 1111 please');
      await act(id, 'assign', { userId: user.id });
      const assigned = await until((f) => f.event === 'conversation.updated' && f.data.id === id && f.data.assignee !== null);
      expect(assigned.data).toMatchObject({
        id,
        status: 'open',
        assignee: { type: 'user', id: user.id, name: 'Dana Agent' },
        unread: true,
        snoozedUntil: null,
        contact: { phoneNumber: phone(34) },
        number: { phoneNumber: BUSINESS_NUMBER },
      });
      expect(String(assigned.data.lastMessagePreview)).toMatch(/1111 please$/);
      expect(String(assigned.data.lastMessagePreview)).not.toContain('4111 1111 1111 1111');

      await act(id, 'read');
      await until((f) => f.event === 'conversation.updated' && f.data.id === id && f.data.unread === false);
      await act(id, 'close');
      await until((f) => f.event === 'conversation.updated' && f.data.id === id && f.data.status === 'closed');
      await api.post(`/v1/conversations/${id}/notes`, { body: 'Internal only' });
      const note = await until((f) => f.event === 'note.created');
      expect(note.data).toMatchObject({ conversationId: id, body: 'Internal only', author: { id: null } });
    } finally {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
  });
});
