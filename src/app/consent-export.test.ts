import { describe, expect, it } from 'vitest';
import { csvField } from './consent-export.js';

describe('csvField', () => {
  it('quotes what CSV needs quoted', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "stop"')).toBe('"say ""stop"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses anything a spreadsheet would run as a formula, keeping phone numbers and numbers as they are', () => {
    for (const formula of ['=1+1', '+SUM(A1)', '-1+1+HYPERLINK("http://x","stop texting me")', '@cmd', '\t=x', '+1 2015550123 =cmd']) {
      expect(csvField(formula).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvField('+12015550123')).toBe('+12015550123');
    expect(csvField('-42')).toBe('-42');
    expect(csvField('+1 (201) 555-0123')).toBe('+1 (201) 555-0123');
  });
});
