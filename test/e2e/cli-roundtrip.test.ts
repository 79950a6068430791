import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, STORES, type StoreKind } from '../support/test-context.js';
import { BUSINESS_NUMBER, CUSTOMER, eventually } from '../support/fixtures.js';
import { apiRequest as api, startParleyProcess, urlOf, type ParleyProcess } from '../support/parley-process.js';

const run = promisify(execFile);
const BIN = path.resolve('bin/parley');

interface MessageJson {
  id: string;
  conversationId: string;
  status: string;
  direction: string;
  body: string;
}

describe.each(STORES)('parley as a real process on %s', (kind: StoreKind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-e2e-'));
  const dbName = `parley_e2e_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  let env: NodeJS.ProcessEnv;
  let started: ParleyProcess | null = null;

  beforeAll(async () => {
    env = { ...process.env, PARLEY_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${dbName}"`);
      await admin.end();
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${dbName}`;
      env.DATABASE_URL = url.toString();
    }
  });

  afterAll(async () => {
    if (started && started.child.exitCode === null) started.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it('texts a customer, takes the reply into the same thread, and shuts down cleanly', async () => {
    started = await startParleyProcess(env, 'all');
    const baseUrl = urlOf(started);
    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

    // The CLI works while the server is running.
    const { stdout } = await run(BIN, ['workspace', 'create', '--name', 'Bright Smiles', '--json'], { env });
    const created = JSON.parse(stdout) as { workspace: { id: string; name: string }; apiKey: string };
    expect(created.workspace.name).toBe('Bright Smiles');
    const key = created.apiKey;

    const carrier = await api<{ id: string; status: string }>(baseUrl, key, 'POST', '/v1/carriers', {
      type: 'simulator',
      name: 'Simulator',
      deliveryDelayMs: 20,
    });
    expect(carrier.status).toBe(201);
    const number = await api<{ phoneNumber: string }>(baseUrl, key, 'POST', '/v1/numbers', {
      phoneNumber: '(201) 555-0100',
      carrierId: carrier.json.id,
    });
    expect(number.json.phoneNumber).toBe(BUSINESS_NUMBER);

    const sent = await api<MessageJson>(baseUrl, key, 'POST', '/v1/messages', {
      from: BUSINESS_NUMBER,
      to: '201-555-0123',
      body: 'Hi! Your cleaning is booked for Tuesday at 3pm. Reply to confirm.',
    });
    expect(sent.status).toBe(201);
    expect(sent.json.status).toBe('queued');

    const delivered = await eventually(async () => {
      const got = await api<MessageJson>(baseUrl, key, 'GET', `/v1/messages/${sent.json.id}`);
      return got.json.status === 'delivered' ? got.json : null;
    }, 10_000);
    expect(delivered.status).toBe('delivered');

    const reply = await api<MessageJson>(baseUrl, key, 'POST', '/v1/simulator/inbound', {
      from: CUSTOMER,
      to: BUSINESS_NUMBER,
      body: 'Confirmed, see you then',
    });
    expect(reply.status).toBe(201);
    expect(reply.json.conversationId).toBe(sent.json.conversationId);

    const thread = await api<{ data: MessageJson[]; nextCursor: string | null }>(
      baseUrl,
      key,
      'GET',
      `/v1/conversations/${sent.json.conversationId}/messages`,
    );
    expect(thread.json.data.map((m) => [m.direction, m.body])).toEqual([
      ['outbound', 'Hi! Your cleaning is booked for Tuesday at 3pm. Reply to confirm.'],
      ['inbound', 'Confirmed, see you then'],
    ]);
    const conversations = await api<{ data: Array<{ id: string; contact: { phoneNumber: string } }> }>(
      baseUrl,
      key,
      'GET',
      '/v1/conversations',
    );
    expect(conversations.json.data).toHaveLength(1);
    expect(conversations.json.data[0]?.contact.phoneNumber).toBe(CUSTOMER);

    // Graceful shutdown: SIGTERM stops it with exit code 0 and a clean store close.
    const exited = new Promise<number | null>((resolve) => started?.child.on('exit', (code) => resolve(code)));
    started.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(started.output()).toContain('stopped cleanly');
  });
});
