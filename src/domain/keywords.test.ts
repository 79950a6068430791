import { describe, expect, it } from 'vitest';
import {
  classifyKeyword,
  DEFAULT_HELP_REPLY,
  normalizeKeyword,
  renderComplianceReply,
} from './keywords.js';

const OPT_OUT_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];

describe('classifyKeyword', () => {
  it.each(OPT_OUT_WORDS)('reads %s as an opt-out in any case and decoration', (word) => {
    const lower = word.toLowerCase();
    const title = lower.charAt(0).toUpperCase() + lower.slice(1);
    for (const body of [word, lower, title, `  ${lower}!! `, `${title}.`, `\n${word}\n`, `"${lower}"`, `${word}?!`]) {
      expect(classifyKeyword(body, false), JSON.stringify(body)).toBe('opt_out');
      expect(classifyKeyword(body, true), JSON.stringify(body)).toBe('opt_out');
    }
  });

  it.each(['  stop!! ', 'Stop.', 'STOP 🛑', '¡Stop!', 'stop\u200b', 'STOP ✋️', 'stop 👍🏽'])(
    'reads %j as STOP',
    (body) => {
      expect(classifyKeyword(body, false)).toBe('opt_out');
    },
  );

  it.each(['stop texting me', 'Stop texting me about pizza', 'please stop', 'S T O P', 'stopp', 'nonstop', 'stop stop'])(
    'leaves %j for a human',
    (body) => {
      expect(classifyKeyword(body, false)).toBeNull();
    },
  );

  it.each(['START', 'start', ' Start! ', 'UNSTOP', 'unstop.'])('reads %j as an opt-in', (body) => {
    expect(classifyKeyword(body, false)).toBe('opt_in');
    expect(classifyKeyword(body, true)).toBe('opt_in');
  });

  it('reads YES as an opt-in only while opted out', () => {
    expect(classifyKeyword('YES', true)).toBe('opt_in');
    expect(classifyKeyword(' yes! ', true)).toBe('opt_in');
    expect(classifyKeyword('YES', false)).toBeNull();
    expect(classifyKeyword('yes, see you Tuesday', true)).toBeNull();
  });

  it.each(['HELP', 'help', 'Help?', 'INFO', ' info. '])('reads %j as a help request', (body) => {
    expect(classifyKeyword(body, false)).toBe('help');
    expect(classifyKeyword(body, true)).toBe('help');
  });

  it.each(['', '   ', '!!!', 'hello', 'Can I get help with my order?'])('finds no keyword in %j', (body) => {
    expect(classifyKeyword(body, false)).toBeNull();
  });
});

describe('normalizeKeyword', () => {
  it('strips whitespace and punctuation at both ends only', () => {
    expect(normalizeKeyword('  ..stop-all!! ')).toBe('STOP-ALL');
    expect(normalizeKeyword('opt out')).toBe('OPT OUT');
  });
});

describe('renderComplianceReply', () => {
  it('names the workspace everywhere it appears', () => {
    expect(renderComplianceReply('{{workspace}} / {{workspace}}', 'Acme')).toBe('Acme / Acme');
    expect(renderComplianceReply(DEFAULT_HELP_REPLY, 'Acme Dental')).toContain('Acme Dental');
  });

  it('does not treat $ patterns in the name specially', () => {
    expect(renderComplianceReply('Hi from {{workspace}}', "Bob's $& $1 Shop")).toBe("Hi from Bob's $& $1 Shop");
  });
});
