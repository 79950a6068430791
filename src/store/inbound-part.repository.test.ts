import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, STORES, type TestContext } from '../../test/support/test-context.js';
import type { PartSetKey } from '../domain/reassembly.js';
import type { InboundPart } from './inbound-part.repository.js';

const T0 = Date.parse('2026-01-01T12:00:00.000Z');
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

describe.each(STORES)('InboundPartRepository on %s', (kind) => {
  let t: TestContext;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestContext(kind);
  });
  afterAll(async () => t?.cleanup());

  /** A key of its own per call, so tests never see each other's rows. */
  function key(overrides: Partial<PartSetKey> = {}): PartSetKey {
    seq += 1;
    return { carrierId: `carrier-${seq}`, from: '+12015550123', to: '+12015550100', reference: 7, total: 3, ...overrides };
  }

  function part(k: PartSetKey, sequence: number, body: string, overrides: Partial<InboundPart> = {}): InboundPart {
    return {
      ...k,
      id: t.ctx.ids.next(),
      sequence,
      body,
      carrierMessageId: null,
      receivedAt: iso(0),
      firstReceivedAt: iso(0),
      expiresAt: iso(300_000),
      conflictingCopies: 0,
      releasedAt: null,
      releasedAs: null,
      ...overrides,
    };
  }

  it('stores a part once per open set and sequence: a duplicate is a no-op', async () => {
    const k = key();
    const { inboundParts } = t.ctx.db.repos;
    expect(await inboundParts.insert(part(k, 1, 'Hello '))).toBe(true);
    expect(await inboundParts.insert(part(k, 1, 'Other text'))).toBe(false);
    expect(await inboundParts.insert(part(k, 3, 'world'))).toBe(true);
    const open = await inboundParts.openParts(k);
    expect(open.map((p) => [p.sequence, p.body])).toEqual([
      [1, 'Hello '],
      [3, 'world'],
    ]);
    // Another total, sender or carrier is another set.
    expect(await inboundParts.insert(part({ ...k, total: 2 }, 1, 'x'))).toBe(true);
    expect(await inboundParts.insert(part({ ...k, from: '+12015550124' }, 1, 'x'))).toBe(true);
    expect(await inboundParts.openParts(k)).toHaveLength(2);
  });

  it('round-trips every field', async () => {
    const k = key({ reference: 65535, total: 255 });
    const stored = part(k, 255, 'tail 😀', { carrierMessageId: 'MO-1', receivedAt: iso(5), conflictingCopies: 0 });
    await t.ctx.db.repos.inboundParts.insert(stored);
    expect(await t.ctx.db.repos.inboundParts.openParts(k)).toEqual([stored]);
  });

  it('counts conflicting copies on the open part', async () => {
    const k = key();
    const { inboundParts } = t.ctx.db.repos;
    await inboundParts.insert(part(k, 2, 'kept'));
    await inboundParts.noteConflictingCopy(k, 2);
    await inboundParts.noteConflictingCopy(k, 2);
    expect((await inboundParts.openParts(k))[0]?.conflictingCopies).toBe(2);
  });

  it('releases a set, remembers its parts, and lets the key start a new set', async () => {
    const k = key();
    const { inboundParts } = t.ctx.db.repos;
    await inboundParts.insert(part(k, 1, 'a'));
    await inboundParts.insert(part(k, 2, 'b'));
    expect(await inboundParts.release(k, 'message-1', iso(1000))).toBe(2);
    expect(await inboundParts.openParts(k)).toEqual([]);
    expect(await inboundParts.findReleasedCopy(k, 1, 'a')).toBe('message-1');
    expect(await inboundParts.findReleasedCopy(k, 1, 'different')).toBeNull();
    expect(await inboundParts.findReleasedCopy(k, 3, 'a')).toBeNull();
    // The sender's reference came round again: a new open set under the same key.
    expect(await inboundParts.insert(part(k, 1, 'new'))).toBe(true);
    expect((await inboundParts.openParts(k)).map((p) => p.body)).toEqual(['new']);
    expect(await inboundParts.release(k, 'message-2', iso(2000))).toBe(1);
    expect(await inboundParts.findReleasedCopy(k, 1, 'new')).toBe('message-2');
    expect((await inboundParts.history(k)).map((p) => p.releasedAs)).toEqual(['message-1', 'message-1', 'message-2']);
  });

  it('finds expired open sets, oldest deadline first, once per set', async () => {
    const { inboundParts } = t.ctx.db.repos;
    const early = key();
    const late = key();
    const future = key();
    const released = key();
    await inboundParts.insert(part(late, 1, 'x', { expiresAt: iso(-1000) }));
    await inboundParts.insert(part(late, 2, 'y', { expiresAt: iso(-1000) }));
    await inboundParts.insert(part(early, 3, 'z', { expiresAt: iso(-5000) }));
    await inboundParts.insert(part(future, 1, 'w', { expiresAt: iso(1) }));
    await inboundParts.insert(part(released, 1, 'v', { expiresAt: iso(-9000) }));
    await inboundParts.release(released, 'message-3', iso(-8000));
    const expired = (await inboundParts.expiredSets(iso(0), 100)).filter((k) =>
      [early, late, future, released].some((mine) => mine.carrierId === k.carrierId),
    );
    expect(expired).toEqual([early, late]);
    expect(await inboundParts.expiredSets(iso(0), 1)).toHaveLength(1);
  });

  it('purges released parts older than the cut-off, never open ones', async () => {
    const { inboundParts } = t.ctx.db.repos;
    const old = key();
    const recent = key();
    const open = key();
    await inboundParts.insert(part(old, 1, 'a'));
    await inboundParts.release(old, 'message-4', iso(-7_200_000));
    await inboundParts.insert(part(recent, 1, 'b'));
    await inboundParts.release(recent, 'message-5', iso(-60_000));
    await inboundParts.insert(part(open, 1, 'c', { expiresAt: iso(-10_000_000) }));
    expect(await inboundParts.purgeReleased(iso(-3_600_000))).toBeGreaterThanOrEqual(1);
    expect(await inboundParts.history(old)).toEqual([]);
    expect(await inboundParts.history(recent)).toHaveLength(1);
    expect(await inboundParts.openParts(open)).toHaveLength(1);
  });

  it('serialises work on one set inside transactions', async () => {
    const k = key();
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstLocked: () => void = () => undefined;
    const locked = new Promise<void>((resolve) => (firstLocked = resolve));
    const first = t.ctx.db.transaction(async (repos) => {
      await repos.inboundParts.lockSet(k);
      firstLocked();
      order.push('first locked');
      await firstHolds;
      await repos.inboundParts.insert(part(k, 1, 'a'));
      order.push('first done');
    });
    await locked;
    const second = t.ctx.db.transaction(async (repos) => {
      await repos.inboundParts.lockSet(k);
      order.push('second locked');
      return repos.inboundParts.openParts(k);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    releaseFirst();
    await first;
    // The second saw the first's part: it waited for the lock, then read after the commit.
    expect((await second).map((p) => p.body)).toEqual(['a']);
    expect(order).toEqual(['first locked', 'first done', 'second locked']);
  });
});
