import { createCarrierSink } from '../app/carrier-sink.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../../test/support/test-context.js';
import { apiClient, createApiHarness, expectError, type ApiHarness, type CarrierJson } from '../../test/support/api.js';
import { recordReceipt } from '../app/record-receipt.js';
import { UNMATCHED_RECEIPT_GRACE_MS } from '../app/unmatched-receipts.js';

interface UnmatchedJson {
  data: { id: string; carrierMessageId: string; status: string; errorCode: string | null; raw: string | null; receivedAt: string }[];
  nextCursor: string | null;
  unparseable: { reason: string; raw: string; at: string }[];
}

interface OpenApiJson {
  paths: Record<string, { get?: { responses?: Record<string, unknown>; parameters?: { name: string }[] } }>;
}

describe.each(STORES)('GET /v1/carriers/:id/unmatched-receipts on %s', (kind) => {
  let h: ApiHarness;
  let carrierId: string;
  const receivedAt = new Map<string, string>();
  const minutesAgo = (minutes: number): Date => new Date(h.t.ctx.clock.now().getTime() - minutes * 60_000);

  beforeAll(async () => {
    h = await createApiHarness(kind);
    carrierId = h.seeded.carrierId;
    // Three receipts well past the grace period, naming messages Parley never sent, and one
    // just now (probably still waiting for its submit response).
    for (const [id, minutes] of [
      ['GHOST-A', 30],
      ['GHOST-B', 20],
      ['GHOST-C', 10],
    ] as const) {
      const at = minutesAgo(minutes);
      receivedAt.set(id, at.toISOString());
      await recordReceipt(h.t.ctx, {
        carrierId,
        carrierMessageId: id,
        status: 'undelivered',
        errorCode: 'unknown_subscriber',
        raw: `id:${id} stat:UNDELIV`,
        at,
      });
    }
    await recordReceipt(h.t.ctx, {
      carrierId,
      carrierMessageId: 'FRESH',
      status: 'delivered',
      errorCode: null,
      raw: null,
      at: new Date(h.t.ctx.clock.now().getTime() - UNMATCHED_RECEIPT_GRACE_MS / 2),
    });
  });
  afterAll(async () => h?.close());

  it('lists unmatched receipts past the grace period, newest first, with exactly the documented fields', async () => {
    const response = await h.api.get(`/v1/carriers/${carrierId}/unmatched-receipts`);
    expect(response.statusCode).toBe(200);
    const body = response.json<UnmatchedJson>();
    expect(body.data.map((r) => r.carrierMessageId)).toEqual(['GHOST-C', 'GHOST-B', 'GHOST-A']);
    expect(body.data[0]).toEqual({
      id: expect.any(String),
      carrierMessageId: 'GHOST-C',
      status: 'undelivered',
      errorCode: 'unknown_subscriber',
      raw: 'id:GHOST-C stat:UNDELIV',
      receivedAt: receivedAt.get('GHOST-C'),
    });
    expect(body.nextCursor).toBeNull();
    expect(body.unparseable).toEqual([]);
  });

  it('pages with limit and cursor, and narrows with before', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const response = await h.api.get(`/v1/carriers/${carrierId}/unmatched-receipts${query}`);
      expect(response.statusCode).toBe(200);
      const page = response.json<UnmatchedJson>();
      seen.push(...page.data.map((r) => r.carrierMessageId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(['GHOST-C', 'GHOST-B', 'GHOST-A']);
    expect(pages).toBe(2);

    const before = await h.api.get(
      `/v1/carriers/${carrierId}/unmatched-receipts?before=${encodeURIComponent(minutesAgo(15).toISOString())}`,
    );
    expect(before.json<UnmatchedJson>().data.map((r) => r.carrierMessageId)).toEqual(['GHOST-B', 'GHOST-A']);

    expectError(await h.api.get(`/v1/carriers/${carrierId}/unmatched-receipts?before=soon`), 400, 'validation_error', 'before');
    expectError(await h.api.get(`/v1/carriers/${carrierId}/unmatched-receipts?limit=0`), 400, 'validation_error');
    expectError(await h.api.get(`/v1/carriers/${carrierId}/unmatched-receipts?cursor=nope`), 400, 'invalid_cursor');
  });

  it('includes the receipts the adapter could not parse', async () => {
    const at = new Date('2026-01-01T12:00:00.000Z');
    await createCarrierSink(h.t.ctx).unparseableReceipt?.({ carrierId, reason: 'no message id in the TLVs or the text', raw: 'stat:DELIVRD', at });
    const body = (await h.api.get(`/v1/carriers/${carrierId}/unmatched-receipts`)).json<UnmatchedJson>();
    expect(body.unparseable).toEqual([
      { reason: 'no message id in the TLVs or the text', raw: 'stat:DELIVRD', at: '2026-01-01T12:00:00.000Z' },
    ]);
  });

  it('shows the count on the carrier', async () => {
    const carrier = (await h.api.get(`/v1/carriers/${carrierId}`)).json<CarrierJson>();
    expect(carrier.unmatchedReceipts).toBe(3);
    const list = (await h.api.get('/v1/carriers')).json<{ data: CarrierJson[] }>();
    expect(list.data.find((c) => c.id === carrierId)?.unmatchedReceipts).toBe(3);
  });

  it('is 404 for another workspace’s carrier and for an unknown one', async () => {
    const other = await h.addWorkspace({ name: 'Other shop', phoneNumber: '+12015550188' });
    expectError(await other.api.get(`/v1/carriers/${carrierId}/unmatched-receipts`), 404, 'not_found');
    expectError(await h.api.get('/v1/carriers/no-such-carrier/unmatched-receipts'), 404, 'not_found');
    const own = (await other.api.get(`/v1/carriers/${other.seeded.carrierId}/unmatched-receipts`)).json<UnmatchedJson>();
    expect(own.data).toEqual([]);
    expect((await other.api.get(`/v1/carriers/${other.seeded.carrierId}`)).json<CarrierJson>().unmatchedReceipts).toBe(0);
    expect((await apiClient(h.app, null).get(`/v1/carriers/${carrierId}/unmatched-receipts`)).statusCode).toBe(401);
  });

  it('is in the OpenAPI document', async () => {
    const document = (await apiClient(h.app, null).get('/docs/json')).json<OpenApiJson>();
    const route = document.paths['/v1/carriers/{id}/unmatched-receipts']?.get;
    expect(route?.responses?.['200']).toBeDefined();
    expect(route?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['id', 'limit', 'cursor', 'before']));
  });
});
