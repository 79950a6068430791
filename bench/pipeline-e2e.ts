/**
 * End-to-end outbound pipeline: HTTP API → store → send worker(s) → SmppCarrier → TCP →
 * `parley smsc` (its own process) → delivery receipts → store, until every message is
 * `delivered`. Compared with the bare SMPP round trip (same SMSC build, same PDU count, no
 * Parley at all) measured in the same run.
 *
 *   BENCH_E2E_MESSAGES=5000        messages per run
 *   BENCH_E2E_BATCH=500            recipients per POST /v1/messages/batch
 *   BENCH_E2E_RECEIPT_DELAY_MS=10  the SMSC's delay before each receipt (bare run uses the same)
 *   BENCH_E2E_CONCURRENCY=200      workerConcurrency of each worker (the bind window is 100)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServer, type ParleyApp } from '../src/http/server.js';
import { SendWorker } from '../src/workers/send-worker.js';
import { PgNotifyBus } from '../src/runtime/pg-notify.js';
import { createTestContext, type StoreKind } from '../test/support/test-context.js';
import { seedWorkspace } from '../test/support/fixtures.js';
import { bareRoundTripRate, startSmsc, stopSmsc } from './smpp.js';

const BIN = path.resolve('bin/parley');
const WINDOW = 100;
/** Not the seeded simulator's BUSINESS_NUMBER (+12015550100). */
const SMPP_NUMBER = '+12015550160';
const TIMEOUT_MS = 300_000;

export interface E2eOptions {
  messages: number;
  batch: number;
  receiptDelayMs: number;
  concurrency: number;
}

export function e2eOptionsFromEnv(): E2eOptions {
  return {
    messages: Number(process.env.BENCH_E2E_MESSAGES ?? 5000),
    batch: Number(process.env.BENCH_E2E_BATCH ?? 500),
    receiptDelayMs: Number(process.env.BENCH_E2E_RECEIPT_DELAY_MS ?? 10),
    concurrency: Number(process.env.BENCH_E2E_CONCURRENCY ?? 200),
  };
}

const perSecond = (count: number, ms: number): number => (count / ms) * 1000;
const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');

/** `parley start --role worker` as its own process; resolves once it has started. */
async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(BIN, ['start', '--role', 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = child.stdout;
  if (stdout === null) throw new Error('parley start: no stdout');
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4096);
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString('utf8')).slice(-64 * 1024);
      if (seen.includes('Parley started')) {
        stdout.off('data', onData);
        child.off('exit', onExit);
        stdout.resume(); // later log lines are discarded
        resolve();
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`parley worker exited (${code}) before starting:\n${seen}${stderr}`));
    stdout.on('data', onData);
    child.once('exit', onExit);
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** All cores' busy and total time so far, from /proc/stat (Linux); zeros elsewhere. */
function machineCpu(): { busy: number; total: number; minus(earlier: { busy: number; total: number }): { busyShare: number; busySeconds: number } } {
  let busy = 0;
  let total = 0;
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    total = fields.reduce((sum, value) => sum + value, 0);
    busy = total - (fields[3] ?? 0) - (fields[4] ?? 0); // idle, iowait
  } catch {
    // Not Linux: reported as 0.
  }
  const ticksPerSecond = 100; // USER_HZ
  return {
    busy,
    total,
    minus: (earlier) => ({
      busyShare: total > earlier.total ? (busy - earlier.busy) / (total - earlier.total) : 0,
      busySeconds: (busy - earlier.busy) / ticksPerSecond,
    }),
  };
}

async function postBatches(app: ParleyApp, headers: Record<string, string>, options: E2eOptions): Promise<void> {
  for (let offset = 0; offset < options.messages; offset += options.batch) {
    const recipients: Array<{ to: string; n: string }> = [];
    for (let i = offset; i < Math.min(options.messages, offset + options.batch); i++) {
      recipients.push({ to: `+1201555${String(1000 + (i % 9000)).padStart(4, '0')}`, n: String(i) });
    }
    const response = await app.inject({
      method: 'POST',
      url: '/v1/messages/batch',
      headers,
      payload: { from: SMPP_NUMBER, body: 'Order {{n}} has shipped.', category: 'transactional', recipients },
    });
    if (response.statusCode !== 200) throw new Error(`POST /v1/messages/batch → ${response.statusCode} ${response.body}`);
    const failed = response.json<{ results: Array<{ error?: unknown }> }>().results.filter((r) => r.error);
    if (failed.length > 0) throw new Error(`batch rows rejected: ${JSON.stringify(failed[0])}`);
  }
}

/**
 * One end-to-end run. `workers`: 'in-process' runs one SendWorker in the bench process (the
 * single-process SQLite deployment: API and worker share a thread); a number spawns that many
 * `parley start --role worker` processes against the same database (the standard run uses
 * them on PostgreSQL; on SQLite they work too, but two writers wait on SQLite's busy handler).
 */
export async function benchPipelineE2e(
  kind: StoreKind,
  workers: 'in-process' | number,
  options: E2eOptions = e2eOptionsFromEnv(),
): Promise<void> {
  const label = workers === 'in-process' ? '1 in-process worker' : `${workers} worker processes`;
  // Baseline first, on its own fresh SMSC (the local SMSC keeps every message in memory).
  const bare = await bareRoundTripRate(options.messages, options.receiptDelayMs);
  const smsc = await startSmsc(options.receiptDelayMs);
  const t = await createTestContext(kind, { workerConcurrency: options.concurrency });
  const children: ChildProcess[] = [];
  const workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-worker-'));
  let worker: SendWorker | null = null;
  let app: ParleyApp | null = null;
  try {
    const seeded = await seedWorkspace(t.ctx, { deliveryDelayMs: 0 });
    app = await buildServer(t.ctx);
    const headers = { authorization: `Bearer ${seeded.apiKey}`, 'content-type': 'application/json' };
    const carrier = await app.inject({
      method: 'POST',
      url: '/v1/carriers',
      headers,
      payload: { type: 'smpp', name: 'bench smsc', host: '127.0.0.1', port: smsc.port, systemId: 'parley', password: 'secret', windowSize: WINDOW },
    });
    if (carrier.statusCode !== 201) throw new Error(`POST /v1/carriers → ${carrier.statusCode} ${carrier.body}`);
    const carrierId = carrier.json<{ id: string }>().id;
    const number = await app.inject({
      method: 'POST',
      url: '/v1/numbers',
      headers,
      payload: { phoneNumber: SMPP_NUMBER, carrierId, mps: 10_000 },
    });
    if (number.statusCode !== 201) throw new Error(`POST /v1/numbers → ${number.statusCode} ${number.body}`);

    if (workers === 'in-process') {
      worker = new SendWorker(t.ctx);
      worker.start();
    } else {
      // Only the worker processes bind: the API side needs no carrier session.
      await t.ctx.carriers.stopAll();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATABASE_URL: t.ctx.config.databaseUrl ?? '',
        PARLEY_DATA_DIR: kind === 'sqlite' ? t.ctx.config.dataDir : workerDir,
        LOG_LEVEL: 'info',
        PARLEY_WORKER_CONCURRENCY: String(options.concurrency),
        PARLEY_POLL_INTERVAL_MS: '20',
      };
      for (let i = 0; i < workers; i++) children.push(await startWorkerProcess(env));
    }

    const counts = async (): Promise<Record<string, number>> => t.ctx.db.repos.messages.countByStatus(seeded.workspace.id);
    // Progress is read off the events the pipeline publishes anyway (on PostgreSQL they reach
    // this process over LISTEN/NOTIFY from the worker processes). Polling a count instead ran
    // a scan of the measured database every 50 ms: about a fifth of a core on PostgreSQL,
    // taken from the system being measured. Only SQLite worker processes (no shared bus) poll.
    const viaEvents = workers === 'in-process' || kind === 'postgres';
    const progress = { sent: new Set<string>(), settled: new Set<string>() };
    const unsubscribe = viaEvents
      ? t.ctx.events.subscribe(seeded.workspace.id, (event) => {
          const message = event.data as { id?: string; status?: string };
          if (event.type !== 'message.updated' || message.id === undefined) return;
          if (['sent', 'delivered', 'undelivered', 'failed'].includes(message.status ?? '')) progress.sent.add(message.id);
          if (['delivered', 'undelivered', 'failed'].includes(message.status ?? '')) progress.settled.add(message.id);
        })
      : () => undefined;
    // Listening before the first message is posted: LISTEN/NOTIFY keeps no history.
    if (t.ctx.events instanceof PgNotifyBus) await t.ctx.events.ready();
    const cpuAtStart = machineCpu();
    const start = performance.now();
    await postBatches(app, headers, options);
    const posted = performance.now() - start;
    let allSent = 0;
    let last: Record<string, number> = {};
    for (;;) {
      if (viaEvents) {
        if (allSent === 0 && progress.sent.size >= options.messages) allSent = performance.now() - start;
        if (progress.settled.size >= options.messages) break;
      } else {
        last = await counts();
        const sentOrLater = (last.sent ?? 0) + (last.delivered ?? 0) + (last.undelivered ?? 0) + (last.failed ?? 0);
        if (allSent === 0 && sentOrLater >= options.messages) allSent = performance.now() - start;
        if ((last.delivered ?? 0) + (last.undelivered ?? 0) + (last.failed ?? 0) >= options.messages) break;
      }
      if (performance.now() - start > TIMEOUT_MS) throw new Error(`e2e ${kind}: timed out, counts ${JSON.stringify(await counts())}`);
      await new Promise((resolve) => setTimeout(resolve, viaEvents ? 5 : 50));
    }
    const total = performance.now() - start;
    const cpu = machineCpu().minus(cpuAtStart);
    // The events said so; the store must agree (what is reported below comes from it).
    last = await counts();
    unsubscribe();
    const e2e = perSecond(options.messages, total);
    const ratio = e2e / bare;
    const goal = workers === 'in-process' ? 0.5 : 0.25;
    const notDelivered = options.messages - (last.delivered ?? 0);
    console.log(
      `e2e ${kind.padEnd(8)} ${label.padEnd(20)} ${fmt(e2e).padStart(6)} msg/s delivered  baseline bare SMPP round trip ${fmt(bare)} msg/s  ` +
        `ratio ${Math.round(ratio * 100)}% (goal ≥ ${goal * 100}%: ${ratio >= goal ? 'met' : 'NOT met'})`,
    );
    console.log(
      `    ${options.messages} msgs via POST /v1/messages/batch ×${options.batch} (in-process inject): API ${fmt(perSecond(options.messages, posted))}/s ` +
        `(${(posted / 1000).toFixed(1)} s), all sent at ${(allSent / 1000).toFixed(1)} s, all delivered at ${(total / 1000).toFixed(1)} s` +
        `${notDelivered > 0 ? `, ${notDelivered} NOT delivered ${JSON.stringify(last)}` : ''}; receipt delay ${options.receiptDelayMs} ms, window ${WINDOW}, workerConcurrency ${options.concurrency}`,
    );
    console.log(
      `    machine CPU meanwhile: ${Math.round(cpu.busyShare * 100)}% busy of ${os.cpus().length} cores, ` +
        `${fmt((cpu.busySeconds * 1e6) / options.messages)} µs of CPU per message (every process: Parley, SMSC, database)`,
    );
  } finally {
    await Promise.all(children.map(stopProcess));
    if (worker) await worker.stop();
    if (app) await app.close();
    await t.ctx.carriers.stopAll();
    await t.cleanup();
    await stopSmsc(smsc);
    fs.rmSync(workerDir, { recursive: true, force: true });
  }
}
