import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER, eventually } from '../../test/support/fixtures.js';
import { createWorkspace } from '../app/workspace.service.js';
import {
  apiClient,
  createApiHarness,
  expectError,
  phone,
  threadOf,
  type ApiClient,
  type ApiHarness,
  type MessageJson,
} from '../../test/support/api.js';

interface WorkspaceJson {
  id: string;
  name: string;
  defaultCountry: string;
  helpText: string | null;
  smartEncoding: boolean;
  createdAt: string;
}

describe.each(STORES)('workspace API on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
  });
  afterAll(async () => h?.close());

  const current = async (client = api): Promise<WorkspaceJson> => {
    const response = await client.get('/v1/workspace');
    expect(response.statusCode).toBe(200);
    return response.json<WorkspaceJson>();
  };
  const patch = (body: unknown, client = api) => client.request('PATCH', '/v1/workspace', body);

  it("GET /v1/workspace answers the key's workspace with its settings; smart encoding starts off, compliance on", async () => {
    // A workspace as `parley workspace create` makes it (the test fixture turns quiet hours off).
    const { workspace, apiKey } = await createWorkspace(h.t.ctx, { name: 'Fresh Dental' });
    expect(await current(apiClient(h.app, apiKey))).toEqual({
      id: workspace.id,
      name: 'Fresh Dental',
      defaultCountry: 'US',
      helpText: null,
      smartEncoding: false,
      unknownOutcome: 'fail',
      maxSegmentsPerSecond: null,
      brandName: null,
      supportContact: null,
      optOutReply: null,
      optInReply: null,
      optOutScope: 'workspace',
      quietHours: '08:00-21:00',
      regionQuietHours: { 'US-FL': '08:00-20:00', 'US-OK': '08:00-20:00' },
      timeZone: 'America/New_York',
      marketingCap: { max: 3, windowHours: 24, overCap: 'defer' },
      createdAt: workspace.createdAt,
    });
  });

  it('PATCH changes compliance settings one field at a time, and null restores a default', async () => {
    const changed = await patch({ brandName: 'Acme', optOutScope: 'number', quietHours: '09:00-20:00', timeZone: 'America/Chicago' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await current()).toMatchObject({ brandName: 'Acme', optOutScope: 'number', quietHours: '09:00-20:00', timeZone: 'America/Chicago', marketingCap: null });
    await patch({ brandName: null, optOutScope: 'workspace', quietHours: null, timeZone: 'America/New_York' });
    expect(await current()).toMatchObject({ brandName: null, optOutScope: 'workspace', quietHours: null });
    expectError(await patch({ optOutScope: 'galaxy' }), 400, 'validation_error');
    expectError(await patch({ optOutReply: '' }), 400, 'validation_error', 'optOutReply');
  });

  it('PATCH sets the unknown-outcome rule and the workspace send limit, and refuses bad values', async () => {
    const changed = await patch({ unknownOutcome: 'retry', maxSegmentsPerSecond: 25 });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ unknownOutcome: 'retry', maxSegmentsPerSecond: 25 });
    expect(await current()).toMatchObject({ unknownOutcome: 'retry', maxSegmentsPerSecond: 25 });
    expectError(await patch({ unknownOutcome: 'maybe' }), 400, 'validation_error');
    expectError(await patch({ maxSegmentsPerSecond: 0 }), 400, 'validation_error');
    expect(await current()).toMatchObject({ unknownOutcome: 'retry', maxSegmentsPerSecond: 25 });
    const cleared = await patch({ unknownOutcome: 'fail', maxSegmentsPerSecond: null });
    expect(cleared.json()).toMatchObject({ unknownOutcome: 'fail', maxSegmentsPerSecond: null });
  });

  it('requires an API key', async () => {
    expectError(await apiClient(h.app, null).get('/v1/workspace'), 401, 'unauthorized');
    expectError(await patch({ smartEncoding: true }, apiClient(h.app, null)), 401, 'unauthorized');
  });

  it('PATCH turns smart encoding on and off, and answers with the workspace as stored', async () => {
    const on = await patch({ smartEncoding: true });
    expect(on.statusCode).toBe(200);
    expect(on.json<WorkspaceJson>()).toMatchObject({ id: h.seeded.workspace.id, smartEncoding: true, defaultCountry: 'US' });
    expect((await current()).smartEncoding).toBe(true);

    const off = await patch({ smartEncoding: false });
    expect(off.json<WorkspaceJson>().smartEncoding).toBe(false);
    expect((await current()).smartEncoding).toBe(false);
  });

  it('changes only the fields it is given; an empty PATCH changes nothing', async () => {
    await patch({ smartEncoding: true });
    const before = await current();
    const empty = await patch({});
    expect(empty.statusCode).toBe(200);
    expect(empty.json<WorkspaceJson>()).toEqual(before);
    const helpOnly = await patch({ helpText: 'Acme: call 201-555-0199.' });
    expect(helpOnly.json<WorkspaceJson>()).toEqual({ ...before, helpText: 'Acme: call 201-555-0199.' });
    await patch({ smartEncoding: false, helpText: null });
  });

  it('sets the HELP reply, trimmed, and null restores the default', async () => {
    const set = await patch({ helpText: '  Acme Dental: call 201-555-0199. Reply STOP to opt out.  ' });
    expect(set.json<WorkspaceJson>().helpText).toBe('Acme Dental: call 201-555-0199. Reply STOP to opt out.');

    const inbound = await api.post('/v1/simulator/inbound', { from: phone(40), to: BUSINESS_NUMBER, body: 'HELP' });
    expect(inbound.statusCode).toBe(201);
    const conversationId = inbound.json<MessageJson>().conversationId;
    const reply = await eventually(async () =>
      (await threadOf(api, conversationId)).find((m) => m.direction === 'outbound'),
    );
    expect(reply.body).toBe('Acme Dental: call 201-555-0199. Reply STOP to opt out.');

    const cleared = await patch({ helpText: null });
    expect(cleared.json<WorkspaceJson>().helpText).toBeNull();
  });

  it('sets the default country national numbers are read in', async () => {
    const set = await patch({ defaultCountry: 'gb' });
    expect(set.json<WorkspaceJson>().defaultCountry).toBe('GB');
    // 020 7946 0xxx is Ofcom's range for drama: a valid London number nobody owns.
    const sent = await api.post('/v1/messages', { from: BUSINESS_NUMBER, to: '020 7946 0018', body: 'Hello' });
    expect(sent.statusCode).toBe(201);
    expect(sent.json<MessageJson>().to).toBe('+442079460018');
    await patch({ defaultCountry: 'US' });
    expect((await current()).defaultCountry).toBe('US');
  });

  it('refuses bad settings with 400 naming the field, and changes nothing', async () => {
    const before = await current();
    expectError(await patch({ smartEncoding: 'yes' }), 400, 'validation_error', 'smartEncoding');
    expectError(await patch({ smartEncoding: null }), 400, 'validation_error', 'smartEncoding');
    expectError(await patch({ defaultCountry: 'ZZ' }), 400, 'validation_error', 'defaultCountry');
    expectError(await patch({ defaultCountry: '' }), 400, 'validation_error', 'defaultCountry');
    expectError(await patch({ defaultCountry: 1 }), 400, 'validation_error', 'defaultCountry');
    expectError(await patch({ helpText: '   ' }), 400, 'validation_error', 'helpText');
    expectError(await patch({ helpText: 42 }), 400, 'validation_error', 'helpText');
    expectError(await patch({ helpText: 'x'.repeat(1601) }), 400, 'body_too_long', 'helpText');
    // A misspelt setting must not answer 200 and change nothing.
    expectError(await patch({ smartEncodng: true }), 400, 'validation_error', 'smartEncodng');
    expectError(await patch({ name: 'Renamed' }), 400, 'validation_error', 'name');
    // A valid field beside a bad one is not applied either.
    expectError(await patch({ smartEncoding: true, defaultCountry: 'ZZ' }), 400, 'validation_error', 'defaultCountry');
    expectError(await patch([]), 400, 'validation_error');
    expect(await current()).toEqual(before);
  });

  it("changes only the key's own workspace", async () => {
    const other = await h.addWorkspace({ name: 'Other Co', phoneNumber: phone(1) });
    await patch({ smartEncoding: true }, other.api);
    expect((await current(other.api)).smartEncoding).toBe(true);
    expect((await current()).smartEncoding).toBe(false);
    expect((await current(other.api)).id).toBe(other.seeded.workspace.id);
  });
});
