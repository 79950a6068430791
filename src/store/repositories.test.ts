import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import { CUSTOMER, OTHER_CUSTOMER, seedWorkspace, type SeededWorkspace } from '../../test/support/fixtures.js';
import { readingRows } from '../../test/support/rows-read.js';
import { createWorkspace } from '../app/workspace.service.js';
import { createNumber } from '../app/carrier.service.js';
import { AppError } from '../domain/errors.js';
import type { Contact, Conversation } from '../domain/models.js';
import type { MessageStatus } from '../domain/message-status.js';
import { isUniqueViolation } from './database.js';
import type { NewMessage } from './message.repository.js';
import type { Repositories } from './store.js';

const T0 = Date.parse('2026-01-01T12:00:00.000Z');
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** Builders for rows, bound to one test context; each seed is its own workspace and number. */
function builders(get: () => TestContext) {
  let seq = 0;

  async function seed(): Promise<SeededWorkspace> {
    seq += 1;
    return seedWorkspace(get().ctx, { name: `ws ${seq}`, phoneNumber: `+1201555${String(1000 + seq).padStart(4, '0')}` });
  }

  function contact(workspaceId: string, phoneNumber: string): Contact {
    return {
      id: get().ctx.ids.next(),
      workspaceId,
      phoneNumber,
      name: null,
      attributes: {},
      optedOutAt: null,
      timeZone: null,
      consentReviewAt: null,
      createdAt: iso(0),
      updatedAt: iso(0),
    };
  }

  async function thread(seeded: SeededWorkspace, phone: string, at = iso(0)): Promise<Conversation> {
    const { repos } = get().ctx.db;
    const c = await repos.contacts.findOrCreate(contact(seeded.workspace.id, phone));
    return repos.conversations.findOrCreate({
      id: get().ctx.ids.next(),
      workspaceId: seeded.workspace.id,
      numberId: seeded.number.id,
      contactId: c.id,
      lastMessageAt: null,
      lastMessagePreview: null,
      createdAt: at,
    });
  }

  function message(conversation: Conversation, seeded: SeededWorkspace, overrides: Partial<NewMessage> = {}): NewMessage {
    const at = overrides.createdAt ?? iso(0);
    const status: MessageStatus = overrides.status ?? 'queued';
    return {
      id: get().ctx.ids.next(),
      workspaceId: seeded.workspace.id,
      conversationId: conversation.id,
      numberId: seeded.number.id,
      contactId: conversation.contactId,
      direction: 'outbound',
      from: seeded.number.phoneNumber,
      to: CUSTOMER,
      body: 'hello',
      category: 'conversational',
      status,
      errorCode: null,
      errorMessage: null,
      encoding: 'GSM-7',
      segments: 1,
      carrierId: seeded.carrierId,
      carrierMessageIds: [],
      consentExempt: false,
      attempts: 0,
      sendAt: null,
      createdAt: at,
      updatedAt: at,
      scheduledAt: status === 'scheduled' ? at : null,
      queuedAt: status === 'queued' ? at : null,
      sendingAt: null,
      sentAt: null,
      deliveredAt: null,
      undeliveredAt: null,
      failedAt: null,
      canceledAt: null,
      receivedAt: null,
      priority: 5,
      nextAttemptAt: status === 'queued' || status === 'scheduled' ? at : null,
      ...overrides,
    };
  }

  return { seed, contact, thread, message };
}

describe.each(STORES)('repositories on %s', (kind) => {
  let t: TestContext;
  let repos: Repositories;
  const { seed, contact, thread, message } = builders(() => t);

  beforeAll(async () => {
    t = await createTestContext(kind);
    repos = t.ctx.db.repos;
  });
  afterAll(async () => t?.cleanup());

  describe('contacts', () => {
    it('finds the same contact for the same phone in one workspace', async () => {
      const seeded = await seed();
      const first = await repos.contacts.findOrCreate(contact(seeded.workspace.id, CUSTOMER));
      const second = await repos.contacts.findOrCreate(contact(seeded.workspace.id, CUSTOMER));
      expect(second.id).toBe(first.id);
      const page = await repos.contacts.list(seeded.workspace.id, { phoneNumber: CUSTOMER }, 10);
      expect(page.data.map((c) => c.id)).toEqual([first.id]);
    });

    it('keeps one contact when callers race to create it', async () => {
      const seeded = await seed();
      const found = await Promise.all(
        Array.from({ length: 6 }, () => repos.contacts.findOrCreate(contact(seeded.workspace.id, OTHER_CUSTOMER))),
      );
      expect(new Set(found.map((c) => c.id)).size).toBe(1);
    });

    it('gives the same phone a separate contact in each workspace', async () => {
      const a = await seed();
      const b = await seed();
      const inA = await repos.contacts.findOrCreate(contact(a.workspace.id, CUSTOMER));
      const inB = await repos.contacts.findOrCreate(contact(b.workspace.id, CUSTOMER));
      expect(inA.id).not.toBe(inB.id);
      expect(inB.workspaceId).toBe(b.workspace.id);
      expect(await repos.contacts.findInWorkspace(a.workspace.id, inB.id)).toBeNull();
    });

    it('round-trips attributes and consent fields', async () => {
      const seeded = await seed();
      const c = await repos.contacts.findOrCreate({
        ...contact(seeded.workspace.id, CUSTOMER),
        name: 'Ana',
        attributes: { tier: 'gold', note: 'é 😀' },
      });
      await repos.contacts.writeConsentCopy(c.id, { optedOutAt: iso(5) }, iso(5));
      expect(await repos.contacts.findByPhone(seeded.workspace.id, CUSTOMER)).toMatchObject({
        name: 'Ana',
        attributes: { tier: 'gold', note: 'é 😀' },
        optedOutAt: iso(5),
        updatedAt: iso(5),
      });
    });

    it('pages the contact list with no duplicates or gaps', async () => {
      const seeded = await seed();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        ids.push((await repos.contacts.findOrCreate(contact(seeded.workspace.id, `+1201555${2000 + i}`))).id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await repos.contacts.list(seeded.workspace.id, {}, 3, cursor);
        seen.push(...page.data.map((c) => c.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual([...ids].sort());
    });

    it('appends consent events and reads them back in order', async () => {
      const seeded = await seed();
      const c = await repos.contacts.findOrCreate(contact(seeded.workspace.id, CUSTOMER));
      const kinds = ['opted_out', 'opted_in', 'opted_out'] as const;
      // Written out of time order: the read must sort by when they happened.
      for (const [index, i] of [2, 0, 1].entries()) {
        await repos.contacts.appendConsentEvent({
          id: t.ctx.ids.next(),
          workspaceId: seeded.workspace.id,
          contactId: c.id,
          kind: kinds[i] ?? 'opted_out',
          source: 'keyword',
          scope: 'workspace',
          numberId: null,
          evidence: `event ${i} (written ${index})`,
          messageId: null,
          rule: 'keyword',
          actor: 'contact',
          createdAt: iso(i * 1000),
        });
      }
      const events = await repos.contacts.consentEvents(c.id);
      expect(events.map((e) => e.kind)).toEqual(['opted_out', 'opted_in', 'opted_out']);
      expect(events.map((e) => e.createdAt)).toEqual([iso(0), iso(1000), iso(2000)]);
    });
  });

  describe('conversations', () => {
    it('keeps one thread per (workspace, number, contact)', async () => {
      const seeded = await seed();
      const first = await thread(seeded, CUSTOMER);
      const again = await thread(seeded, CUSTOMER);
      const other = await thread(seeded, OTHER_CUSTOMER);
      expect(again.id).toBe(first.id);
      expect(other.id).not.toBe(first.id);
    });

    it('moves lastMessageAt forward only', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, CUSTOMER);
      await repos.conversations.touchById(conversation.id, iso(2000), 'newer');
      await repos.conversations.touchById(conversation.id, iso(1000), 'older');
      expect(await repos.conversations.findById(conversation.id)).toMatchObject({
        lastMessageAt: iso(2000),
        lastMessagePreview: 'newer',
      });
    });

    it('pages most recent first, with no duplicates or gaps across pages', async () => {
      const seeded = await seed();
      const expected: string[] = [];
      // Distinct times, shared times (ties broken by id), and threads with no message yet,
      // which sort by their creation time (2000 and 3000 here).
      const times = [5000, 1000, 3000, 3000, 3000, null, 9000, 1000, null, 7000];
      const created = [0, 0, 0, 0, 0, 2000, 0, 0, 3000, 0];
      const made: Array<{ id: string; at: number }> = [];
      for (const [i, at] of times.entries()) {
        const conversation = await thread(seeded, `+1201555${3000 + i}`, iso(created[i] ?? 0));
        if (at !== null) await repos.conversations.touchById(conversation.id, iso(at), `m${i}`);
        made.push({ id: conversation.id, at: at ?? created[i] ?? 0 });
      }
      made.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
      expected.push(...made.map((m) => m.id));

      for (const limit of [1, 3, 4, 10, 50]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const page = await repos.conversations.list(seeded.workspace.id, limit, cursor);
          expect(page.data.length).toBeLessThanOrEqual(limit);
          seen.push(...page.data.map((c) => c.id));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(seen, `limit ${limit}`).toEqual(expected);
      }
    });

    it('keeps the pages stable when a thread gets a new message between pages', async () => {
      const seeded = await seed();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const conversation = await thread(seeded, `+1201555${4000 + i}`);
        await repos.conversations.touchById(conversation.id, iso(i * 1000), `m${i}`);
        ids.push(conversation.id);
      }
      const first = await repos.conversations.list(seeded.workspace.id, 2);
      expect(first.data.map((c) => c.id)).toEqual([ids[3], ids[2]]);
      // The oldest thread jumps to the top: the next page still continues where the first stopped.
      await repos.conversations.touchById(ids[0] ?? '', iso(60_000), 'new');
      const second = await repos.conversations.list(seeded.workspace.id, 2, first.nextCursor ?? undefined);
      expect(second.data.map((c) => c.id)).toEqual([ids[1]]);
      expect(second.nextCursor).toBeNull();
    });

    it('refuses a cursor it did not issue', async () => {
      const seeded = await seed();
      const error = await caught(() => repos.conversations.list(seeded.workspace.id, 10, 'not-a-cursor'));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('invalid_cursor');
    });
  });

  describe('numbers', () => {
    it('are unique across workspaces, and the violation is recognised on this dialect', async () => {
      const a = await seed();
      const b = await seed();
      const error = await caught(() =>
        repos.numbers.insert({ ...a.number, id: t.ctx.ids.next(), workspaceId: b.workspace.id, carrierId: b.carrierId }),
      );
      expect(isUniqueViolation(error)).toBe(true);
      const refused = await caught(() =>
        createNumber(t.ctx, b.workspace, { phoneNumber: a.number.phoneNumber, carrierId: b.carrierId }),
      );
      expect(refused).toMatchObject({ code: 'already_exists', field: 'phoneNumber' });
      expect(await repos.numbers.findByPhone(a.number.phoneNumber)).toMatchObject({ workspaceId: a.workspace.id });
    });

    it('does not mistake other errors for unique violations', async () => {
      const seeded = await seed();
      const error = await caught(() =>
        repos.numbers.insert({ ...seeded.number, id: t.ctx.ids.next(), phoneNumber: '+12015559999', carrierId: 'missing' }),
      );
      expect(isUniqueViolation(error)).toBe(false);
      expect(isUniqueViolation(new Error('x'))).toBe(false);
      expect(isUniqueViolation(null)).toBe(false);
    });
  });

  describe('messages', () => {
    it('round-trips a message and its carrier ids in part order', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, CUSTOMER);
      const m = message(conversation, seeded, { body: 'héllo 😀', encoding: 'UCS-2', segments: 3, consentExempt: true });
      await repos.messages.insert(m);
      // Not lexical order: part order is what the carrier returned.
      await repos.messages.recordCarrierIds(m.id, seeded.carrierId, ['part-c', 'part-a', 'part-b']);
      const found = await repos.messages.findById(m.id);
      expect(found).toMatchObject({
        id: m.id,
        body: 'héllo 😀',
        encoding: 'UCS-2',
        segments: 3,
        consentExempt: true,
        status: 'queued',
        carrierId: seeded.carrierId,
        carrierMessageIds: ['part-c', 'part-a', 'part-b'],
      });
      for (const part of ['part-a', 'part-b', 'part-c']) {
        expect(await repos.messages.findIdByCarrierMessageId(seeded.carrierId, part)).toBe(m.id);
      }
      expect(await repos.messages.findIdByCarrierMessageId('other-carrier', 'part-a')).toBeNull();
      const page = await repos.messages.listForConversation(conversation.id, 10);
      expect(page.data[0]?.carrierMessageIds).toEqual(['part-c', 'part-a', 'part-b']);
      expect(await repos.messages.findInWorkspace('another-workspace', m.id)).toBeNull();
    });

    it('refuses a second inbound message with the same carrier message id', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, CUSTOMER);
      const inbound = (): NewMessage =>
        message(conversation, seeded, {
          direction: 'inbound',
          status: 'received',
          receivedAt: iso(0),
          carrierMessageIds: ['in-1'],
          nextAttemptAt: null,
        });
      await repos.messages.insert(inbound());
      expect(isUniqueViolation(await caught(() => repos.messages.insert(inbound())))).toBe(true);
      expect(await repos.messages.findInboundByCarrierMessageId(seeded.carrierId, 'in-1')).toMatchObject({
        direction: 'inbound',
      });
    });

    it('transitions forward, records every attempt in message_events, and never moves back', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, CUSTOMER);
      const m = message(conversation, seeded);
      await repos.messages.insert(m);

      const sent = await repos.messages.transition(m.id, 'sent', iso(1000));
      expect(sent).toMatchObject({ applied: true, message: { status: 'sent', sentAt: iso(1000), updatedAt: iso(1000) } });
      const back = await repos.messages.transition(m.id, 'queued', iso(2000));
      expect(back).toMatchObject({ applied: false, reason: 'backwards', message: { status: 'sent' } });
      const delivered = await repos.messages.transition(m.id, 'delivered', iso(3000), {}, 'receipt');
      expect(delivered).toMatchObject({ applied: true, message: { status: 'delivered', deliveredAt: iso(3000) } });
      const late = await repos.messages.transition(
        m.id,
        'undelivered',
        iso(4000),
        { errorCode: 'handset_unreachable' },
        'receipt',
      );
      expect(late).toMatchObject({ applied: false, reason: 'terminal', message: { status: 'delivered', errorCode: null } });
      const again = await repos.messages.transition(m.id, 'delivered', iso(5000), {}, 'receipt');
      expect(again).toMatchObject({ applied: false, reason: 'same' });

      expect(await repos.messages.eventsOf(m.id)).toEqual([
        { kind: 'pipeline', status: 'sent', applied: true, detail: null },
        { kind: 'pipeline', status: 'queued', applied: false, detail: 'backwards from sent' },
        { kind: 'receipt', status: 'delivered', applied: true, detail: null },
        { kind: 'receipt', status: 'undelivered', applied: false, detail: 'terminal from delivered' },
        { kind: 'receipt', status: 'delivered', applied: false, detail: 'same from delivered' },
      ]);
      const final = await repos.messages.findById(m.id);
      expect(final).toMatchObject({ status: 'delivered', deliveredAt: iso(3000), undeliveredAt: null });
    });

    it('reports a missing message instead of inventing one', async () => {
      expect(await repos.messages.transition('no-such-message', 'sent', iso(0))).toEqual({
        applied: false,
        reason: 'missing',
        message: null,
      });
    });

    it('pages a thread oldest first with no duplicates or gaps', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, CUSTOMER);
      const other = await thread(seeded, OTHER_CUSTOMER);
      const offsets = [3000, 1000, 1000, 2000, 1000, 5000, 4000, 4000];
      const inserted: Array<{ id: string; at: string }> = [];
      for (const offset of offsets) {
        const m = message(conversation, seeded, { createdAt: iso(offset) });
        await repos.messages.insert(m);
        inserted.push({ id: m.id, at: m.createdAt });
        await repos.messages.insert(message(other, seeded, { createdAt: iso(offset) }));
      }
      const expected = inserted
        .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1))
        .map((m) => m.id);
      for (const limit of [1, 2, 3, 8, 20]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 20; pages++) {
          const page = await repos.messages.listForConversation(conversation.id, limit, cursor);
          seen.push(...page.data.map((m) => m.id));
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(seen, `limit ${limit}`).toEqual(expected);
      }
    });

    it('requeues for a retry only from sending', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, CUSTOMER);
      const m = message(conversation, seeded);
      await repos.messages.insert(m);
      expect(await repos.messages.requeueForRetry(m.id, iso(9000), iso(1000), 'throttled')).toBe(false);
      await t.ctx.db.transaction((trx) => trx.messages.markClaimed([m.id], iso(1000), iso(61_000)));
      expect(await repos.messages.requeueForRetry(m.id, iso(9000), iso(2000), 'throttled')).toBe(true);
      expect(await repos.messages.findById(m.id)).toMatchObject({ status: 'queued', errorCode: 'throttled', attempts: 1 });
      const due = await t.ctx.db.transaction((trx) => trx.messages.lockDue(iso(8999), 100));
      expect(due.map((d) => d.id)).not.toContain(m.id);
      const dueLater = await t.ctx.db.transaction((trx) => trx.messages.lockDue(iso(9000), 100));
      expect(dueLater.map((d) => d.id)).toContain(m.id);
    });
  });

  describe('receipts and unrouted inbound', () => {
    it('keeps receipts that match no message, until they are matched', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, CUSTOMER);
      const m = message(conversation, seeded);
      await repos.messages.insert(m);
      const id = t.ctx.ids.next();
      await repos.receipts.insert({
        id,
        carrierId: seeded.carrierId,
        carrierMessageId: 'orphan-1',
        messageId: null,
        status: 'delivered',
        errorCode: null,
        raw: 'id:orphan-1 stat:DELIVRD',
        applied: false,
        receivedAt: iso(0),
      });
      expect((await repos.receipts.listUnmatched(1000)).map((r) => r.id)).toContain(id);
      expect(await repos.receipts.unmatchedFor(seeded.carrierId, ['orphan-1', 'other'], iso(0))).toMatchObject([
        { id, raw: 'id:orphan-1 stat:DELIVRD', applied: false },
      ]);
      await repos.receipts.markMatched(id, m.id, true);
      expect((await repos.receipts.listUnmatched(1000)).map((r) => r.id)).not.toContain(id);
      expect(await repos.receipts.forMessage(m.id)).toMatchObject([{ id, applied: true, messageId: m.id }]);
    });

    it('keeps inbound texts for unknown numbers', async () => {
      const id = t.ctx.ids.next();
      await repos.unrouted.insert({
        id,
        carrierId: null,
        from: CUSTOMER,
        to: '+12015559876',
        body: 'anyone there?',
        carrierMessageId: null,
        receivedAt: iso(0),
      });
      expect(await repos.unrouted.list(1000)).toContainEqual(
        expect.objectContaining({ id, to: '+12015559876', body: 'anyone there?' }),
      );
    });
  });

  describe('transactions', () => {
    it('roll back every write when the use-case throws', async () => {
      const before = await repos.workspaces.count();
      const owner = { name: 'Owner', email: `owner-${kind}@example.com`, password: 'correct horse battery' };
      await createWorkspace(t.ctx, { name: 'First', owner });
      const after = await repos.workspaces.count();
      expect(after).toBe(before + 1);
      const error = await caught(() => createWorkspace(t.ctx, { name: 'Second', owner: { ...owner, email: owner.email.toUpperCase() } }));
      expect(error).toMatchObject({ code: 'already_exists', field: 'owner.email' });
      expect(await repos.workspaces.count()).toBe(after);
    });

    it('roll back repository writes made before the failure', async () => {
      const seeded = await seed();
      const error = await caught(() =>
        t.ctx.db.transaction(async (trx) => {
          await trx.contacts.findOrCreate(contact(seeded.workspace.id, '+12015556666'));
          throw new Error('boom');
        }),
      );
      expect(error).toMatchObject({ message: 'boom' });
      expect(await repos.contacts.findByPhone(seeded.workspace.id, '+12015556666')).toBeNull();
    });
  });

});

// Claiming scans every workspace, so these tests get a fresh store each.
describe.each(STORES)('claiming due messages on %s', (kind) => {
  let t: TestContext;
  let repos: Repositories;
  const { seed, thread, message } = builders(() => t);

  beforeEach(async () => {
    t = await createTestContext(kind);
    repos = t.ctx.db.repos;
  });
  afterEach(async () => t?.cleanup());

    it('reads the queue by due time plus priority head start: bulk is slowed behind replies, never starved', async () => {
      const seeded = await seed();
      const threadFor = (i: number) => thread(seeded, `+1201555${3100 + i}`);
      const bulk = message(await threadFor(1), seeded, { priority: 5, nextAttemptAt: iso(0) });
      const reply = message(await threadFor(2), seeded, { priority: 1, nextAttemptAt: iso(30_000) });
      const code = message(await threadFor(3), seeded, { priority: 0, nextAttemptAt: iso(59_000) });
      const lateReply = message(await threadFor(4), seeded, { priority: 1, nextAttemptAt: iso(90_000) });
      for (const m of [lateReply, code, reply, bulk]) await repos.messages.insert(m);
      const due = await t.ctx.db.transaction((trx) => trx.messages.lockDue(iso(100_000), 100));
      const mine = due.filter((m) => m.workspaceId === seeded.workspace.id).map((m) => m.id);
      // The reply and the code queued within a minute of the bulk text go first; the bulk text
      // goes before a reply queued more than a minute after it.
      expect(mine).toEqual([reply.id, code.id, bulk.id, lateReply.id]);
      // A paused (rate-limited) sender's messages are skipped so the others are reached.
      const paused = await t.ctx.db.transaction((trx) => trx.messages.lockDue(iso(100_000), 100, { pausedSenders: [seeded.number.id] }));
      expect(paused.filter((m) => m.workspaceId === seeded.workspace.id)).toEqual([]);
    });

    it('reads the head of a fresh backlog, not all of it, before the database has statistics on it', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, '+12015554200');
      const backlog = Array.from({ length: 3000 }, (_, i) => message(conversation, seeded, { nextAttemptAt: iso(i) }));
      await repos.messages.insertMany(backlog);
      // Its own connection, so the claim and the reading of its statistics share a transaction.
      const { result: claimed, rowsRead } = await readingRows(t, 'messages', (trx) => trx.messages.lockDue(iso(100_000), 10));
      // One thread: the first in claim order goes, the rest of the thread waits its turn.
      expect(claimed.map((m) => m.id)).toEqual([backlog[0]?.id]);
      // PostgreSQL: a few times the limit, never the backlog. It sorted all 3,000 rows for
      // every claim while the new table had no statistics (found in the e2e benchmark).
      if (rowsRead !== null) expect(rowsRead).toBeLessThan(100);
    });

    it('leaves paused senders and workspaces out however long their backlog, in claim order across the others', async () => {
      const [a, b, c] = [await seed(), await seed(), await seed()];
      if (!a || !b || !c) throw new Error('seed');
      // Sender A: a backlog older than everything else.
      for (let i = 0; i < 40; i++) await repos.messages.insert(message(await thread(a, `+1201555${4000 + i}`), a, { nextAttemptAt: iso(i) }));
      const b1 = message(await thread(b, '+12015554101'), b, { nextAttemptAt: iso(1000) });
      const c1 = message(await thread(c, '+12015554102'), c, { nextAttemptAt: iso(2000) });
      const b2 = message(await thread(b, '+12015554103'), b, { nextAttemptAt: iso(3000) });
      const cLater = message(await thread(c, '+12015554104'), c, { status: 'scheduled', sendAt: iso(500_000), nextAttemptAt: iso(500_000) });
      for (const m of [b1, c1, b2, cLater]) await repos.messages.insert(m);
      const claim = (options: { pausedSenders?: string[]; pausedWorkspaces?: string[] }) =>
        t.ctx.db.transaction((trx) => trx.messages.lockDue(iso(100_000), 10, options));

      expect((await claim({})).map((m) => m.numberId)).toEqual(Array(10).fill(a.number.id));
      expect((await claim({ pausedSenders: [a.number.id] })).map((m) => m.id)).toEqual([b1.id, c1.id, b2.id]);
      expect((await claim({ pausedSenders: [a.number.id], pausedWorkspaces: [b.workspace.id] })).map((m) => m.id)).toEqual([c1.id]);
      expect(await claim({ pausedSenders: [a.number.id, c.number.id], pausedWorkspaces: [b.workspace.id] })).toEqual([]);
    });

    it('with many active senders and one paused, walks the queue instead and finds the same messages', async () => {
      const senders = [];
      for (let i = 0; i < 34; i++) senders.push(await seed());
      const [paused] = senders;
      if (!paused) throw new Error('seed');
      const expected: string[] = [];
      for (const [i, sender] of senders.entries()) {
        const m = message(await thread(sender, `+1201555${4200 + i}`), sender, { nextAttemptAt: iso(i * 10) });
        await repos.messages.insert(m);
        if (sender !== paused) expected.push(m.id);
      }
      const due = await t.ctx.db.transaction((trx) => trx.messages.lockDue(iso(100_000), 100, { pausedSenders: [paused.number.id] }));
      expect(due.map((m) => m.id)).toEqual(expected);
    });

    it('returns due messages only, most urgent first, and leases them', async () => {
      const seeded = await seed();
      // Each in its own thread: within one thread only one message is due at a time.
      const threadFor = (i: number) => thread(seeded, `+1201555${3000 + i}`);
      const now = iso(10_000);
      const bulk = message(await threadFor(1), seeded, { priority: 5, nextAttemptAt: iso(1000) });
      const code = message(await threadFor(2), seeded, { priority: 0, nextAttemptAt: iso(2000) });
      const dueScheduled = message(await threadFor(3), seeded, { status: 'scheduled', sendAt: iso(5000), nextAttemptAt: iso(5000) });
      const laterScheduled = message(await threadFor(4), seeded, { status: 'scheduled', sendAt: iso(60_000), nextAttemptAt: iso(60_000) });
      const retryLater = message(await threadFor(5), seeded, { nextAttemptAt: iso(20_000) });
      const done = message(await threadFor(6), seeded, { status: 'sent', nextAttemptAt: iso(0) });
      for (const m of [bulk, code, dueScheduled, laterScheduled, retryLater, done]) await repos.messages.insert(m);

      const claimed = await t.ctx.db.transaction(async (trx) => {
        const due = await trx.messages.lockDue(now, 100);
        const mine = due.filter((m) => m.workspaceId === seeded.workspace.id);
        expect(mine.map((m) => m.id)).toEqual([code.id, bulk.id, dueScheduled.id]);
        return trx.messages.markClaimed(
          mine.map((m) => m.id),
          now,
          iso(70_000),
        );
      });
      expect(claimed.map((m) => m.status)).toEqual(['sending', 'sending', 'sending']);
      expect(claimed.every((m) => m.attempts === 1 && m.sendingAt === now)).toBe(true);
      const scheduled = await repos.messages.findById(dueScheduled.id);
      expect(scheduled?.queuedAt).toBe(now);
      expect(await repos.messages.eventsOf(code.id)).toEqual([
        { kind: 'pipeline', status: 'sending', applied: true, detail: 'attempt 1' },
      ]);
      // Claimed messages are not due again, and their leases expire at the lease time.
      const again = await t.ctx.db.transaction((trx) => trx.messages.lockDue(now, 100));
      expect(again.filter((m) => m.workspaceId === seeded.workspace.id)).toEqual([]);
      const expiredIds = async (at: string) => (await repos.messages.findExpiredLeases(at, 100)).map((lease) => lease.id);
      const expired = await repos.messages.findExpiredLeases(iso(70_001), 100);
      expect(expired.map((lease) => lease.id)).toEqual(expect.arrayContaining([bulk.id, code.id, dueScheduled.id]));
      // Claimed but never handed to the carrier: a lost lease is plainly "not sent".
      expect(expired.every((lease) => !lease.submitStarted && lease.unknownOutcome === 'fail')).toBe(true);
      expect(await repos.messages.markSubmitStarted([{ id: code.id, attempts: 1 }, { id: bulk.id, attempts: 7 }], now)).toEqual(new Set([code.id]));
      expect((await repos.messages.findExpiredLeases(iso(70_001), 100)).find((l) => l.id === code.id)?.submitStarted).toBe(true);
      expect(await expiredIds(iso(69_999))).not.toContain(bulk.id);
      // markClaimed never claims a message that is no longer queued.
      expect(await repos.messages.markClaimed([done.id], now, iso(70_000))).toEqual([]);
      // A live worker renews its leases: extended, never shortened, only while sending.
      expect(await repos.messages.renewLeases([code.id, done.id], iso(130_000))).toBe(1);
      expect(await repos.messages.renewLeases([code.id], iso(100_000))).toBe(0);
      expect(await expiredIds(iso(120_000))).not.toContain(code.id);
      expect(await expiredIds(iso(130_001))).toContain(code.id);
    });

  it('offers one message per thread at a time, the earliest first', async () => {
    const seeded = await seed();
    const conversation = await thread(seeded, CUSTOMER);
    const first = message(conversation, seeded, { nextAttemptAt: iso(1000) });
    const second = message(conversation, seeded, { nextAttemptAt: iso(2000) });
    for (const m of [second, first]) await repos.messages.insert(m);
    const now = iso(10_000);
    const due = await t.ctx.db.transaction((trx) => trx.messages.lockDue(now, 100));
    expect(due.filter((m) => m.workspaceId === seeded.workspace.id).map((m) => m.id)).toEqual([first.id]);
    await repos.messages.markClaimed([first.id], now, iso(70_000));
    // While the first is being sent, the thread offers nothing.
    const busy = await t.ctx.db.transaction((trx) => trx.messages.lockDue(now, 100));
    expect(busy.filter((m) => m.workspaceId === seeded.workspace.id)).toEqual([]);
    await repos.messages.transition(first.id, 'sent', now);
    const next = await t.ctx.db.transaction((trx) => trx.messages.lockDue(now, 100));
    expect(next.filter((m) => m.workspaceId === seeded.workspace.id).map((m) => m.id)).toEqual([second.id]);
  });

  describe.runIf(kind === 'postgres')('under concurrency', () => {
    it('never lets two transactions claim the same message (FOR UPDATE SKIP LOCKED)', async () => {
      const seeded = await seed();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const m = message(await thread(seeded, `+1201555${3100 + i}`), seeded, { nextAttemptAt: iso(i) });
        await repos.messages.insert(m);
        ids.push(m.id);
      }
      const now = iso(60_000);
      let releaseFirst: () => void = () => undefined;
      const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstLocked: () => void = () => undefined;
      const firstHasLocked = new Promise<void>((resolve) => (firstLocked = resolve));

      const first = t.ctx.db.transaction(async (trx) => {
        const due = (await trx.messages.lockDue(now, 6)).filter((m) => ids.includes(m.id));
        firstLocked();
        await firstHolds;
        return trx.messages.markClaimed(
          due.map((m) => m.id),
          now,
          iso(120_000),
        );
      });
      await firstHasLocked;
      const second = await t.ctx.db.transaction(async (trx) => {
        const due = (await trx.messages.lockDue(now, 100)).filter((m) => ids.includes(m.id));
        return trx.messages.markClaimed(
          due.map((m) => m.id),
          now,
          iso(120_000),
        );
      });
      releaseFirst();
      const firstClaimed = await first;
      const a = firstClaimed.map((m) => m.id);
      const b = second.map((m) => m.id);
      expect(a).toHaveLength(6);
      expect(b).toHaveLength(4);
      expect(a.filter((id) => b.includes(id))).toEqual([]);
      expect([...a, ...b].sort()).toEqual([...ids].sort());
    });

    it('never double-claims under many racing claimers', async () => {
      const seeded = await seed();
      const conversation = await thread(seeded, CUSTOMER);
      const ids = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const m = message(conversation, seeded, { nextAttemptAt: iso(i) });
        await repos.messages.insert(m);
        ids.add(m.id);
      }
      const now = iso(60_000);
      const claims = await Promise.all(
        Array.from({ length: 6 }, () =>
          t.ctx.db.transaction(async (trx) => {
            const due = (await trx.messages.lockDue(now, 5)).filter((m) => ids.has(m.id));
            return trx.messages.markClaimed(
              due.map((m) => m.id),
              now,
              iso(120_000),
            );
          }),
        ),
      );
      const all = claims.flat().map((m) => m.id);
      expect(new Set(all).size).toBe(all.length);
      const events = await Promise.all(all.map((id) => repos.messages.eventsOf(id)));
      expect(events.every((e) => e.filter((x) => x.status === 'sending').length === 1)).toBe(true);
    });
  });
});
