/**
 * Parley benchmarks. Each figure is printed with a baseline measured in the same run on the
 * same machine, so ratios stay meaningful across machines.
 *
 *   npm run bench                 # SQLite, plus PostgreSQL when PARLEY_TEST_PG_URL/default is reachable
 *   BENCH_MESSAGES=5000 npm run bench
 *   BENCH_CORPUS=1000000 BENCH_REFERENCE_SAMPLE=5000 (encoding corpus size; sms-segments-calculator sample)
 *   BENCH_SMPP_MESSAGES=10000 (SMPP submit + receipt through the session vs the bare codec)
 *   BENCH_E2E_MESSAGES=5000 (HTTP API → workers → SMPP → receipts, vs the bare SMPP round trip; see pipeline-e2e.ts)
 *   BENCH_INBOUND_MESSAGES=5000 (receipts and replies through the carrier sink; see inbound.ts)
 *   BENCH_MEMORY_MESSAGES=1000000 (RSS of `parley start` with that many queued; see memory.ts)
 *   BENCH_INBOX_CONVERSATIONS=100000 BENCH_INBOX_MESSAGES=1000000 (inbox list views and search; see inbox.ts)
 *   BENCH_ONLY=e2e,inbound   run only these parts: encoding, store, http, smpp, e2e, inbound, lookups, memory, inbox
 *   BENCH_LOOKUP_HISTORY=50000 (carrier-id and waiting-receipt lookups against a long history; see lookups.ts)
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { buildServer } from '../src/http/server.js';
import { SendWorker } from '../src/workers/send-worker.js';
import { createTestContext, PG_ADMIN_URL, type StoreKind } from '../test/support/test-context.js';
import { seedWorkspace } from '../test/support/fixtures.js';
import { benchHttp } from './http-load.js';
import { benchEncodingCorpus } from './encoding-corpus.js';
import { benchSmpp } from './smpp.js';
import { benchPipelineE2e } from './pipeline-e2e.js';
import { benchLookups } from './lookups.js';
import { benchInbound } from './inbound.js';
import { benchMemory } from './memory.js';
import { benchInbox } from './inbox.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

async function benchStore(kind: StoreKind): Promise<void> {
  const t = await createTestContext(kind, { workerConcurrency: 64 });
  try {
    const seeded = await seedWorkspace(t.ctx, { deliveryDelayMs: 0 });
    const app = await buildServer(t.ctx);
    const headers = { authorization: `Bearer ${seeded.apiKey}`, 'content-type': 'application/json' };

    // Baseline for the API: an authenticated request that only reads one row.
    const healthz = await timeAsync(async () => {
      for (let i = 0; i < MESSAGES; i++) await app.inject({ method: 'GET', url: `/v1/numbers/${seeded.number.id}`, headers });
    });
    const posts = await timeAsync(async () => {
      for (let i = 0; i < MESSAGES; i++) {
        const to = `+1201555${String(1000 + (i % 9000)).padStart(4, '0')}`;
        const response = await app.inject({
          method: 'POST',
          url: '/v1/messages',
          headers,
          payload: { from: seeded.number.phoneNumber, to, body: `Order ${i} has shipped.` },
        });
        if (response.statusCode !== 201) throw new Error(`POST /v1/messages → ${response.statusCode} ${response.body}`);
      }
    });
    console.log(
      `${kind.padEnd(9)}  POST /v1/messages      ${rate(MESSAGES, posts.ms).padStart(12)}  baseline GET /v1/numbers/:id ${rate(MESSAGES, healthz.ms)}  ratio ${(posts.ms / healthz.ms).toFixed(1)}x`,
    );

    // Pipeline: drain everything queued above through the simulator carrier.
    const worker = new SendWorker(t.ctx);
    const drained = await timeAsync(() => worker.drain());
    const counts = await t.ctx.db.repos.messages.countByStatus(seeded.workspace.id);
    const sent = (counts.sent ?? 0) + (counts.delivered ?? 0);
    // Baseline: the same number of single-row updates, each its own transaction: the floor
    // cost of persisting one state change per message.
    const ids = (await t.ctx.db.repos.conversations.list(seeded.workspace.id, 1)).data.map((c) => c.id);
    const floor = await timeAsync(async () => {
      for (let i = 0; i < MESSAGES; i++) {
        await t.ctx.db.transaction(async (repos) => repos.conversations.touchById(ids[0] ?? '', new Date().toISOString(), 'x'));
      }
    });
    console.log(
      `${kind.padEnd(9)}  worker queued→sent     ${rate(sent, drained.ms).padStart(12)}  baseline 1-row tx ${rate(MESSAGES, floor.ms)}  ratio ${(drained.ms / floor.ms).toFixed(1)}x  (${sent}/${MESSAGES} sent)`,
    );
    await app.close();
    // Let simulator receipts land before the store closes.
    await t.ctx.carriers.stopAll();
  } finally {
    await t.cleanup();
  }
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const PARTS = ['encoding', 'store', 'http', 'smpp', 'e2e', 'inbound', 'lookups', 'memory', 'inbox'] as const;

function selectedParts(): Set<string> {
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')}`);
  return new Set(only.length > 0 ? only : PARTS);
}

async function main(): Promise<void> {
  const parts = selectedParts();
  console.log(`Parley benchmarks — node ${process.version}, parts: ${[...parts].join(', ')}\n`);
  if (parts.has('encoding')) {
    benchEncodingCorpus(Number(process.env.BENCH_CORPUS ?? 1_000_000), Number(process.env.BENCH_REFERENCE_SAMPLE ?? 5_000));
  }
  const pgUp = await postgresReachable();
  if (!pgUp) console.log('postgres   skipped everywhere (not reachable)');
  if (parts.has('store')) {
    console.log(`(store: ${MESSAGES} messages per run)`);
    await benchStore('sqlite');
    if (pgUp) await benchStore('postgres');
  }
  if (parts.has('http')) {
    const seconds = Number(process.env.BENCH_SECONDS ?? 5);
    await benchHttp('sqlite', seconds);
    if (pgUp) await benchHttp('postgres', seconds);
  }
  if (parts.has('smpp')) await benchSmpp(Number(process.env.BENCH_SMPP_MESSAGES ?? 10_000));
  if (parts.has('e2e')) {
    await benchPipelineE2e('sqlite', 'in-process');
    if (pgUp) await benchPipelineE2e('postgres', 2);
  }
  if (parts.has('inbound')) {
    await benchInbound('sqlite');
    if (pgUp) await benchInbound('postgres');
  }
  if (parts.has('lookups')) {
    await benchLookups('sqlite');
    if (pgUp) await benchLookups('postgres');
  }
  if (parts.has('memory')) await benchMemory();
  if (parts.has('inbox')) await benchInbox();
}

await main();
