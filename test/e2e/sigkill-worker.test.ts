import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSmsc } from '../../src/carriers/smpp/smsc/local-smsc.js';
import { PG_ADMIN_URL, STORES, type StoreKind } from '../support/test-context.js';
import { BUSINESS_NUMBER, eventually } from '../support/fixtures.js';
import { apiRequest as api, killAll, startParleyProcess, tail, type ParleyProcess } from '../support/parley-process.js';

/**
 * The send pipeline's crash-safety promise, tested with real processes: one API process and
 * two workers share a store and submit a 5,000-message batch over real SMPP to a local SMSC;
 * one worker is SIGKILLed mid-batch. Nothing may be lost, and under the unknown-outcome rule
 * `fail` nothing may be sent twice: only the killed worker's in-flight messages (at most its
 * concurrency) may end `failed` with `submit_outcome_unknown`.
 */

const run = promisify(execFile);
const BIN = path.resolve('bin/parley');

const MESSAGES = 5_000;
const BATCH_CHUNK = 2_500;
const WORKER_CONCURRENCY = 32;
const LEASE_SECONDS = 5;
/** Kill once the SMSC has this many submits: mid-batch, with both workers busy. */
const KILL_AFTER_SUBMITS = Math.round(MESSAGES * 0.3);
const TERMINAL = new Set(['delivered', 'undelivered', 'failed', 'canceled']);

interface MessageRow {
  id: string;
  body: string;
  status: string;
  error_code: string | null;
}

/** Reads the messages table directly: the API has no list of a workspace's messages by status. */
interface StoreReader {
  statusCounts(): Promise<Record<string, number>>;
  outbound(): Promise<MessageRow[]>;
  /** Messages still `sending` on a claim made before `at` (ISO): a dead worker's leases until recovered. */
  sendingClaimedBefore(at: string): Promise<number>;
  close(): Promise<void>;
}

const OUTBOUND_SQL = `SELECT id, body, status, error_code FROM messages WHERE direction = 'outbound'`;
const COUNTS_SQL = `SELECT status, COUNT(*) AS n FROM messages WHERE direction = 'outbound' GROUP BY status`;
const SENDING_SQL = `SELECT COUNT(*) AS n FROM messages WHERE status = 'sending' AND sending_at < `;

function openReader(kind: StoreKind, dataDir: string, databaseUrl: string | undefined): StoreReader {
  if (kind === 'sqlite') {
    const db = new BetterSqlite3(path.join(dataDir, 'parley.sqlite'), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return {
      statusCounts: () =>
        Promise.resolve(
          Object.fromEntries(
            (db.prepare(COUNTS_SQL).all() as Array<{ status: string; n: number }>).map((r) => [r.status, Number(r.n)]),
          ),
        ),
      outbound: () => Promise.resolve(db.prepare(OUTBOUND_SQL).all() as MessageRow[]),
      sendingClaimedBefore: (at) => Promise.resolve(Number((db.prepare(`${SENDING_SQL}?`).get(at) as { n: number }).n)),
      close: () => {
        db.close();
        return Promise.resolve();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  return {
    statusCounts: async () =>
      Object.fromEntries(
        (await pool.query<{ status: string; n: string }>(COUNTS_SQL)).rows.map((r) => [r.status, Number(r.n)]),
      ),
    outbound: async () => (await pool.query<MessageRow>(OUTBOUND_SQL)).rows,
    sendingClaimedBefore: async (at) => Number((await pool.query<{ n: string }>(`${SENDING_SQL}$1`, [at])).rows[0]?.n ?? 0),
    close: () => pool.end(),
  };
}

const bodyOf = (i: number): string => `msg ${String(i).padStart(4, '0')}`;
/** Distinct, valid North American numbers: +1 201 555 1000 … +1 201 555 5999. */
const recipientOf = (i: number): string => `+1201555${String(1000 + i).padStart(4, '0')}`;

function countBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe.each(STORES)('a send worker SIGKILLed mid-batch on %s', (kind: StoreKind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-sigkill-'));
  const dbName = `parley_sigkill_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const smsc = new LocalSmsc({ port: 0, receiptDelayMs: 20 });
  const processes: ParleyProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let databaseCreated = false;
  let reader: StoreReader | null = null;

  beforeAll(async () => {
    await smsc.listen();
    env = {
      ...process.env,
      PARLEY_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      PARLEY_LEASE_SECONDS: String(LEASE_SECONDS),
      PARLEY_POLL_INTERVAL_MS: '50',
      PARLEY_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    };
    delete env.DATABASE_URL;
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${dbName}"`);
        databaseCreated = true;
      } finally {
        await admin.end();
      }
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${dbName}`;
      env.DATABASE_URL = url.toString();
    }
  });

  afterAll(async () => {
    // Each step runs whatever the one before it did: a failed test must leave nothing behind.
    await killAll(processes).catch(() => undefined);
    // For a post-mortem: PARLEY_E2E_LOG_DIR=/some/dir keeps every process's full output.
    const logDir = process.env.PARLEY_E2E_LOG_DIR;
    if (logDir) {
      fs.mkdirSync(logDir, { recursive: true });
      processes.forEach((p, i) => fs.writeFileSync(path.join(logDir, `sigkill-${kind}-${i}-${p.role}.log`), p.output()));
    }
    await reader?.close().catch(() => undefined);
    await smsc.close().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (databaseCreated) {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    }
  }, 60_000);

  it('loses nothing, sends nothing twice, and fails at most the dead worker\'s in-flight messages', async () => {
    const startedAt = Date.now();
    // The API process applies the migrations; the workers start after it, on a migrated store.
    const apiProcess = await startParleyProcess(env, 'api');
    processes.push(apiProcess);
    const baseUrl = apiProcess.baseUrl ?? '';
    const { stdout } = await run(BIN, ['workspace', 'create', '--name', 'Crash Test', '--json'], { env });
    const key = (JSON.parse(stdout) as { apiKey: string }).apiKey;

    const carrier = await api<{ id: string }>(baseUrl, key, 'POST', '/v1/carriers', {
      type: 'smpp',
      name: 'Local SMSC',
      host: '127.0.0.1',
      port: smsc.port,
      systemId: 'parley',
      password: 'secret',
    });
    expect(carrier.status, JSON.stringify(carrier.json)).toBe(201);
    const number = await api(baseUrl, key, 'POST', '/v1/numbers', {
      phoneNumber: BUSINESS_NUMBER,
      carrierId: carrier.json.id,
      mps: 10_000,
    });
    expect(number.status, JSON.stringify(number.json)).toBe(201);

    const ids = new Set<string>();
    for (let start = 0; start < MESSAGES; start += BATCH_CHUNK) {
      const recipients = Array.from({ length: Math.min(BATCH_CHUNK, MESSAGES - start) }, (_, k) => ({
        to: recipientOf(start + k),
        n: String(start + k).padStart(4, '0'),
      }));
      const batch = await api<{ results: Array<{ to: string; id?: string; error?: unknown }> }>(
        baseUrl,
        key,
        'POST',
        '/v1/messages/batch',
        // Transactional: a marketing batch would meet quiet hours when CI runs at night.
        { from: BUSINESS_NUMBER, body: 'msg {{n}}', category: 'transactional', recipients },
      );
      expect(batch.status, `${JSON.stringify(batch.json).slice(0, 500)}\napi output:\n${tail(apiProcess)}`).toBe(200);
      const refused = batch.json.results.filter((r) => r.error !== undefined);
      expect(refused, JSON.stringify(refused.slice(0, 5))).toEqual([]);
      for (const r of batch.json.results) if (r.id) ids.add(r.id);
    }
    expect(ids.size).toBe(MESSAGES);
    const queuedAt = Date.now();

    // The workers start on a full backlog, so the kill below is certainly mid-send.
    const [doomed, survivor] = await Promise.all([startParleyProcess(env, 'worker'), startParleyProcess(env, 'worker')]);
    processes.push(doomed!, survivor!);
    const workersAt = Date.now();

    // Mid-batch: SIGKILL one worker. Its SMPP sessions drop when the kernel closes its sockets,
    // which tells us which submits it made.
    await smsc.waitForSubmits(KILL_AFTER_SUBMITS, 120_000);
    const disconnected: number[] = [];
    smsc.on('disconnect', ({ sessionId }) => disconnected.push(sessionId));
    const submitsAtKill = smsc.attempts.length;
    doomed!.child.kill('SIGKILL');
    await doomed!.exited;
    const killedAt = Date.now();
    await eventually(async () => disconnected.length > 0, 15_000);
    const doomedSessions = new Set(disconnected);
    const submitsByDoomed = smsc.attempts.filter((a) => doomedSessions.has(a.sessionId)).length;

    /** What the SMSC knows of a body: its submits and the fate of each one's receipt. */
    const smscView = (body: string): unknown =>
      smsc.attempts
        .filter((a) => a.text === body)
        .map((a) => ({
          session: a.sessionId,
          status: a.status,
          messageId: a.messageId,
          receipts: smsc.receipts
            .filter((r) => r.messageId === a.messageId)
            .map((r) => ({ session: r.sessionId, answered: r.responseStatus ?? 'no answer' })),
        }));
    reader = openReader(kind, dataDir, env.DATABASE_URL);
    const store = reader;

    // The survivor alone recovers the dead worker's leases once they expire.
    const killedAtIso = new Date(killedAt).toISOString();
    await eventually(async () => (await store.sendingClaimedBefore(killedAtIso)) === 0, 60_000).catch((error: unknown) => {
      throw new Error(`the survivor did not recover the dead worker's leases: ${String(error)}\n${tail(survivor!)}`);
    });
    const recoveredAt = Date.now();
    // Then a supervisor restarts the dead worker. Its bind also matters to the SMSC: receipts
    // that were on the dead bind's wire when it died are held for "the next bind" of the
    // account (LocalSmsc, like many SMSCs, redelivers held receipts on bind, not to binds
    // that were already up).
    processes.push(await startParleyProcess(env, 'worker'));

    let lastCounts: Record<string, number> = {};
    await eventually(async () => {
      lastCounts = await store.statusCounts();
      const terminal = Object.entries(lastCounts).reduce((sum, [status, n]) => sum + (TERMINAL.has(status) ? n : 0), 0);
      return terminal === MESSAGES;
    }, 180_000).catch(async (error: unknown) => {
      const stuck = (await store.outbound()).filter((m) => !TERMINAL.has(m.status));
      throw new Error(
        `${stuck.length} messages not terminal (${JSON.stringify(lastCounts)}): ` +
          `${JSON.stringify(stuck.slice(0, 20).map((m) => ({ ...m, smsc: smscView(m.body) })))}\n` +
          `receipts answered with an error: ${smsc.receipts.filter((r) => (r.responseStatus ?? 0) !== 0).length}, ` +
          `never answered: ${smsc.receipts.filter((r) => r.responseStatus === undefined).length}\n${String(error)}\n` +
          `survivor output:\n${tail(survivor!)}\napi output:\n${tail(apiProcess)}`,
      );
    });
    const settledAt = Date.now();

    const rows = await store.outbound();
    const byStatus = countBy(rows, (m) => m.status);
    const failedByCode = countBy(
      rows.filter((m) => m.status === 'failed'),
      (m) => m.error_code ?? '(none)',
    );
    const accepted = smsc.attempts.filter((a) => a.status === 0);
    const receivedByBody = countBy(accepted, (a) => a.text);
    const duplicates = [...receivedByBody].filter(([, n]) => n > 1);
    const unknown = rows.filter((m) => m.status === 'failed' && m.error_code === 'submit_outcome_unknown');
    const unknownAtSmsc = unknown.filter((m) => receivedByBody.has(m.body)).length;
    const deliveredNotAtSmsc = rows.filter((m) => m.status === 'delivered' && !receivedByBody.has(m.body));

    console.log(
      `[sigkill-worker ${kind}] ${JSON.stringify({
        messages: rows.length,
        byStatus: Object.fromEntries(byStatus),
        failedByCode: Object.fromEntries(failedByCode),
        smscSubmits: smsc.attempts.length,
        smscAccepted: accepted.length,
        smscDistinctBodies: receivedByBody.size,
        duplicates: duplicates.length,
        submitsAtKill,
        submitsByKilledWorker: submitsByDoomed,
        killedWorkerSessions: [...doomedSessions],
        submitOutcomeUnknown: unknown.length,
        submitOutcomeUnknownReachedSmsc: unknownAtSmsc,
        ms: { enqueue: queuedAt - startedAt, workersToKill: killedAt - workersAt, leaseRecovery: recoveredAt - killedAt, killToSettled: settledAt - killedAt },
      })}`,
    );

    // Nothing lost: every message of the batch exists, once, and ended in a terminal state.
    expect(rows).toHaveLength(MESSAGES);
    expect(new Set(rows.map((m) => m.id))).toEqual(ids);
    expect(new Set(rows.map((m) => m.body))).toEqual(new Set(Array.from({ length: MESSAGES }, (_, i) => bodyOf(i))));
    expect(rows.filter((m) => !TERMINAL.has(m.status))).toEqual([]);
    // The kill was mid-batch, with the doomed worker submitting.
    expect(submitsByDoomed).toBeGreaterThan(0);
    expect(submitsAtKill).toBeLessThan(MESSAGES);
    // Every delivered message reached the SMSC.
    expect(deliveredNotAtSmsc).toEqual([]);
    // The `fail` rule: no text is submitted twice …
    expect(duplicates).toEqual([]);
    // … and only the killed worker's in-flight messages fail as unknown; nothing else fails.
    expect(unknown.length).toBeLessThanOrEqual(WORKER_CONCURRENCY);
    expect([...failedByCode.keys()].filter((code) => code !== 'submit_outcome_unknown')).toEqual([]);
    expect((byStatus.get('delivered') ?? 0) + unknown.length).toBe(MESSAGES);
  }, 360_000);
});
