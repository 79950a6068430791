/**
 * Inbound throughput through the carrier sink (src/app/carrier-sink.ts), the one entry every
 * adapter uses: delivery receipts (recordReceipt) and customer replies (handleInbound), with
 * a bounded number in flight as a carrier session would have. Baseline in the same run: the
 * same number of bare one-row receipt inserts, each its own transaction, same concurrency.
 *
 *   BENCH_INBOUND_MESSAGES=5000     receipts, then the same number of replies
 *   BENCH_INBOUND_CONCURRENCY=32    sink calls in flight
 */
import { performance } from 'node:perf_hooks';
import { createCarrierSink } from '../src/app/carrier-sink.js';
import { sendBatch } from '../src/app/send-batch.js';
import { SendWorker } from '../src/workers/send-worker.js';
import { createTestContext, type StoreKind } from '../test/support/test-context.js';
import { seedWorkspace } from '../test/support/fixtures.js';
import { fakeNumber, installFakeCarriers } from '../test/support/pipeline.js';

const FAKE_NUMBER = '+12015550170';

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; returns ms. */
async function timed(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return performance.now() - start;
}

const rate = (count: number, ms: number): number => (count / ms) * 1000;
const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');
const customer = (i: number): string => `+1201555${String(1000 + (i % 9000)).padStart(4, '0')}`;

export async function benchInbound(
  kind: StoreKind,
  messages = Number(process.env.BENCH_INBOUND_MESSAGES ?? 5000),
  concurrency = Number(process.env.BENCH_INBOUND_CONCURRENCY ?? 32),
): Promise<void> {
  const t = await createTestContext(kind, { workerConcurrency: 200 });
  try {
    const fakes = installFakeCarriers(t.ctx);
    const seeded = await seedWorkspace(t.ctx, { deliveryDelayMs: 0 });
    const { number, carrier } = await fakeNumber(t.ctx, fakes, seeded.workspace, FAKE_NUMBER);
    // Setup, not timed: N outbound messages sent through the fake carrier, whose ids are
    // FAKE-<message id>, so that every receipt below matches a `sent` message.
    const ids: string[] = [];
    for (let offset = 0; offset < messages; offset += 5000) {
      const recipients = Array.from({ length: Math.min(5000, messages - offset) }, (_, k) => ({ to: customer(offset + k) }));
      const results = await sendBatch(t.ctx, seeded.workspace, { from: number.phoneNumber, body: 'Your order has shipped.', category: 'transactional', recipients });
      for (const r of results) {
        if (!r.id) throw new Error(`setup send failed: ${JSON.stringify(r.error)}`);
        ids.push(r.id);
      }
    }
    await new SendWorker(t.ctx).drain();
    const sink = createCarrierSink(t.ctx);

    const baselineMs = await timed(messages, concurrency, (i) =>
      t.ctx.db.transaction((repos) =>
        repos.receipts.insert({
          id: t.ctx.ids.next(),
          carrierId: carrier.id,
          carrierMessageId: `BASELINE-${i}`,
          messageId: null,
          status: 'delivered',
          errorCode: null,
          raw: null,
          applied: false,
          receivedAt: new Date().toISOString(),
        }),
      ),
    );
    const receiptsMs = await timed(messages, concurrency, (i) =>
      sink.receipt({
        carrierId: carrier.id,
        carrierMessageId: `FAKE-${ids[i] ?? ''}`,
        status: 'delivered',
        errorCode: null,
        raw: `id:FAKE-${ids[i] ?? ''} sub:001 dlvrd:001 stat:DELIVRD err:000`,
        at: new Date(),
      }),
    );
    // Replies from the same customers, into their existing threads.
    const repliesMs = await timed(messages, concurrency, (i) =>
      sink.inbound({
        carrierId: carrier.id,
        from: customer(i),
        to: FAKE_NUMBER,
        body: `Thanks! Is order ${i} coming tomorrow?`,
        carrierMessageId: `MO-${i}`,
        at: new Date(),
      }),
    );
    const counts = await t.ctx.db.repos.messages.countByStatus(seeded.workspace.id);
    const baseline = rate(messages, baselineMs);
    const goal = kind === 'sqlite' ? 3000 : null;
    for (const [what, ms] of [
      ['receipts', receiptsMs],
      ['replies ', repliesMs],
    ] as const) {
      const r = rate(messages, ms);
      console.log(
        `inbound ${kind.padEnd(8)} ${what} ${fmt(r).padStart(6)}/s  baseline 1-row insert tx ${fmt(baseline)}/s  ratio ${(baseline / r).toFixed(1)}x slower` +
          (goal === null ? '' : `  (goal ≥ ${fmt(goal)}/s: ${r >= goal ? 'met' : 'NOT met'})`),
      );
    }
    console.log(
      `    ${messages} each, ${concurrency} sink calls in flight; outcome: ${counts.delivered ?? 0} delivered, ${counts.received ?? 0} received`,
    );
  } finally {
    await t.cleanup();
  }
}
