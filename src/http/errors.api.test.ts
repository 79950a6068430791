import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER } from '../../test/support/fixtures.js';
import {
  apiClient,
  createApiHarness,
  expectError,
  phone,
  type ApiClient,
  type ApiHarness,
} from '../../test/support/api.js';

interface OpenApiJson {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>>;
}

const BODY_LIMIT = 2048;

describe.each(STORES)('bad input and documentation on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind, { config: { bodyLimitBytes: BODY_LIMIT } });
    api = h.api;
  });
  afterAll(async () => h?.close());

  const raw = (payload: string, contentType = 'application/json', url = '/v1/messages') =>
    api.request('POST', url, payload, { 'content-type': contentType });

  async function storedMessageCount(): Promise<number> {
    const counts = await h.t.ctx.db.repos.messages.countByStatus(h.seeded.workspace.id);
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  it('answers malformed JSON with 400 invalid_json', async () => {
    expectError(await raw('{"from": "+12015550100", "to": '), 400, 'invalid_json');
    expectError(await raw("{from: 'x'}"), 400, 'invalid_json');
    expectError(await raw('{"body":"a"}}'), 400, 'invalid_json');
  });

  it('answers an empty JSON body where one is required with 400 validation_error', async () => {
    expectError(await raw(''), 400, 'validation_error');
  });

  it('accepts an empty JSON body on a bodiless POST such as cancel', async () => {
    const created = await api.post('/v1/messages', {
      from: BUSINESS_NUMBER,
      to: phone(77),
      body: 'later',
      sendAt: '2099-01-01T09:00:00Z',
    });
    expect(created.statusCode).toBe(201);
    const canceled = await raw('', 'application/json', `/v1/messages/${created.json<{ id: string }>().id}/cancel`);
    expect(canceled.statusCode).toBe(200);
    expect(canceled.json<{ status: string }>().status).toBe('canceled');
  });

  it('answers JSON of the wrong shape with 400 validation_error', async () => {
    // The whole body is wrong, not the message's `body` field: no field is named.
    expect(expectError(await raw('[]'), 400, 'validation_error').field).toBeUndefined();
    expectError(await raw('"hello"'), 400, 'validation_error');
    expectError(await raw('null'), 400, 'validation_error');
  });

  it('answers an unknown route with 404 in the error shape, with or without a key', async () => {
    expectError(await api.get('/v1/nope'), 404, 'not_found');
    expectError(await apiClient(h.app, null).get('/v1/nothing/here'), 404, 'not_found');
    // Outside /v1, /docs and /healthz a GET is a page of the web app (static.ts); other methods are not.
    expectError(await apiClient(h.app, null).post('/nothing/here'), 404, 'not_found');
    expectError(await api.request('PUT', '/v1/messages', {}), 404, 'not_found');
  });

  it('answers a malformed or over-long path parameter with 400 in the error shape', async () => {
    expectError(await api.get(`/v1/messages/${'a'.repeat(150)}`), 400, 'validation_error');
    expectError(await api.get('/v1/messages/%E0%A4%A'), 400, 'validation_error');
    expectError(await api.get(`/v1/conversations/${'c'.repeat(101)}/messages`), 400, 'validation_error');
  });

  it('answers a body over the limit with 413', async () => {
    const before = await storedMessageCount();
    const payload = JSON.stringify({ from: BUSINESS_NUMBER, to: phone(10), body: 'a'.repeat(BODY_LIMIT) });
    expectError(await raw(payload), 413, 'payload_too_large');
    expect(await storedMessageCount()).toBe(before);
    // Just under the limit is fine.
    const fits = await raw(JSON.stringify({ from: BUSINESS_NUMBER, to: phone(10), body: 'a'.repeat(1500) }));
    expect(fits.statusCode).toBe(201);
  });

  it('answers a content-type other than JSON with 415', async () => {
    expectError(await raw('from=%2B12015550100&to=%2B12015550110&body=hi', 'application/x-www-form-urlencoded'), 415, 'unsupported_media_type');
    expectError(await raw('hello', 'text/plain'), 415, 'unsupported_media_type');
    expectError(
      await raw(JSON.stringify({ body: 'Hi' }), 'text/plain', '/v1/messages/preview'),
      415,
      'unsupported_media_type',
    );
  });

  it('accepts JSON with a charset parameter', async () => {
    const response = await raw(JSON.stringify({ body: 'Hi' }), 'application/json; charset=utf-8', '/v1/messages/preview');
    expect(response.statusCode).toBe(200);
  });

  it('reports a validation error with its field in the error shape', async () => {
    const error = expectError(
      await api.post('/v1/messages', { from: BUSINESS_NUMBER, to: phone(11) }),
      400,
      'validation_error',
      'body',
    );
    expect(error.message).toMatch(/body/);
  });

  it('answers /healthz with 503 store_unavailable when the store is unreachable', async () => {
    const ping = vi.spyOn(h.t.ctx.db, 'ping').mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    try {
      expectError(await apiClient(h.app, null).get('/healthz'), 503, 'store_unavailable');
    } finally {
      ping.mockRestore();
    }
    expect((await apiClient(h.app, null).get('/healthz')).statusCode).toBe(200);
  });

  it.runIf(kind === 'postgres')('keeps serving after PostgreSQL drops its idle connections', async () => {
    for (let i = 0; i < 3; i++) expect((await api.get('/v1/conversations')).statusCode).toBe(200);
    const admin = new pg.Client({ connectionString: h.t.ctx.config.databaseUrl ?? '' });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      expect(rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await apiClient(h.app, null).get('/healthz')).statusCode).toBe(200);
    expect((await api.get('/v1/conversations')).statusCode).toBe(200);
  });

  it('answers an unexpected failure with 500 internal_error, without leaking its details', async () => {
    const find = vi
      .spyOn(h.t.ctx.db.repos.messages, 'findInWorkspace')
      .mockRejectedValueOnce(new Error('relation "secret_table" does not exist'));
    try {
      const error = expectError(await api.get('/v1/messages/some-id'), 500, 'internal_error');
      expect(error.message).not.toContain('secret_table');
    } finally {
      find.mockRestore();
    }
  });

  it('serves the API docs at /docs and the OpenAPI document at /docs/json', async () => {
    const anonymous = apiClient(h.app, null);
    const docs = await anonymous.get('/docs');
    expect([200, 301, 302]).toContain(docs.statusCode);
    if (docs.statusCode !== 200) {
      const location = String(docs.headers.location ?? '');
      const target = location.startsWith('/') ? location : `/docs/${location.replace(/^\.\//, '')}`;
      expect((await anonymous.get(target)).statusCode).toBe(200);
    }

    const spec = await anonymous.get('/docs/json');
    expect(spec.statusCode).toBe(200);
    const document = spec.json<OpenApiJson>();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.paths['/v1/messages']?.post).toBeDefined();
    expect(document.paths['/v1/messages']?.post?.requestBody).toBeDefined();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/messages/{id}', '/v1/conversations', '/v1/carriers', '/v1/numbers', '/healthz']),
    );
  });
});
