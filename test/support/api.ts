import type { Static } from '@sinclair/typebox';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Clock } from '../../src/domain/ports.js';
import { buildServer, type ParleyApp } from '../../src/http/server.js';
import type {
  CarrierSchema,
  ContactSchema,
  ConversationSchema,
  MessageSchema,
  NumberSchema,
} from '../../src/http/schemas.js';
import { SendWorker } from '../../src/workers/send-worker.js';
import { seedWorkspace, type SeededWorkspace } from './fixtures.js';
import { createTestContext, type StoreKind, type TestContext } from './test-context.js';

export type MessageJson = Static<typeof MessageSchema>;
export type ConversationJson = Static<typeof ConversationSchema>;
export type ContactJson = Static<typeof ContactSchema>;
export type CarrierJson = Static<typeof CarrierSchema>;
export type NumberJson = Static<typeof NumberSchema>;
export interface PageJson<T> {
  data: T[];
  nextCursor: string | null;
}
export interface ErrorJson {
  error: { code: string; message: string; field?: string };
}

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';

/** `app.inject()` with a bearer key, for one workspace. */
export interface ApiClient {
  readonly app: ParleyApp;
  readonly apiKey: string | null;
  request(method: Method, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export function apiClient(app: ParleyApp, apiKey: string | null): ApiClient {
  const request = (
    method: Method,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> => {
    const options: InjectOptions = {
      method,
      url,
      headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers },
    };
    if (body !== undefined) options.payload = body as InjectOptions['payload'];
    return app.inject(options);
  };
  return {
    app,
    apiKey,
    request,
    get: (url, headers) => request('GET', url, undefined, headers),
    post: (url, body, headers) => request('POST', url, body ?? {}, headers),
    delete: (url, headers) => request('DELETE', url, undefined, headers),
  };
}

/** A server over a fresh store of `kind`, with one seeded workspace and a client for its key. */
export interface ApiHarness {
  t: TestContext;
  app: ParleyApp;
  seeded: SeededWorkspace;
  api: ApiClient;
  /** A second workspace, for "a key only ever sees its own workspace". */
  addWorkspace(options: Parameters<typeof seedWorkspace>[1]): Promise<{ seeded: SeededWorkspace; api: ApiClient }>;
  /** Runs the send worker until nothing is due or in flight. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function createApiHarness(
  kind: StoreKind,
  options: { config?: Partial<Config>; seed?: Parameters<typeof seedWorkspace>[1]; clock?: Clock } = {},
): Promise<ApiHarness> {
  const t = await createTestContext(kind, options.config ?? {}, options.clock ? { clock: options.clock } : {});
  const app = await buildServer(t.ctx);
  await app.ready();
  const seeded = await seedWorkspace(t.ctx, options.seed);
  const worker = new SendWorker(t.ctx);
  return {
    t,
    app,
    seeded,
    api: apiClient(app, seeded.apiKey),
    addWorkspace: async (seedOptions) => {
      const other = await seedWorkspace(t.ctx, seedOptions);
      return { seeded: other, api: apiClient(app, other.apiKey) };
    },
    drain: () => worker.drain(),
    close: async () => {
      await worker.stop();
      await app.close();
      await t.cleanup();
    },
  };
}

/** Asserts the one error shape, {"error":{"code","message","field?"}}, and its status. */
export function expectError(
  response: LightMyRequestResponse,
  status: number,
  code: string,
  field?: string,
): ErrorJson['error'] {
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json<ErrorJson>();
  expect({ status: response.statusCode, code: body.error?.code }).toEqual({ status, code });
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  for (const key of Object.keys(body.error)) expect(['code', 'message', 'field']).toContain(key);
  if (field !== undefined) expect(body.error.field).toBe(field);
  return body.error;
}

/** Fictional North American numbers (555-01xx): `phone(23)` is +12015550123. */
export function phone(suffix: number): string {
  if (!Number.isInteger(suffix) || suffix < 0 || suffix > 99) throw new Error(`no fictional number for ${suffix}`);
  return `+120155501${String(suffix).padStart(2, '0')}`;
}

/** Every message of a conversation, oldest first, walking all pages. */
export async function threadOf(api: ApiClient, conversationId: string): Promise<MessageJson[]> {
  const all: MessageJson[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : '?limit=200';
    const response = await api.get(`/v1/conversations/${conversationId}/messages${query}`);
    expect(response.statusCode).toBe(200);
    const page = response.json<PageJson<MessageJson>>();
    all.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
