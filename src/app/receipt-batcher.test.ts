import { describe, expect, it } from 'vitest';
import type { DeliveryReceipt } from '../carriers/carrier.js';
import { gate } from '../../test/support/pipeline.js';
import { ReceiptBatcher } from './receipt-batcher.js';
import type { ReceiptResult } from './record-receipt.js';

const receipt = (id: string): DeliveryReceipt => ({
  carrierId: 'c1',
  carrierMessageId: id,
  status: 'delivered',
  errorCode: null,
  raw: null,
  at: new Date(),
});

describe('ReceiptBatcher', () => {
  it('records the receipts that arrive together in one batch, and the next ones while it is written', async () => {
    const batches: string[][] = [];
    const commit = gate();
    const batcher = new ReceiptBatcher(async (receipts) => {
      batches.push(receipts.map((r) => r.carrierMessageId));
      if (batches.length === 1) await commit.promise;
      return receipts.map((): ReceiptResult => ({ ok: true, message: null }));
    });
    const first = ['a', 'b', 'c'].map((id) => batcher.add(receipt(id)));
    await new Promise((resolve) => setImmediate(resolve));
    const second = ['d', 'e'].map((id) => batcher.add(receipt(id)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a', 'b', 'c']]);
    commit.open();
    await Promise.all([...first, ...second]);
    expect(batches).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  it('resolves a call only after its batch is committed, and rejects only the receipt that failed', async () => {
    const commit = gate();
    const batcher = new ReceiptBatcher(async (receipts) => {
      await commit.promise;
      return receipts.map((r): ReceiptResult => (r.carrierMessageId === 'bad' ? { ok: false, error: new Error('bad receipt') } : { ok: true, message: null }));
    });
    let resolved = 0;
    const good = batcher.add(receipt('good')).then(() => (resolved += 1));
    const bad = batcher.add(receipt('bad'));
    bad.catch(() => undefined);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(0);
    commit.open();
    await good;
    expect(resolved).toBe(1);
    await expect(bad).rejects.toThrow('bad receipt');
  });

  it('splits a backlog into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const batcher = new ReceiptBatcher(async (receipts) => {
      sizes.push(receipts.length);
      return receipts.map((): ReceiptResult => ({ ok: true, message: null }));
    }, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.add(receipt(String(i)))));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('rejects every call of a batch whose recording throws, and keeps working', async () => {
    let fail = true;
    const batcher = new ReceiptBatcher(async (receipts) => {
      if (fail) throw new Error('store down');
      return receipts.map((): ReceiptResult => ({ ok: true, message: null }));
    });
    const calls = [batcher.add(receipt('a')), batcher.add(receipt('b'))];
    await expect(Promise.all(calls)).rejects.toThrow('store down');
    await Promise.allSettled(calls);
    fail = false;
    await expect(batcher.add(receipt('c'))).resolves.toBeNull();
  });
});
