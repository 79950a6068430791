import { describe, expect, it } from 'vitest';
import { uuidV7Ids } from './clock-and-ids.js';

describe('uuidV7Ids', () => {
  it('makes unique, strictly increasing version-7 UUIDs, across pool refills and within one millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidV7Ids.next());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect((ids[i] ?? '') > (ids[i - 1] ?? '')).toBe(true);
    for (const id of ids.slice(0, 600)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The timestamp is now's, so ids sort by creation time across processes too.
    const ms = Number.parseInt((ids.at(-1) ?? '').replaceAll('-', '').slice(0, 12), 16);
    expect(Math.abs(ms - Date.now())).toBeLessThan(5_000);
  });
});
