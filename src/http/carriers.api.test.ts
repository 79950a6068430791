import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { BUSINESS_NUMBER } from '../../test/support/fixtures.js';
import {
  createApiHarness,
  expectError,
  phone,
  type ApiClient,
  type ApiHarness,
  type CarrierJson,
  type NumberJson,
} from '../../test/support/api.js';

describe.each(STORES)('carriers and numbers API on %s', (kind) => {
  let h: ApiHarness;
  let api: ApiClient;

  beforeAll(async () => {
    h = await createApiHarness(kind);
    api = h.api;
  });
  afterAll(async () => h?.close());

  describe('POST /v1/carriers', () => {
    it('creates a simulator carrier with its settings flat in the body', async () => {
      const response = await api.post('/v1/carriers', {
        type: 'simulator',
        name: 'Test network',
        deliveryDelayMs: 50,
        failureRate: 0.25,
      });
      expect(response.statusCode).toBe(201);
      const carrier = response.json<CarrierJson>();
      expect(carrier).toMatchObject({
        id: expect.any(String),
        type: 'simulator',
        name: 'Test network',
        status: expect.any(String),
        settings: { deliveryDelayMs: 50, failureRate: 0.25 },
      });

      const fetched = await api.get(`/v1/carriers/${carrier.id}`);
      expect(fetched.statusCode).toBe(200);
      expect(fetched.json<CarrierJson>()).toMatchObject({
        id: carrier.id,
        type: 'simulator',
        name: 'Test network',
        status: carrier.status,
      });
      expect(['ready', 'bound', 'connecting', 'down']).toContain(fetched.json<CarrierJson>().status);

      const list = await api.get('/v1/carriers');
      expect(list.json<{ data: CarrierJson[] }>().data.map((c) => c.id)).toContain(carrier.id);
    });

    it('refuses a bad setting with 400 naming the field', async () => {
      expectError(
        await api.post('/v1/carriers', { type: 'simulator', name: 'bad', failureRate: 2 }),
        400,
        'validation_error',
        'failureRate',
      );
      expectError(
        await api.post('/v1/carriers', { type: 'simulator', name: 'bad', deliveryDelayMs: 'soon' }),
        400,
        'validation_error',
        'deliveryDelayMs',
      );
      expectError(
        await api.post('/v1/carriers', { type: 'simulator', name: 'bad', colour: 'blue' }),
        400,
        'validation_error',
        'colour',
      );
    });

    it('refuses an unknown type with 422 carrier_type_unsupported', async () => {
      expectError(
        await api.post('/v1/carriers', { type: 'carrier-pigeon', name: 'coo' }),
        422,
        'carrier_type_unsupported',
        'type',
      );
    });

    it('refuses a missing or blank name', async () => {
      expectError(await api.post('/v1/carriers', { type: 'simulator' }), 400, 'validation_error', 'name');
      expectError(await api.post('/v1/carriers', { type: 'simulator', name: '   ' }), 400, 'validation_error', 'name');
      expectError(await api.post('/v1/carriers', { type: 7, name: 'x' }), 400, 'validation_error', 'type');
    });

    it('stores nothing when refused', async () => {
      const before = (await api.get('/v1/carriers')).json<{ data: CarrierJson[] }>().data.length;
      await api.post('/v1/carriers', { type: 'simulator', name: 'bad', failureRate: -1 });
      await api.post('/v1/carriers', { type: 'nope', name: 'bad' });
      expect((await api.get('/v1/carriers')).json<{ data: CarrierJson[] }>().data).toHaveLength(before);
    });

    it('answers 404 for an unknown carrier', async () => {
      expectError(await api.get('/v1/carriers/00000000-0000-7000-8000-000000000000'), 404, 'not_found');
    });
  });

  describe('POST /v1/numbers', () => {
    it('stores a national number as E.164', async () => {
      const response = await api.post('/v1/numbers', { phoneNumber: '(201) 555-0150', carrierId: h.seeded.carrierId });
      expect(response.statusCode).toBe(201);
      const number = response.json<NumberJson>();
      expect(number).toMatchObject({
        id: expect.any(String),
        phoneNumber: phone(50),
        carrierId: h.seeded.carrierId,
        kind: 'long_code',
      });
      const fetched = await api.get(`/v1/numbers/${number.id}`);
      expect(fetched.statusCode).toBe(200);
      expect(fetched.json<NumberJson>()).toEqual(number);
      expect((await api.get('/v1/numbers')).json<{ data: NumberJson[] }>().data.map((n) => n.phoneNumber)).toEqual(
        expect.arrayContaining([BUSINESS_NUMBER, phone(50)]),
      );
    });

    it('accepts kind and mps, and keeps a short code as digits', async () => {
      const tollFree = await api.post('/v1/numbers', {
        phoneNumber: '+1 201 555 0151',
        carrierId: h.seeded.carrierId,
        kind: 'toll_free',
        mps: 25,
      });
      expect(tollFree.statusCode).toBe(201);
      expect(tollFree.json<NumberJson>()).toMatchObject({ phoneNumber: phone(51), kind: 'toll_free', mps: 25 });

      const shortCode = await api.post('/v1/numbers', { phoneNumber: '87654', carrierId: h.seeded.carrierId });
      expect(shortCode.statusCode).toBe(201);
      expect(shortCode.json<NumberJson>()).toMatchObject({ phoneNumber: '87654', kind: 'short_code' });
    });

    it('refuses an invalid number with 400 invalid_number naming phoneNumber', async () => {
      for (const phoneNumber of ['555-1234', '+1 200 555 0100', 'call me']) {
        expectError(
          await api.post('/v1/numbers', { phoneNumber, carrierId: h.seeded.carrierId }),
          400,
          'invalid_number',
          'phoneNumber',
        );
      }
    });

    it('refuses a duplicate with 409, in any written form', async () => {
      const first = await api.post('/v1/numbers', { phoneNumber: phone(52), carrierId: h.seeded.carrierId });
      expect(first.statusCode).toBe(201);
      expectError(
        await api.post('/v1/numbers', { phoneNumber: phone(52), carrierId: h.seeded.carrierId }),
        409,
        'already_exists',
        'phoneNumber',
      );
      expectError(
        await api.post('/v1/numbers', { phoneNumber: '201-555-0152', carrierId: h.seeded.carrierId }),
        409,
        'already_exists',
      );
    });

    it("refuses another workspace's carrier with 422", async () => {
      const other = await h.addWorkspace({ name: 'Other Co', phoneNumber: phone(1) });
      expectError(
        await api.post('/v1/numbers', { phoneNumber: phone(53), carrierId: other.seeded.carrierId }),
        422,
        'carrier_not_found',
        'carrierId',
      );
      // …and a number another workspace already holds is taken.
      expectError(
        await api.post('/v1/numbers', { phoneNumber: phone(1), carrierId: h.seeded.carrierId }),
        409,
        'already_exists',
      );
    });

    it('refuses bad kind or mps', async () => {
      expectError(
        await api.post('/v1/numbers', { phoneNumber: phone(54), carrierId: h.seeded.carrierId, kind: 'landline' }),
        400,
        'validation_error',
        'kind',
      );
      expectError(
        await api.post('/v1/numbers', { phoneNumber: phone(54), carrierId: h.seeded.carrierId, mps: 0 }),
        400,
        'validation_error',
        'mps',
      );
      expectError(
        await api.post('/v1/numbers', { phoneNumber: phone(54), carrierId: h.seeded.carrierId, kind: 'short_code' }),
        400,
        'validation_error',
        'kind',
      );
    });

    it('answers 404 for an unknown number', async () => {
      expectError(await api.get('/v1/numbers/00000000-0000-7000-8000-000000000000'), 404, 'not_found');
    });
  });
});
