import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, createTestContext, type StoreKind, type TestContext } from '../../test/support/test-context.js';
import { expectError, type ErrorJson } from '../../test/support/api.js';
import type { Config } from '../config.js';
import type { Clock } from '../domain/ports.js';
import { buildServer, type ParleyApp } from './server.js';
import { hashToken } from '../app/secrets.js';

interface UserJson {
  id: string;
  name: string;
  email: string;
  role: 'owner' | 'admin' | 'agent';
  createdAt: string;
}
interface SignedInJson {
  user: UserJson;
  workspace: { id: string; name: string };
  csrfToken: string;
}
interface InviteJson {
  token: string;
  url: string;
  expiresAt: string;
}

const DAY = 24 * 3600 * 1000;

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  private at = Date.parse('2026-03-02T15:00:00.000Z');
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** One browser: keeps the session cookie it was given and sends the CSRF token on writes. */
class Browser {
  cookie: string | null = null;
  csrfToken: string | null = null;

  constructor(
    private readonly app: ParleyApp,
    private readonly remoteAddress = '127.0.0.1',
  ) {}

  async request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    options: { csrf?: string | false; headers?: Record<string, string> } = {},
  ): Promise<LightMyRequestResponse> {
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    const inject: InjectOptions = {
      method,
      url,
      remoteAddress: this.remoteAddress,
      headers: {
        ...(this.cookie ? { cookie: `parley_session=${this.cookie}` } : {}),
        ...(method !== 'GET' && csrf ? { 'x-csrf-token': csrf } : {}),
        ...(options.headers ?? {}),
      },
    };
    if (body !== undefined) inject.payload = body as InjectOptions['payload'];
    const response = await this.app.inject(inject);
    const set = sessionCookieOf(response);
    if (set) this.cookie = set.value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(set.raw) ? null : set.value;
    if ((response.statusCode === 200 || response.statusCode === 201) && method !== 'GET' && url.match(/\/v1\/(setup|session|invites\/[^/]+\/accept)$/)) {
      this.csrfToken = response.json<SignedInJson>().csrfToken;
    }
    return response;
  }

  get(url: string, options?: { headers?: Record<string, string> }) {
    return this.request('GET', url, undefined, options);
  }
  post(url: string, body: unknown = {}, options?: { csrf?: string | false; headers?: Record<string, string> }) {
    return this.request('POST', url, body, options);
  }

  async signIn(email: string, password: string): Promise<LightMyRequestResponse> {
    return this.post('/v1/session', { email, password });
  }
}

function sessionCookieOf(response: LightMyRequestResponse): { raw: string; value: string } | null {
  const header = response.headers['set-cookie'];
  const all = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const raw = all.find((line) => line.startsWith('parley_session='));
  if (!raw) return null;
  return { raw, value: raw.slice('parley_session='.length).split(';')[0] ?? '' };
}

const OWNER = { workspaceName: 'Acme Dental', name: 'Olivia Owner', email: 'olivia@acme.test', password: 'correct horse battery' };

async function server(kind: StoreKind, clock: Clock, config: Partial<Config> = {}): Promise<{ t: TestContext; app: ParleyApp }> {
  const webDistDir = config.webDistDir ?? path.join(os.tmpdir(), 'parley-no-web-dist');
  const t = await createTestContext(kind, { webDistDir, ...config }, { clock });
  const app = await buildServer(t.ctx);
  await app.ready();
  return { t, app };
}

describe.each(STORES)('first run, sessions and invites on %s', (kind) => {
  const clock = new ManualClock();
  let t: TestContext;
  let app: ParleyApp;
  let owner: Browser;
  let setup: SignedInJson;

  beforeAll(async () => {
    ({ t, app } = await server(kind, clock));
    owner = new Browser(app);
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('says setup is needed on a fresh install, refuses a bad setup, and sets up once', async () => {
    const anonymous = new Browser(app);
    expect((await anonymous.get('/v1/setup')).json()).toEqual({ needed: true });
    expectError(await anonymous.post('/v1/setup', { ...OWNER, plan: 'pro' }), 400, 'validation_error', 'plan');
    expectError(await anonymous.post('/v1/setup', { ...OWNER, password: 'short' }), 400, 'validation_error', 'password');
    expectError(await anonymous.post('/v1/setup', { ...OWNER, email: 'not-an-email' }), 400, 'validation_error', 'email');
    expect((await anonymous.get('/v1/setup')).json()).toEqual({ needed: true });

    const response = await owner.post('/v1/setup', OWNER);
    expect(response.statusCode).toBe(201);
    setup = response.json<SignedInJson>();
    expect(setup.user).toMatchObject({ name: 'Olivia Owner', email: 'olivia@acme.test', role: 'owner' });
    expect(setup.workspace.name).toBe('Acme Dental');
    expect(setup.csrfToken.length).toBeGreaterThanOrEqual(40);
    expect(owner.cookie).not.toBeNull();

    expect((await anonymous.get('/v1/setup')).json()).toEqual({ needed: false });
    expectError(await anonymous.post('/v1/setup', { ...OWNER, email: 'mallory@evil.test' }), 409, 'conflict');
    expect(await t.ctx.db.repos.workspaces.count()).toBe(1);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP', async () => {
    const response = await new Browser(app).signIn(OWNER.email, OWNER.password);
    const cookie = sessionCookieOf(response);
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie?.raw).toMatch(/; HttpOnly/);
    expect(cookie?.raw).toMatch(/; SameSite=Strict/);
    expect(cookie?.raw).toMatch(/; Path=\//);
    expect(cookie?.raw).toMatch(new RegExp(`; Max-Age=${30 * 24 * 3600}`));
    expect(cookie?.raw).not.toMatch(/Secure/);
  });

  it('stores only a hash of the session token', async () => {
    expect(await t.ctx.db.repos.sessions.findWithUser(owner.cookie ?? '')).toBeNull();
    const found = await t.ctx.db.repos.sessions.findWithUser(hashToken(owner.cookie ?? ''));
    expect(found?.user.email).toBe(OWNER.email);
    expect(found?.session.csrfToken).toBe(setup.csrfToken);
  });

  it('creates a simulator carrier and the demo number, and leaves no unseen API key', async () => {
    const numbers = await owner.get('/v1/numbers');
    expect(numbers.statusCode).toBe(200);
    expect(numbers.json<{ data: { phoneNumber: string }[] }>().data.map((n) => n.phoneNumber)).toEqual(['+12015550100']);
    const keys = await owner.get('/v1/api-keys');
    expect(keys.json<{ data: unknown[] }>().data).toEqual([]);
  });

  it('answers GET /v1/session with the user, workspace and CSRF token; 401 without a session', async () => {
    const response = await owner.get('/v1/session');
    expect(response.statusCode).toBe(200);
    expect(response.json<SignedInJson>()).toEqual(setup);
    expectError(await new Browser(app).get('/v1/session'), 401, 'unauthorized');
    const forged = new Browser(app);
    forged.cookie = 'A'.repeat(43);
    const refused = await forged.get('/v1/session');
    expectError(refused, 401, 'unauthorized');
    expect(sessionCookieOf(refused)?.value).toBe('');
  });

  it('refuses a cookie-authenticated write without the CSRF token or with a wrong one, and accepts the right one', async () => {
    const missing = expectError(await owner.post('/v1/api-keys', { name: 'zapier' }, { csrf: false }), 403, 'forbidden');
    expect(missing.message).toMatch(/x-csrf-token/);
    expectError(await owner.post('/v1/api-keys', { name: 'zapier' }, { csrf: 'x'.repeat(43) }), 403, 'forbidden');
    expectError(await owner.post('/v1/api-keys', { name: 'zapier' }, { csrf: `${setup.csrfToken}x` }), 403, 'forbidden');
    expectError(await owner.request('PATCH', '/v1/workspace', { smartEncoding: true }, { csrf: false }), 403, 'forbidden');
    expect(await t.ctx.db.repos.apiKeys.listForWorkspace(setup.workspace.id)).toEqual([]);

    const created = await owner.post('/v1/api-keys', { name: 'zapier' });
    expect(created.statusCode).toBe(201);
    // Reads need no token.
    expect((await owner.get('/v1/conversations')).statusCode).toBe(200);
  });

  it('still takes API keys, without a CSRF token; an API key has no session', async () => {
    const created = await owner.post('/v1/api-keys', { name: 'crm' });
    const { apiKey } = created.json<{ apiKey: string }>();
    const withKey = { authorization: `Bearer ${apiKey}` };
    const program = new Browser(app);
    expect((await program.get('/v1/conversations', { headers: withKey })).statusCode).toBe(200);
    expect((await program.post('/v1/api-keys', { name: 'from a program' }, { headers: withKey })).statusCode).toBe(201);
    expectError(await program.get('/v1/session', { headers: withKey }), 401, 'unauthorized');
    // The header decides when both are sent: a bad key is refused even with a good cookie.
    expectError(await owner.get('/v1/conversations', { headers: { authorization: 'Bearer pk_nope' } }), 401, 'unauthorized');
    const users = await program.get('/v1/users', { headers: withKey });
    expect(users.json<{ data: UserJson[] }>().data.map((u) => u.email)).toEqual([OWNER.email]);
  });

  it('lets an invited agent join once, and keeps agents off admin routes', async () => {
    const created = await owner.post('/v1/invites', { role: 'agent' });
    expect(created.statusCode).toBe(201);
    const invite = created.json<InviteJson>();
    expect(invite.url).toBe(`/invite/${invite.token}`);
    expect(Date.parse(invite.expiresAt) - clock.now().getTime()).toBe(7 * DAY);
    expectError(await owner.post('/v1/invites', { role: 'owner' }), 400, 'validation_error', 'role');

    const agent = new Browser(app);
    const person = { name: 'Alex Agent', email: 'Alex@Acme.test', password: 'agent password' };
    expectError(await agent.post(`/v1/invites/${invite.token}/accept`, { ...person, role: 'admin' }), 400, 'validation_error', 'role');
    const joined = await agent.post(`/v1/invites/${invite.token}/accept`, person);
    expect(joined.statusCode).toBe(201);
    expect(joined.json<SignedInJson>().user).toMatchObject({ name: 'Alex Agent', email: 'alex@acme.test', role: 'agent' });
    expect(joined.json<SignedInJson>().workspace.id).toBe(setup.workspace.id);
    expect(agent.cookie).not.toBeNull();
    expectError(
      await new Browser(app).post(`/v1/invites/${invite.token}/accept`, { ...person, email: 'eve@acme.test' }),
      404,
      'not_found',
    );

    expect((await agent.get('/v1/conversations')).statusCode).toBe(200);
    const team = await agent.get('/v1/users');
    expect(team.json<{ data: UserJson[] }>().data.map((u) => [u.email, u.role])).toEqual([
      [OWNER.email, 'owner'],
      ['alex@acme.test', 'agent'],
    ]);
    expectError(await agent.post('/v1/invites', { role: 'agent' }), 403, 'forbidden');
    expectError(await agent.post('/v1/api-keys', { name: 'mine' }), 403, 'forbidden');
    expectError(await agent.get('/v1/api-keys'), 403, 'forbidden');
    expectError(await agent.request('PATCH', '/v1/workspace', { smartEncoding: true }), 403, 'forbidden');
    expectError(await agent.get('/v1/audit-log'), 403, 'forbidden');
    expect((await owner.request('PATCH', '/v1/workspace', { smartEncoding: true })).statusCode).toBe(200);
  });

  it('makes an invited admin an admin', async () => {
    const invite = (await owner.post('/v1/invites', { role: 'admin' })).json<InviteJson>();
    const admin = new Browser(app);
    const joined = await admin.post(`/v1/invites/${invite.token}/accept`, { name: 'Ada Admin', email: 'ada@acme.test', password: 'admin password' });
    expect(joined.json<SignedInJson>().user.role).toBe('admin');
    expect((await admin.post('/v1/invites', { role: 'agent' })).statusCode).toBe(201);
  });

  it('leaves an invite usable when the email is taken, and refuses it once expired', async () => {
    const invite = (await owner.post('/v1/invites', { role: 'agent' })).json<InviteJson>();
    const taken = await new Browser(app).post(`/v1/invites/${invite.token}/accept`, { name: 'Dup', email: OWNER.email, password: 'whatever123' });
    expectError(taken, 409, 'already_exists', 'email');

    clock.advance(7 * DAY + 1000);
    expectError(
      await new Browser(app).post(`/v1/invites/${invite.token}/accept`, { name: 'Late', email: 'late@acme.test', password: 'whatever123' }),
      404,
      'not_found',
    );
    expectError(await new Browser(app).post('/v1/invites/not-a-token/accept', { name: 'X', email: 'x@acme.test', password: 'whatever123' }), 404, 'not_found');
  });

  it('answers an unknown email and a wrong password alike', async () => {
    const browser = new Browser(app, '10.0.0.1');
    const wrong = expectError(await browser.signIn(OWNER.email, 'wrong password'), 401, 'unauthorized');
    const unknown = expectError(await browser.signIn('nobody@acme.test', 'wrong password'), 401, 'unauthorized');
    expect(unknown.message).toBe(wrong.message);
    expect(browser.cookie).toBeNull();
    expectError(await browser.post('/v1/session', { email: OWNER.email, password: OWNER.password, remember: true }), 400, 'validation_error');
    const signedIn = await browser.signIn(` ${OWNER.email.toUpperCase()} `, OWNER.password);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json<SignedInJson>().user.email).toBe(OWNER.email);
    expect(signedIn.json<SignedInJson>().csrfToken).not.toBe(setup.csrfToken);
  });

  it('refuses sign-in for 15 minutes after 5 failures from one address, and a success resets the count', async () => {
    const attacker = new Browser(app, '10.0.0.66');
    for (let i = 0; i < 5; i++) expectError(await attacker.signIn(OWNER.email, `guess ${i}`), 401, 'unauthorized');
    // Even the right password is refused now.
    const limited = await attacker.signIn(OWNER.email, OWNER.password);
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // Another address, or another email from the same address, is not affected.
    expect((await new Browser(app, '10.0.0.67').signIn(OWNER.email, OWNER.password)).statusCode).toBe(200);
    expectError(await attacker.signIn('ada@acme.test', 'guess'), 401, 'unauthorized');

    clock.advance(15 * 60 * 1000 + 1000);
    expect((await attacker.signIn(OWNER.email, OWNER.password)).statusCode).toBe(200);

    const forgetful = new Browser(app, '10.0.0.68');
    for (let i = 0; i < 4; i++) expectError(await forgetful.signIn(OWNER.email, `typo ${i}`), 401, 'unauthorized');
    expect((await forgetful.signIn(OWNER.email, OWNER.password)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expectError(await forgetful.signIn(OWNER.email, `typo ${i}`), 401, 'unauthorized');
    expect((await forgetful.signIn(OWNER.email, OWNER.password)).statusCode).toBe(200);
  });

  it('slides the session for 30 days from the last use, touching it at most once a minute, then ends it', async () => {
    const browser = new Browser(app);
    await browser.signIn(OWNER.email, OWNER.password);
    const token = browser.cookie;

    clock.advance(30 * 1000);
    const soon = await browser.get('/v1/session');
    expect(soon.statusCode).toBe(200);
    expect(sessionCookieOf(soon)).toBeNull();

    clock.advance(29 * DAY);
    const later = await browser.get('/v1/session');
    expect(later.statusCode).toBe(200);
    expect(sessionCookieOf(later)?.value).toBe(token);

    clock.advance(29 * DAY);
    expect((await browser.get('/v1/conversations')).statusCode).toBe(200);

    clock.advance(30 * DAY + 1000);
    expectError(await browser.get('/v1/conversations'), 401, 'unauthorized');
    expect(browser.cookie).toBeNull();
  });

  it('signs out: CSRF token required, session deleted, cookie cleared; signing out again is harmless', async () => {
    const browser = new Browser(app);
    await browser.signIn(OWNER.email, OWNER.password);
    const token = browser.cookie;
    expectError(await browser.request('DELETE', '/v1/session', undefined, { csrf: false }), 403, 'forbidden');
    expect((await browser.get('/v1/session')).statusCode).toBe(200);

    const out = await browser.request('DELETE', '/v1/session');
    expect(out.statusCode).toBe(204);
    expect(sessionCookieOf(out)?.value).toBe('');
    const stale = new Browser(app);
    stale.cookie = token;
    expectError(await stale.get('/v1/session'), 401, 'unauthorized');
    expect((await new Browser(app).request('DELETE', '/v1/session')).statusCode).toBe(204);
  });

  it('streams events to a signed-in browser (EventSource sends the cookie, not headers)', async () => {
    const browser = new Browser(app);
    await browser.signIn(OWNER.email, OWNER.password);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const controller = new AbortController();
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
        headers: { cookie: `parley_session=${browser.cookie}` },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = response.body?.getReader();
      const first = await reader?.read();
      expect(new TextDecoder().decode(first?.value)).toContain(`connected to ${setup.workspace.id}`);
      const anonymous = await fetch(`http://127.0.0.1:${port}/v1/events`);
      expect(anonymous.status).toBe(401);
      expect((await anonymous.json()) as ErrorJson).toMatchObject({ error: { code: 'unauthorized' } });
    } finally {
      controller.abort();
    }
  });
});

describe.each(STORES)('two setups at once on %s', (kind) => {
  let t: TestContext;
  let app: ParleyApp;
  beforeAll(async () => {
    ({ t, app } = await server(kind, new ManualClock()));
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('lets exactly one of them create the workspace', async () => {
    const [a, b] = await Promise.all([
      new Browser(app).post('/v1/setup', OWNER),
      new Browser(app).post('/v1/setup', { ...OWNER, workspaceName: 'Rival', email: 'rival@acme.test' }),
    ]);
    expect([a?.statusCode, b?.statusCode].sort()).toEqual([201, 409]);
    expect(await t.ctx.db.repos.workspaces.count()).toBe(1);
  });
});

describe.each(STORES)('secure cookies on %s', (kind) => {
  let t: TestContext;
  let app: ParleyApp;
  beforeAll(async () => {
    ({ t, app } = await server(kind, new ManualClock(), { secureCookies: true }));
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('marks the cookie Secure when PARLEY_SECURE_COOKIES=true', async () => {
    const response = await new Browser(app).post('/v1/setup', OWNER);
    expect(response.statusCode).toBe(201);
    expect(sessionCookieOf(response)?.raw).toMatch(/; Secure/);
  });
});

describe('serving the web app', () => {
  let t: TestContext;
  let app: ParleyApp;
  let dist: string;

  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-dist-'));
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Parley inbox</title><div id="root"></div>');
    fs.writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log("inbox")');
    fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    fs.writeFileSync(path.join(dist, '.env'), 'SECRET=1');
    ({ t, app } = await server('sqlite', new ManualClock(), { webDistDir: dist }));
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  const expectApp = (response: LightMyRequestResponse): void => {
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('Parley inbox');
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
    );
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('same-origin');
    expect(response.headers['cache-control']).toBe('no-cache');
  };

  it('serves index.html at / and for the app’s own routes', async () => {
    expectApp(await app.inject({ method: 'GET', url: '/' }));
    expectApp(await app.inject({ method: 'GET', url: '/index.html' }));
    expectApp(await app.inject({ method: 'GET', url: '/conversations/0193a2b4-5c6d?view=mine' }));
    expectApp(await app.inject({ method: 'GET', url: '/invite/abcDEF_123-xyz' }));
    expectApp(await app.inject({ method: 'GET', url: '/setup' }));
  });

  it('serves the files, bundles cached for good', async () => {
    const script = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).headers['content-type']).toMatch(/^image\/svg/);
    expectError(await app.inject({ method: 'GET', url: '/assets/index-gone.js' }), 404, 'not_found');
  });

  it('never serves dotfiles or anything outside the directory', async () => {
    const env = await app.inject({ method: 'GET', url: '/.env' });
    expect(env.body).not.toContain('SECRET');
    const escape = await app.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' });
    expect(escape.body).not.toContain('root:');
  });

  it('leaves the API, docs and health check alone', async () => {
    expectError(await app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'not_found');
    expectError(await app.inject({ method: 'GET', url: '/v1' }), 404, 'not_found');
    expectError(await app.inject({ method: 'POST', url: '/somewhere' }), 404, 'not_found');
    expectError(await app.inject({ method: 'GET', url: '/v1/conversations' }), 401, 'unauthorized');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'ok' });
    const docs = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    expect(docs.json<{ paths: Record<string, unknown> }>().paths['/v1/session']).toBeDefined();
  });
});

describe('when the web app is not built', () => {
  let t: TestContext;
  let app: ParleyApp;

  beforeAll(async () => {
    ({ t, app } = await server('sqlite', new ManualClock(), { webDistDir: path.join(os.tmpdir(), 'parley-nothing-built-here') }));
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('answers / and app routes with a page that says how to build it', async () => {
    for (const url of ['/', '/conversations/abc', '/invite/xyz']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('npm run build:web');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    expectError(await app.inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'not_found');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
