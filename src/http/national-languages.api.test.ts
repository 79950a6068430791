import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER, CUSTOMER } from '../../test/support/fixtures.js';
import { createApiHarness, expectError, type ApiClient, type ApiHarness, type CarrierJson } from '../../test/support/api.js';

// ğ, ş and ı are not in the default GSM alphabet; Turkish shift tables carry them.
const TURKISH = 'Yarın saat 15:00 randevunuz var. Görüşmek üzere, teşekkürler! İptal için İPTAL yazın.';

describe.each(STORES)('national shift tables per carrier on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
  });
  afterAll(async () => h?.close());

  it('counts a Turkish text as GSM-7 on a carrier that opted in, UCS-2 elsewhere', async () => {
    const carrier = await api.post('/v1/carriers', { type: 'simulator', name: 'TR', nationalLanguages: ['turkish'] });
    expect(carrier.statusCode).toBe(201);
    const number = await api.post('/v1/numbers', { phoneNumber: '+12015550177', carrierId: carrier.json<CarrierJson>().id });
    expect(number.statusCode).toBe(201);

    const withTables = await api.post('/v1/messages', { from: '+12015550177', to: CUSTOMER, body: TURKISH });
    const without = await api.post('/v1/messages', { from: BUSINESS_NUMBER, to: CUSTOMER, body: TURKISH });
    expect(withTables.json<{ encoding: string; segments: number }>()).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(without.json<{ encoding: string; segments: number }>()).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('applies the carrier setting to every row of a batch', async () => {
    const carrier = await api.post('/v1/carriers', { type: 'simulator', name: 'TR2', nationalLanguages: ['turkish'] });
    await api.post('/v1/numbers', { phoneNumber: '+12015550178', carrierId: carrier.json<CarrierJson>().id });
    const batch = await api.post('/v1/messages/batch', {
      from: '+12015550178',
      body: TURKISH,
      recipients: [{ to: '+12015550131' }, { to: '+12015550132' }],
    });
    const ids = batch.json<{ results: Array<{ id: string }> }>().results.map((r) => r.id);
    for (const id of ids) {
      expect((await api.get(`/v1/messages/${id}`)).json<{ encoding: string }>().encoding).toBe('GSM-7');
    }
  });

  it('refuses an unknown national language, naming the setting', async () => {
    const response = await api.post('/v1/carriers', { type: 'simulator', name: 'bad', nationalLanguages: ['klingon'] });
    expect(expectError(response, 400, 'validation_error').field).toMatch(/^nationalLanguages/);
  });
});
