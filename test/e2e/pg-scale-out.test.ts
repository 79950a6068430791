import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL } from '../support/test-context.js';
import { BUSINESS_NUMBER, eventually } from '../support/fixtures.js';
import { apiRequest as api, startParleyProcess as start, type ParleyProcess } from '../support/parley-process.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/parley');

interface Frame {
  event: string;
  data: { id?: string; status?: string };
}

/** Collects Server-Sent Events frames from `GET /v1/events` in the background. */
async function listen(baseUrl: string, apiKey: string): Promise<{ frames: Frame[]; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/v1/events`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  if (!response.body) throw new Error('no body');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let buffer = '';
  let connected = false;
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes(': connected')) connected = true;
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) frames.push({ event, data: JSON.parse(data) as Frame['data'] });
      }
    }
  })();
  await eventually(async () => connected);
  return { frames, close: () => controller.abort() };
}

describe('api and worker processes on one PostgreSQL database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-scale-'));
  const dbName = `parley_scale_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const processes: ParleyProcess[] = [];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${dbName}`;
    env = {
      ...process.env,
      DATABASE_URL: url.toString(),
      PARLEY_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // Workers poll only once a minute: a prompt send proves the NOTIFY from the API woke them.
      PARLEY_POLL_INTERVAL_MS: '60000',
    };
  });

  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  });

  it('sends through a worker process and streams its status events to SSE clients of every API process', async () => {
    // The first process applies the migrations; the others find them done.
    const first = await start(env, 'api');
    processes.push(first);
    processes.push(...(await Promise.all([start(env, 'api'), start(env, 'worker')])));
    const [api1, api2] = processes.filter((p) => p.role === 'api').map((p) => p.baseUrl as string);
    if (!api1 || !api2) throw new Error('two API processes expected');

    const { stdout } = await run(BIN, ['workspace', 'create', '--name', 'Bright Smiles', '--json'], { env });
    const key = (JSON.parse(stdout) as { apiKey: string }).apiKey;
    const carrier = await api<{ id: string }>(api1, key, 'POST', '/v1/carriers', {
      type: 'simulator',
      name: 'Simulator',
      deliveryDelayMs: 20,
    });
    expect(carrier.status).toBe(201);
    expect((await api(api1, key, 'POST', '/v1/numbers', { phoneNumber: BUSINESS_NUMBER, carrierId: carrier.json.id })).status).toBe(201);

    const on1 = await listen(api1, key);
    const on2 = await listen(api2, key);
    const sent = await api<{ id: string; status: string }>(api1, key, 'POST', '/v1/messages', {
      from: BUSINESS_NUMBER,
      to: '201-555-0123',
      body: 'Your cleaning is Tuesday at 3pm.',
    });
    expect(sent.status).toBe(201);

    const statusesOf = (frames: Frame[]): string[] =>
      frames.filter((f) => f.event === 'message.updated' && f.data.id === sent.json.id).map((f) => f.data.status ?? '');
    // Both API processes stream what the worker process did: sent → delivered.
    await eventually(async () => statusesOf(on1.frames).includes('delivered') && statusesOf(on2.frames).includes('delivered'), 15_000).catch(
      () => {
        throw new Error(
          `no delivered event on both streams: ${JSON.stringify([on1.frames, on2.frames])}\n${processes.map((p) => `--- ${p.role}\n${p.output()}`).join('\n')}`,
        );
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const stream of [on1, on2]) {
      const statuses = statusesOf(stream.frames);
      expect(statuses).toContain('sent');
      expect(statuses.at(-1)).toBe('delivered'); // in order
      expect(new Set(statuses).size).toBe(statuses.length); // each once
      expect(stream.frames.filter((f) => f.event === 'message.created' && f.data.id === sent.json.id)).toHaveLength(1);
      stream.close();
    }

    // Every process shuts down cleanly, its listener closed with the store.
    for (const p of processes) {
      const exited = new Promise<number | null>((resolve) => p.child.once('exit', (code) => resolve(code)));
      p.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(p.output()).toContain('stopped cleanly');
    }
  });
});
