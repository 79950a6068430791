import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { eventually, seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import type { Clock, ParleyEvent } from '../domain/ports.js';
import type { Repositories } from '../store/store.js';
import { draftOutbound, writeOutbound, writeOutboundMany, type OutboundDraft, type WriteResult } from './outbound.js';
import { sendBatch } from './send-batch.js';

/** Moves on by a millisecond at each reading, so every row of a batch gets its own time. */
class TickingClock implements Clock {
  private at = Date.parse('2026-01-01T12:00:00.000Z');
  now(): Date {
    return new Date(this.at++);
  }
  set(iso: string): void {
    this.at = Date.parse(iso);
  }
}

const SETUP_AT = '2026-01-01T12:00:00.000Z';
const WRITE_AT = '2026-01-01T13:00:00.000Z';
const NEW_ONE = '+12025550101';
const NEW_TWO = '+12025550102';
const OPTED_OUT = '+12025550103';
const EXISTING_THREAD = '+12025550104';
const FUTURE_THREAD = '+12025550105';
const CONTACT_ONLY = '+12025550106';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Replaces the workspace's own ids and number, then every other id by the order it first
 * appears: two workspaces written the same way then read the same.
 */
function normalised(value: unknown, seeded: SeededWorkspace): unknown {
  const labels = new Map<string, string>();
  const text = JSON.stringify(value)
    .replaceAll(seeded.workspace.id, 'WORKSPACE')
    .replaceAll(seeded.number.id, 'NUMBER')
    .replaceAll(seeded.carrierId, 'CARRIER')
    .replaceAll(seeded.number.phoneNumber, 'FROM')
    .replace(UUID, (id) => {
      const label = labels.get(id) ?? `id${labels.size}`;
      labels.set(id, label);
      return label;
    });
  return JSON.parse(text) as unknown;
}

describe.each(STORES)('writing outbound messages in bulk on %s', (kind) => {
  let t: TestContext;
  const clock = new TickingClock();
  let seq = 0;

  beforeAll(async () => {
    t = await createTestContext(kind, {}, { clock });
  });
  afterAll(async () => t?.cleanup());

  /** A workspace with an opted-out contact, two threads (one already showing a later message) and a contact with no thread. */
  async function seed(): Promise<SeededWorkspace> {
    seq += 1;
    const seeded = await seedWorkspace(t.ctx, { name: `Bulk ${seq}`, phoneNumber: `+1201555${8000 + seq}` });
    clock.set(SETUP_AT);
    await t.ctx.db.transaction(async (repos) => {
      const draft = (to: string, body: string) => draftOutbound(t.ctx, seeded.workspace, seeded.number, { to, body });
      const optedOut = await repos.contacts.findOrCreate({ ...contactOf(seeded, OPTED_OUT), id: t.ctx.ids.next() });
      await repos.contacts.writeConsentCopy(optedOut.id, { optedOutAt: SETUP_AT }, SETUP_AT);
      await writeOutbound(t.ctx, repos, draft(EXISTING_THREAD, 'Earlier'));
      const future = await writeOutbound(t.ctx, repos, draft(FUTURE_THREAD, 'Earlier'));
      if (!future.ok) throw future.error;
      await repos.conversations.touchById(future.conversation.id, '2027-01-01T00:00:00.000Z', 'From the future');
      await repos.contacts.findOrCreate({ ...contactOf(seeded, CONTACT_ONLY), id: t.ctx.ids.next() });
    });
    return seeded;
  }

  function contactOf(seeded: SeededWorkspace, phoneNumber: string) {
    return {
      workspaceId: seeded.workspace.id,
      phoneNumber,
      name: null,
      attributes: {},
      optedOutAt: null,
      timeZone: null,
      consentReviewAt: null,
      createdAt: SETUP_AT,
      updatedAt: SETUP_AT,
    };
  }

  /** New, duplicate, opted-out (twice, once exempt), existing and future threads, scheduled, UCS-2, replies among bulk. */
  function mixedDrafts(seeded: SeededWorkspace): OutboundDraft[] {
    const draft = (to: string, body: string, extra: Partial<OutboundDraft> = {}, sendAt?: string): OutboundDraft => ({
      ...draftOutbound(t.ctx, seeded.workspace, seeded.number, { to, body, category: 'marketing', sendAt }),
      bulk: true,
      ...extra,
    });
    return [
      draft(NEW_ONE, 'Hello one'),
      draft(OPTED_OUT, 'Not for you'),
      draft(EXISTING_THREAD, 'Hello existing'),
      draft(NEW_ONE, 'Hello one, again'),
      draft(FUTURE_THREAD, 'Hello future'),
      draft(CONTACT_ONLY, 'Hello later', {}, '2026-06-01T09:00:00Z'),
      draft(OPTED_OUT, 'Your code is 1234', { category: 'transactional', bulk: false, consentExempt: true }),
      draft(NEW_TWO, 'Привет, это длинное сообщение '.repeat(4), { category: 'conversational', bulk: false }),
      draft(EXISTING_THREAD, 'Hello existing, again '.repeat(10)),
      draft(OPTED_OUT, 'Still not for you'),
      draft(NEW_TWO, 'Hello two'),
    ];
  }

  async function stateOf(seeded: SeededWorkspace, results: WriteResult[]) {
    const repos: Repositories = t.ctx.db.repos;
    const conversations = (await repos.conversations.list(seeded.workspace.id, 100)).data;
    const messages = [];
    for (const conversation of conversations) {
      messages.push((await repos.messages.listForConversation(conversation.id, 100)).data);
    }
    const contacts = (await repos.contacts.list(seeded.workspace.id, {}, 100)).data;
    const due = (await repos.messages.lockDue('2030-01-01T00:00:00.000Z', 1000))
      .filter((message) => message.workspaceId === seeded.workspace.id)
      .map((message) => ({ id: message.id, priority: message.priority }));
    const written = results.map((result) =>
      result.ok ? { message: result.message, conversation: result.conversation, contact: result.contact } : { error: result.error.code, field: result.error.field },
    );
    return normalised({ written, conversations, messages, contacts, due }, seeded);
  }

  it('gives the same results, rows and threads as writing the drafts one by one', async () => {
    const oneByOne = await seed();
    const drafts = mixedDrafts(oneByOne);
    clock.set(WRITE_AT);
    const expected = await t.ctx.db.transaction(async (repos) => {
      const results = [];
      for (const draft of drafts) results.push(await writeOutbound(t.ctx, repos, draft));
      return results;
    });

    const bulk = await seed();
    const bulkDrafts = mixedDrafts(bulk);
    clock.set(WRITE_AT);
    const actual = await t.ctx.db.transaction((repos) => writeOutboundMany(t.ctx, repos, bulkDrafts));

    expect(actual.map((result) => (result.ok ? result.message.status : result.error.code))).toEqual([
      'queued',
      'recipient_opted_out',
      'queued',
      'queued',
      'queued',
      'scheduled',
      'queued',
      'queued',
      'queued',
      'recipient_opted_out',
      'queued',
    ]);
    // Duplicates share a thread; the thread that already showed a later message keeps it.
    const [one, , existing, oneAgain, future] = actual;
    expect(one?.ok && oneAgain?.ok && one.conversation.id === oneAgain.conversation.id).toBe(true);
    expect(existing?.ok && existing.conversation.lastMessagePreview).toBe('Hello existing');
    expect(future?.ok && future.conversation.lastMessagePreview).toBe('From the future');
    expect(await stateOf(bulk, actual)).toEqual(await stateOf(oneByOne, expected));
  });

  it('stays within the bound-parameter limits for thousands of rows', async () => {
    const seeded = await seed();
    const drafts = Array.from({ length: 2500 }, (_, i) => ({
      ...draftOutbound(t.ctx, seeded.workspace, seeded.number, { to: `+1203555${String(i % 2000).padStart(4, '0')}`, body: `Hi ${i}` }),
      bulk: true,
    }));
    const results = await t.ctx.db.transaction((repos) => writeOutboundMany(t.ctx, repos, drafts));
    expect(results.filter((result) => result.ok)).toHaveLength(2500);
    const threads = new Set(results.map((result) => (result.ok ? result.conversation.id : '')));
    expect(threads.size).toBe(2000);
    const last = results[2499];
    const thread = last?.ok ? await t.ctx.db.repos.conversations.findById(last.conversation.id) : null;
    expect(thread?.lastMessagePreview).toBe('Hi 2499');
  });

  it('sends a batch across chunks: per-row errors, one event pair per message, duplicates in one thread', async () => {
    const seeded = await seed();
    const events: ParleyEvent[] = [];
    const off = t.ctx.events.subscribe(seeded.workspace.id, (event) => events.push(event));
    const recipients = [
      ...Array.from({ length: 520 }, (_, i) => ({ to: `+1204555${String(i).padStart(4, '0')}`, n: String(i) })),
      { to: 'nope', n: 'x' },
      { to: OPTED_OUT, n: 'x' },
      // Same person again, in the second chunk.
      { to: '+12045550000', n: 'again' },
    ];
    const results = await sendBatch(t.ctx, seeded.workspace, { from: seeded.number.phoneNumber, body: 'Hi {{n}}', recipients });
    // On PostgreSQL events come back through NOTIFY.
    await eventually(async () => events.length >= 2 * 521);
    off();
    expect(results.slice(519).map((row) => row.error?.code ?? row.status)).toEqual([
      'queued',
      'invalid_number',
      'recipient_opted_out',
      'queued',
    ]);
    expect(results[0]?.conversationId).toBe(results[522]?.conversationId);
    const created = events.filter((event) => event.type === 'message.created');
    const updated = events.filter((event) => event.type === 'conversation.updated');
    expect(created.map((event) => event.data.id)).toEqual(results.filter((row) => row.id).map((row) => row.id));
    expect(updated).toHaveLength(521);
    expect(updated.at(-1)?.data).toMatchObject({ id: results[0]?.conversationId, lastMessagePreview: 'Hi again' });
  });
});
