/**
 * Memory with a million messages queued (send-pipeline issue: "peak RSS while 1,000,000
 * messages are queued stays under 300 MB — stream, never load the queue into memory").
 *
 * Measures a real deployment: `parley start` (role all: API + send worker in one process,
 * SQLite in a temporary PARLEY_DATA_DIR, simulator carrier), its RSS read from
 * /proc/<pid>/status (VmRSS every BENCH_MEMORY_SAMPLE_MS, VmHWM for the true peak). Phases:
 *
 *   idle     after start-up and setup (workspace via the CLI, carrier, number), nothing queued:
 *            the baseline, measured in the same run
 *   enqueue  BENCH_MEMORY_MESSAGES messages, each to its own recipient, through
 *            POST /v1/messages/batch over HTTP (BENCH_MEMORY_BATCH recipients per request, one
 *            request at a time), while a workspace limit of 1 segment/s keeps them queued
 *   full     a few seconds idle with the queue full (still held back)
 *   window   the limit is lifted (PATCH /v1/workspace), so the worker claims and sends from the
 *            full queue at full speed for BENCH_MEMORY_WINDOW_SECONDS: the first half alone, the
 *            second half while a reader walks the read endpoints an inbox user hits
 *            (conversation pages, a thread, a message, contacts, the carrier, the numbers)
 *
 *   BENCH_MEMORY_MESSAGES=1000000    messages queued
 *   BENCH_MEMORY_BATCH=10000         recipients per POST /v1/messages/batch (the API's maximum)
 *   BENCH_MEMORY_WINDOW_SECONDS=30   how long the worker sends from the full queue
 *   BENCH_MEMORY_SAMPLE_MS=100       RSS sampling interval
 *   BENCH_MEMORY_NODE_ARGS=          extra node flags for the Parley process, for diagnosis
 *                                    (e.g. --max-old-space-size=96: is the memory live or garbage?)
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Store } from '../src/store/store.js';
import { uuidV7Ids } from '../src/runtime/clock-and-ids.js';

const BIN = path.resolve('bin/parley');
const GOAL_MB = 300;
const BUSINESS_NUMBER = '+12015550100';
/**
 * Customers' area codes (not the business number's 201), whose exchanges 200–999 libphonenumber
 * accepts as valid: 8,000,000 distinct numbers each.
 */
const AREA_CODES = [212, 312, 415, 646, 718];
const NAMES = ['Ana', 'Ben', 'Chloé', 'Dev', 'Emma', 'Femi', 'Gus', 'Hana', 'Ivan', 'Jo'];
/** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every Linux Node supports). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface MemoryOptions {
  messages: number;
  batch: number;
  windowSeconds: number;
  sampleMs: number;
  nodeArgs: string[];
}

export function memoryOptionsFromEnv(): MemoryOptions {
  return {
    messages: Number(process.env.BENCH_MEMORY_MESSAGES ?? 1_000_000),
    batch: Number(process.env.BENCH_MEMORY_BATCH ?? 10_000),
    windowSeconds: Number(process.env.BENCH_MEMORY_WINDOW_SECONDS ?? 30),
    sampleMs: Number(process.env.BENCH_MEMORY_SAMPLE_MS ?? 100),
    nodeArgs: process.env.BENCH_MEMORY_NODE_ARGS !== undefined ? process.env.BENCH_MEMORY_NODE_ARGS.split(' ').filter(Boolean) : startScriptNodeFlags(),
  };
}

/**
 * The node flags of `npm start` (package.json `scripts.start`, e.g. the heap ceiling), so the
 * bench measures the process a user starts. BENCH_MEMORY_NODE_ARGS replaces them.
 */
function startScriptNodeFlags(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')) as { scripts?: { start?: string } };
  const words = (manifest.scripts?.start ?? '').split(/\s+/);
  return words[0] === 'node' ? words.slice(1).filter((word) => word.startsWith('--')) : [];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');
const mb = (kb: number): string => `${fmt(kb / 1024)} MB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The i-th distinct, valid customer number. */
function customer(i: number): string {
  const area = AREA_CODES[Math.floor(i / 8_000_000) % AREA_CODES.length] ?? 212;
  const exchange = 200 + (Math.floor(i / 10_000) % 800);
  return `+1${area}${exchange}${String(i % 10_000).padStart(4, '0')}`;
}

interface ProcMemory {
  rssKb: number;
  hwmKb: number;
  anonKb: number;
  fileKb: number;
}

function readProcMemory(pid: number): ProcMemory | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM'), anonKb: field('RssAnon'), fileKb: field('RssFile') };
}

/** User + system CPU time of the process so far, in ms. */
function readProcCpuMs(pid: number): number {
  try {
    // The command name (field 2) may contain spaces; count fields after its closing parenthesis.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

interface PhaseStats {
  name: string;
  startMs: number;
  endMs: number;
  cpuStartMs: number;
  cpuEndMs: number;
  samples: number;
  sumRssKb: number;
  /** The sample with the highest VmRSS. */
  peak: ProcMemory;
  /** VmHWM when the phase ended: the process's peak so far, between samples too. */
  hwmAtEndKb: number;
}

/** Samples the child's memory on a timer and keeps, per phase, the peak and the mean. */
class MemorySampler {
  private readonly phases: PhaseStats[] = [];
  private readonly timer: NodeJS.Timeout;
  private last: ProcMemory | null = null;

  constructor(
    private readonly pid: number,
    intervalMs: number,
    firstPhase: string,
  ) {
    this.open(firstPhase);
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Ends the current phase (with a final sample) and starts `next`; returns the ended one. */
  phase(next: string | null): PhaseStats {
    const ended = this.close();
    if (next !== null) this.open(next);
    return ended;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private current(): PhaseStats {
    const phase = this.phases.at(-1);
    if (!phase) throw new Error('no phase');
    return phase;
  }

  private open(name: string): void {
    const now = readProcMemory(this.pid) ?? { rssKb: 0, hwmKb: 0, anonKb: 0, fileKb: 0 };
    this.phases.push({
      name,
      startMs: performance.now(),
      endMs: NaN,
      cpuStartMs: readProcCpuMs(this.pid),
      cpuEndMs: NaN,
      samples: 0,
      sumRssKb: 0,
      peak: now,
      hwmAtEndKb: NaN,
    });
    this.sample();
  }

  private close(): PhaseStats {
    this.sample();
    const phase = this.current();
    phase.endMs = performance.now();
    phase.cpuEndMs = readProcCpuMs(this.pid);
    phase.hwmAtEndKb = this.last?.hwmKb ?? NaN;
    return phase;
  }

  private sample(): void {
    const memory = readProcMemory(this.pid);
    if (!memory) return;
    this.last = memory;
    const phase = this.current();
    phase.samples += 1;
    phase.sumRssKb += memory.rssKb;
    if (memory.rssKb > phase.peak.rssKb) phase.peak = memory;
  }
}

const meanRssKb = (phase: PhaseStats): number => phase.sumRssKb / Math.max(1, phase.samples);
const cpuShare = (phase: PhaseStats): string => `${Math.round(((phase.cpuEndMs - phase.cpuStartMs) / (phase.endMs - phase.startMs)) * 100)}%`;

interface RunningParley {
  child: ChildProcess;
  baseUrl: string;
  /** The last lines the process printed, for a failure message. */
  tail(): string;
}

/**
 * `parley start --role all` on a free port; resolves with its URL once it has started. Run as
 * `node [nodeArgs] bin/parley`, as `npm start` runs it (nodeArgs default to its flags).
 */
async function startParley(env: NodeJS.ProcessEnv, nodeArgs: string[]): Promise<RunningParley> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'start', '--port', '0', '--role', 'all'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Bounded: a long run must not grow the bench process with the child's log.
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-16 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const tail = (): string => output.trimEnd().split('\n').slice(-20).join('\n');
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => fail(new Error('did not start within 60 s')), 60_000);
    const poll = setInterval(() => {
      const url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
      if (url) done(url);
    }, 20);
    const onExit = (code: number | null): void => fail(new Error(`exited (${code}) before starting`));
    const done = (url: string): void => {
      clearTimeout(deadline);
      clearInterval(poll);
      child.off('exit', onExit);
      resolve(url);
    };
    const fail = (error: Error): void => {
      clearTimeout(deadline);
      clearInterval(poll);
      child.off('exit', onExit);
      child.kill('SIGKILL');
      reject(new Error(`parley start: ${error.message}:\n${tail()}`));
    };
    child.once('exit', onExit);
  });
  return { child, baseUrl, tail };
}

/** SIGINT (graceful: in-flight submits finish, the store closes), SIGKILL after 30 s. */
async function stopParley(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly tail: () => string,
  ) {}

  async request<T>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`${method} ${url}: ${error instanceof Error ? error.message : String(error)}; parley said:\n${this.tail()}`);
    }
    return { status: response.status, json: (await response.json()) as T };
  }

  async expect<T>(status: number, method: string, url: string, body?: unknown): Promise<T> {
    const response = await this.request<T>(method, url, body);
    if (response.status !== status) throw new Error(`${method} ${url} → ${response.status} ${JSON.stringify(response.json)}`);
    return response.json;
  }
}

interface BatchResponse {
  results: Array<{ to: string; id?: string; conversationId?: string; error?: { code: string; message: string } }>;
}

interface Sampled {
  messageIds: string[];
  conversationIds: string[];
  phones: string[];
}

/** Queues `messages` messages, one request at a time; keeps every 1000th row for the reader. */
async function enqueue(api: Api, options: MemoryOptions): Promise<Sampled> {
  const sampled: Sampled = { messageIds: [], conversationIds: [], phones: [] };
  for (let offset = 0; offset < options.messages; offset += options.batch) {
    const recipients: Array<{ to: string; name: string; order: string }> = [];
    for (let i = offset; i < Math.min(options.messages, offset + options.batch); i++) {
      recipients.push({ to: customer(i), name: NAMES[i % NAMES.length] ?? 'there', order: String(100_000 + i) });
    }
    const { results } = await api.expect<BatchResponse>(200, 'POST', '/v1/messages/batch', {
      from: BUSINESS_NUMBER,
      body: 'Hi {{name}}, your order {{order}} has shipped. Track it in the app. Reply STOP to opt out.',
      // Transactional (as the text is): a marketing batch would meet quiet hours when run at night.
      category: 'transactional',
      recipients,
    });
    const failed = results.find((row) => row.error || !row.id);
    if (failed || results.length !== recipients.length) {
      throw new Error(`batch at ${offset}: ${results.length} results, first failure ${JSON.stringify(failed)}`);
    }
    for (let k = 0; k < results.length; k += 1000) {
      const row = results[k];
      if (row?.id && row.conversationId) {
        sampled.messageIds.push(row.id);
        sampled.conversationIds.push(row.conversationId);
        sampled.phones.push(row.to);
      }
    }
  }
  return sampled;
}

interface ReadStats {
  count: number;
  failures: number;
  latencies: number[];
  byEndpoint: Map<string, number[]>;
}

/**
 * What an inbox user does while the campaign goes out, one request at a time, then a pause of
 * a second, until `untilMs`: the newest threads and the page after them, one thread, one
 * message, contacts (a page and a lookup by number), the carrier's live status, the numbers.
 * (There is no endpoint that lists or counts messages; these are the reads there are.)
 */
async function readWhileSending(api: Api, carrierId: string, sampled: Sampled, untilMs: number): Promise<ReadStats> {
  const stats: ReadStats = { count: 0, failures: 0, latencies: [], byEndpoint: new Map() };
  const timed = async <T>(endpoint: string, url: string): Promise<T | null> => {
    const start = performance.now();
    if (start >= untilMs) return null;
    const response = await api.request<T>('GET', url);
    const ms = performance.now() - start;
    stats.count += 1;
    stats.latencies.push(ms);
    stats.byEndpoint.set(endpoint, [...(stats.byEndpoint.get(endpoint) ?? []), ms]);
    if (response.status !== 200) {
      stats.failures += 1;
      return null;
    }
    return response.json;
  };
  const pick = <T>(list: T[], round: number): T | undefined => list[(round * 7919) % Math.max(1, list.length)];
  for (let round = 0; performance.now() < untilMs; round++) {
    const first = await timed<{ nextCursor: string | null }>('GET /v1/conversations', '/v1/conversations?limit=50');
    if (first?.nextCursor) {
      await timed('GET /v1/conversations', `/v1/conversations?limit=50&cursor=${encodeURIComponent(first.nextCursor)}`);
    }
    const conversationId = pick(sampled.conversationIds, round);
    if (conversationId) await timed('GET /v1/conversations/:id/messages', `/v1/conversations/${conversationId}/messages?limit=50`);
    const messageId = pick(sampled.messageIds, round);
    if (messageId) await timed('GET /v1/messages/:id', `/v1/messages/${messageId}`);
    await timed('GET /v1/contacts', '/v1/contacts?limit=50');
    const phone = pick(sampled.phones, round);
    if (phone) await timed('GET /v1/contacts?phoneNumber=', `/v1/contacts?phoneNumber=${encodeURIComponent(phone)}`);
    await timed('GET /v1/carriers/:id', `/v1/carriers/${carrierId}`);
    await timed('GET /v1/numbers', '/v1/numbers');
    const pause = Math.min(1000, untilMs - performance.now());
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return stats;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const FINISHED = ['sent', 'delivered', 'undelivered', 'failed'] as const;
const finished = (counts: Record<string, number>): number => FINISHED.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
const waiting = (counts: Record<string, number>): number => (counts.queued ?? 0) + (counts.scheduled ?? 0) + (counts.sending ?? 0);

/** The memory benchmark; SQLite, one `parley start` process (the embedded deployment). */
export async function benchMemory(options: MemoryOptions = memoryOptionsFromEnv()): Promise<void> {
  if (!fs.existsSync(`/proc/${process.pid}/status`)) {
    console.log('memory     skipped (needs /proc/<pid>/status, i.e. Linux)');
    return;
  }
  // Throughput here depends on what else the machine runs; memory much less so. Say which.
  const loadAtStart = os.loadavg()[0] ?? NaN;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-memory-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  delete env.PORT;
  let parley: RunningParley | null = null;
  let sampler: MemorySampler | null = null;
  let store: Store | null = null;
  // Ctrl-C during a long run: the child gets the terminal's SIGINT too; still remove the data.
  const onInterrupt = (): void => {
    parley?.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    parley = await startParley(env, options.nodeArgs);
    const pid = parley.child.pid;
    if (pid === undefined) throw new Error('parley start: no pid');
    sampler = new MemorySampler(pid, options.sampleMs, 'setup');

    // First run as a user would do it: a workspace from the CLI (with the server running),
    // then a carrier and a number through the API.
    const { stdout } = await promisify(execFile)(BIN, ['workspace', 'create', '--name', 'Memory bench', '--json'], { env });
    const created = JSON.parse(stdout) as { workspace: { id: string }; apiKey: string };
    const api = new Api(parley.baseUrl, created.apiKey, parley.tail);
    const carrier = await api.expect<{ id: string }>(201, 'POST', '/v1/carriers', { type: 'simulator', name: 'Simulator', deliveryDelayMs: 100 });
    await api.expect(201, 'POST', '/v1/numbers', { phoneNumber: BUSINESS_NUMBER, carrierId: carrier.id, mps: 10_000 });
    // The campaign is held back by a workspace-wide limit: 1 segment/s, so nearly all of it stays queued.
    await api.expect(200, 'PATCH', '/v1/workspace', { maxSegmentsPerSecond: 1 });
    store = Store.open({ databaseUrl: null, dataDir }, uuidV7Ids);
    const timedCounts = async (): Promise<{ counts: Record<string, number>; atMs: number }> => {
      const counts = store ? await store.repos.messages.countByStatus(created.workspace.id) : {};
      return { counts, atMs: performance.now() };
    };

    // Baseline: the same process, idle, before anything is queued.
    await sleep(2000);
    sampler.phase('idle');
    await sleep(3000);
    const idle = sampler.phase('enqueue');

    const sampled = await enqueue(api, options);
    const enqueued = sampler.phase('full');
    await sleep(3000);
    const full = sampler.phase('alone');

    // Release the campaign: the worker now claims from the full queue as fast as it can,
    // first on its own, then while someone reads the inbox. Sent counts are taken at the phase
    // boundaries (a count of a million rows takes a moment; the rates use the time between counts).
    const half = (options.windowSeconds * 1000) / 2;
    const atFull = await timedCounts();
    await api.expect(200, 'PATCH', '/v1/workspace', { maxSegmentsPerSecond: null });
    await sleep(half);
    const alone = sampler.phase('reads');
    const atHalf = await timedCounts();
    const reads = await readWhileSending(api, carrier.id, sampled, performance.now() + half);
    const withReads = sampler.phase(null);
    sampler.stop();
    const atEnd = await timedCounts();

    const baselineKb = meanRssKb(idle);
    const peakKb = withReads.hwmAtEndKb;
    const enqueueMs = enqueued.endMs - enqueued.startMs;
    const sendLine = (phase: PhaseStats, from: { counts: Record<string, number>; atMs: number }, to: typeof from): string => {
      const ms = to.atMs - from.atMs;
      const sent = finished(to.counts) - finished(from.counts);
      return (
        `${seconds(ms)}: ${fmt(sent)} sent (${fmt((sent / ms) * 1000)}/s), peak RSS ${mb(phase.peak.rssKb)} ` +
        `(anon ${mb(phase.peak.anonKb)}, file ${mb(phase.peak.fileKb)}), parley CPU ${cpuShare(phase)}`
      );
    };
    const [slowestEndpoint, slowestTimes] = [...reads.byEndpoint].sort((a, b) => percentile(b[1], 50) - percentile(a[1], 50))[0] ?? ['-', []];
    console.log(
      `memory sqlite  ${fmt(options.messages)} queued  peak RSS ${mb(peakKb)} (VmHWM)  baseline idle ${mb(baselineKb)}  ` +
        `ratio ${(peakKb / baselineKb).toFixed(1)}x  (goal < ${GOAL_MB} MB: ${peakKb < GOAL_MB * 1024 ? 'met' : 'NOT met'})`,
    );
    console.log(`    process: node ${[...options.nodeArgs, 'bin/parley start --role all'].join(' ')}`);
    console.log(
      `    enqueue: ${fmt(options.messages)} msgs to distinct recipients via POST /v1/messages/batch ×${fmt(options.batch)} over HTTP in ` +
        `${seconds(enqueueMs)} (${fmt((options.messages / enqueueMs) * 1000)}/s), peak RSS ${mb(enqueued.peak.rssKb)} ` +
        `(anon ${mb(enqueued.peak.anonKb)}, file ${mb(enqueued.peak.fileKb)}), parley CPU ${cpuShare(enqueued)}`,
    );
    console.log(
      `    queue full (${fmt(waiting(atFull.counts))} waiting), idle ${seconds(full.endMs - full.startMs)}: RSS ${mb(meanRssKb(full))} ` +
        `(anon ${mb(full.peak.anonKb)}, file ${mb(full.peak.fileKb)}), parley CPU ${cpuShare(full)}; idle before enqueue ${mb(baselineKb)}, CPU ${cpuShare(idle)}`,
    );
    console.log(`    worker on the full queue, alone         ${sendLine(alone, atFull, atHalf)}`);
    console.log(`    worker on the full queue, inbox reads   ${sendLine(withReads, atHalf, atEnd)}`);
    console.log(
      `    reads: ${fmt(reads.count)} GETs${reads.failures > 0 ? ` (${reads.failures} NOT 200)` : ''}, ` +
        `p50 ${fmt(percentile(reads.latencies, 50))} ms, p99 ${fmt(percentile(reads.latencies, 99))} ms, ` +
        `slowest ${slowestEndpoint} p50 ${fmt(percentile(slowestTimes, 50))} ms; RSS sampled every ${options.sampleMs} ms; ` +
        `load average ${loadAtStart.toFixed(1)} at start, ${(os.loadavg()[0] ?? NaN).toFixed(1)} at end (${os.cpus().length} cores)`,
    );
  } finally {
    process.off('SIGINT', onInterrupt);
    sampler?.stop();
    await store?.close();
    if (parley) await stopParley(parley.child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
