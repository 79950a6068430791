import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { PG_ADMIN_URL, type StoreKind } from '../test/support/test-context.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/parley');

export interface LoadResult {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
}

async function load(options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon(options);
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99, non2xx: result.non2xx };
}

/**
 * Real HTTP under concurrent load: `parley start` in its own process (one core), the
 * load generator in this one (the other core), a baseline route measured in the same run.
 */
export async function benchHttp(kind: StoreKind, seconds: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const dbName = `parley_bench_${process.pid}`;
  if (kind === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
  }
  const port = 3900 + Math.floor(Math.random() * 90);
  const child = spawn(BIN, ['start', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      if (i > 200) throw new Error('parley did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { stdout } = await run(BIN, ['workspace', 'create', '--name', 'Bench', '--json'], { env });
    const key = (JSON.parse(stdout) as { apiKey: string }).apiKey;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const carrier = (await (
      await fetch(`${base}/v1/carriers`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ type: 'simulator', name: 'sim', deliveryDelayMs: 50 }),
      })
    ).json()) as { id: string };
    await fetch(`${base}/v1/numbers`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ phoneNumber: '+12015550100', carrierId: carrier.id}),
    });

    const common = { url: base, connections: 16, duration: seconds, headers };
    const baseline = await load({ ...common, url: `${base}/v1/carriers/${carrier.id}` });
    let i = 0;
    const sends = await load({
      ...common,
      url: `${base}/v1/messages`,
      method: 'POST',
      setupClient: (client) => {
        client.setBody(JSON.stringify({ from: '+12015550100', to: `+1201555${1000 + (i++ % 9000)}`, body: 'Your order has shipped.' }));
      },
    });
    const line = (name: string, r: LoadResult) =>
      `${Math.round(r.requestsPerSecond).toLocaleString('en-US').padStart(7)} req/s  p99 ${String(r.p99Ms).padStart(4)} ms  non-2xx ${r.non2xx}`;
    console.log(`${kind.padEnd(9)}  HTTP POST /v1/messages   ${line('post', sends)}`);
    console.log(`${kind.padEnd(9)}  HTTP GET  /v1/carriers/:id (baseline) ${line('get', baseline)}  ratio ${(baseline.requestsPerSecond / sends.requestsPerSecond).toFixed(1)}x`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    }
  }
}
