import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../context.js';
import type { Message } from '../domain/models.js';
import type { ParleyEvent } from '../domain/ports.js';
import { createTestContext, type TestContext } from '../../test/support/test-context.js';
import { eventually, seedWorkspace } from '../../test/support/fixtures.js';
import { send } from '../../test/support/pipeline.js';
import { MAX_PAYLOAD_BYTES, PgNotifyBus } from './pg-notify.js';

function busOf(ctx: AppContext): PgNotifyBus {
  expect(ctx.events).toBeInstanceOf(PgNotifyBus);
  expect(ctx.queue).toBe(ctx.events);
  return ctx.events as PgNotifyBus;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A message-shaped event that needs no rows: the bus never reads the store for small events. */
function fakeEvent(workspaceId: string, id: string, body = 'hello'): ParleyEvent {
  const at = '2024-05-01T12:00:00.000Z';
  const data: Message = {
    id,
    workspaceId,
    conversationId: 'c1',
    numberId: 'n1',
    contactId: 'k1',
    direction: 'outbound',
    from: '+12015550100',
    to: '+12015550123',
    body,
    category: 'conversational',
    status: 'sent',
    errorCode: null,
    errorMessage: null,
    encoding: 'GSM-7',
    segments: 1,
    carrierId: null,
    carrierMessageIds: [],
    consentExempt: false,
    attempts: 1,
    sendAt: null,
    createdAt: at,
    updatedAt: at,
    scheduledAt: null,
    queuedAt: at,
    sendingAt: at,
    sentAt: at,
    deliveredAt: null,
    undeliveredAt: null,
    failedAt: null,
    canceledAt: null,
    receivedAt: null,
  };
  return { type: 'message.updated', workspaceId, data };
}

/** Terminates the listener connections of this database from outside, as a failover would. */
async function terminateListeners(url: string): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const result = await admin.query<{ pid: number }>(
      `select pg_terminate_backend(pid), pid from pg_stat_activity
        where datname = current_database() and application_name = 'parley-listener' and pid <> pg_backend_pid()`,
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('PostgreSQL LISTEN/NOTIFY bus across two processes on one database', () => {
  let first: TestContext;
  let a: AppContext;
  let b: AppContext;

  beforeAll(async () => {
    first = await createTestContext('postgres');
    a = first.ctx;
    // A second context on the same database: what a second `parley start` process builds.
    b = createContext(a.config, { log: pino({ level: 'silent' }) });
    await Promise.all([busOf(a).ready(), busOf(b).ready()]);
  });

  afterAll(async () => {
    await b?.db.close();
    await first?.cleanup();
  });

  it('delivers an event published in one process exactly once to subscribers in both, in order', async () => {
    const workspaceId = 'ws-exactly-once';
    const inA: string[] = [];
    const inB: string[] = [];
    const offA = a.events.subscribe(workspaceId, (event) => inA.push(event.data.id));
    const offB = b.events.subscribe(workspaceId, (event) => inB.push(event.data.id));
    const other: string[] = [];
    const offOther = b.events.subscribe('ws-other', (event) => other.push(event.data.id));

    // Not delivered locally on publish: only when the notification comes back.
    a.events.publish(fakeEvent(workspaceId, 'from-a'));
    expect(inA).toEqual([]);
    b.events.publish(fakeEvent(workspaceId, 'from-b'));
    await eventually(async () => inA.length >= 2 && inB.length >= 2);

    // A burst (one batch of a bulk send) arrives whole, once, in publish order.
    const burst = Array.from({ length: 1200 }, (_, i) => `burst-${i}`);
    for (const id of burst) a.events.publish(fakeEvent(workspaceId, id));
    await eventually(async () => inB.length >= 2 + burst.length && inA.length >= 2 + burst.length).catch((e: unknown) => {
      throw new Error(`${String(e)} a=${inA.length} b=${inB.length} last=${inA.at(-1)}`);
    });
    await sleep(200); // anything duplicated would have arrived by now

    expect(inA.slice(0, 2).sort()).toEqual(['from-a', 'from-b']);
    expect(inB.slice(0, 2)).toEqual(inA.slice(0, 2)); // one order for every process
    expect(inA.slice(2)).toEqual(burst);
    expect(inB.slice(2)).toEqual(burst);
    expect(inA).toHaveLength(2 + burst.length);
    expect(inB).toHaveLength(2 + burst.length);
    expect(other).toEqual([]); // other workspaces hear nothing
    offA();
    offB();
    offOther();
  });

  it('delivers an event too big for a NOTIFY as the row read back from the store', async () => {
    const seeded = await seedWorkspace(a);
    const message = await send(a, seeded.workspace, seeded.number.phoneNumber, { body: 'Reminder: cleaning on Tuesday' });
    const huge = { ...message, body: 'x'.repeat(MAX_PAYLOAD_BYTES * 3) };
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeGreaterThan(8000);

    const inA: ParleyEvent[] = [];
    const inB: ParleyEvent[] = [];
    const offA = a.events.subscribe(seeded.workspace.id, (event) => inA.push(event));
    const offB = b.events.subscribe(seeded.workspace.id, (event) => inB.push(event));
    a.events.publish({ type: 'message.updated', workspaceId: seeded.workspace.id, data: huge });
    // The small one after it must not overtake the one being read back.
    a.events.publish(fakeEvent(seeded.workspace.id, 'after-big'));
    await eventually(async () => inA.length >= 2 && inB.length >= 2);
    await sleep(100);

    for (const all of [inA, inB]) {
      // (the send's own message.created and conversation.updated may pass by first)
      const received = all.filter((event) => event.type === 'message.updated');
      expect(received).toHaveLength(2);
      const [big, after] = received;
      expect(big?.type).toBe('message.updated');
      expect(big?.data.id).toBe(message.id);
      const stored = await a.db.repos.messages.findById(message.id);
      expect(big?.data).toEqual(stored);
      expect(after?.data.id).toBe('after-big');
    }
    offA();
    offB();
  });

  it('wakes the workers of the other process on a queue signal, coalescing a burst', async () => {
    let wokenA = 0;
    let wokenB = 0;
    const offA = a.queue.onNotify(() => (wokenA += 1));
    const offB = b.queue.onNotify(() => (wokenB += 1));

    a.queue.notify();
    expect(wokenA).toBe(1); // the local worker is woken at once, not via the round trip
    await eventually(async () => wokenB >= 1);

    // 10,000 enqueues in one tick: one NOTIFY now, at most one trailing one.
    wokenB = 0;
    for (let i = 0; i < 10_000; i += 1) a.queue.notify();
    await sleep(300);
    expect(wokenB).toBeGreaterThanOrEqual(1);
    expect(wokenB).toBeLessThanOrEqual(2);
    await sleep(100);
    expect(wokenA).toBe(10_001); // and a process never wakes on its own NOTIFY
    offA();
    offB();
  });

  it('recovers after its listener connection is terminated', async () => {
    const workspaceId = 'ws-recover';
    const inA: string[] = [];
    const inB: string[] = [];
    const offA = a.events.subscribe(workspaceId, (event) => inA.push(event.data.id));
    const offB = b.events.subscribe(workspaceId, (event) => inB.push(event.data.id));
    let wokenB = 0;
    const offQ = b.queue.onNotify(() => (wokenB += 1));

    expect(await terminateListeners(a.config.databaseUrl as string)).toBe(2);
    // Published while its connection is down: sent once the publisher listens again.
    a.events.publish(fakeEvent(workspaceId, 'during-outage'));
    await eventually(async () => inA.includes('during-outage'), 10_000);
    // The other process reconnects on its own schedule; once it is back it hears everything.
    let probe = 0;
    await eventually(async () => {
      a.events.publish(fakeEvent(workspaceId, `probe-${++probe}`));
      await sleep(50);
      return inB.some((id) => id.startsWith('probe-'));
    }, 10_000);

    // Both listen again: events and queue signals cross in both directions.
    b.events.publish(fakeEvent(workspaceId, 'after-recovery'));
    await eventually(async () => inA.includes('after-recovery') && inB.includes('after-recovery'), 10_000);
    wokenB = 0;
    a.queue.notify();
    await eventually(async () => wokenB >= 1, 10_000);
    await sleep(100);
    expect(inA.filter((id) => id === 'during-outage')).toHaveLength(1);
    expect(inB.filter((id) => id === 'after-recovery')).toHaveLength(1);
    offA();
    offB();
    offQ();
  });
});
