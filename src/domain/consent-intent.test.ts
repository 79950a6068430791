import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONSENT_CASES, type ConsentCase } from './consent-intent.cases.js';
import { readConsentIntent, type ConsentIntent } from './consent-intent.js';

/** The outcome a case expects, in the form readConsentIntent returns it (rule and matched aside). */
function expected(c: ConsentCase, optedOut: boolean): Record<string, unknown> | null {
  switch (c.expect) {
    case 'opt_out_high':
      return { action: 'opt_out', confidence: 'high', scope: 'default', language: c.language };
    case 'opt_out_high_all':
      return { action: 'opt_out', confidence: 'high', scope: 'all', language: c.language };
    case 'opt_out_ambiguous':
      return { action: 'opt_out', confidence: 'ambiguous', language: c.language };
    case 'opt_in':
      return { action: 'opt_in' };
    case 'opt_in_if_opted_out':
      return optedOut ? { action: 'opt_in' } : null;
    case 'help':
      return { action: 'help' };
    case 'none':
      return null;
  }
}

function shape(intent: ConsentIntent | null, wanted: Record<string, unknown> | null): Record<string, unknown> | null {
  if (intent === null || wanted === null) return intent;
  return Object.fromEntries(Object.keys(wanted).map((key) => [key, (intent as Record<string, unknown>)[key]]));
}

describe('readConsentIntent on the table of real-world replies', () => {
  it('has hundreds of cases, none listed twice', () => {
    expect(CONSENT_CASES.length).toBeGreaterThanOrEqual(300);
    const bodies = CONSENT_CASES.map((c) => c.body);
    expect(bodies.filter((b, i) => bodies.indexOf(b) !== i)).toEqual([]);
  });

  it.each(CONSENT_CASES.map((c) => [c.expect, c.body, c] as const))('%s: %j', (_outcome, _body, c) => {
    for (const optedOut of [false, true]) {
      const intent = readConsentIntent(c.body, { optedOut });
      const wanted = expected(c, optedOut);
      expect(shape(intent, wanted), `optedOut=${optedOut} → ${JSON.stringify(intent)}`).toEqual(wanted);
      if (intent) {
        expect(intent.rule).toMatch(/^[a-z_]+$/);
        expect(intent.matched.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('readConsentIntent: the evidence it records', () => {
  const read = (body: string, optedOut = false): ConsentIntent | null => readConsentIntent(body, { optedOut });

  it('names the rule that fired and the words that matched', () => {
    expect(read('STOP')).toEqual({
      action: 'opt_out', scope: 'default', confidence: 'high', rule: 'keyword', language: 'en', matched: 'stop',
    });
    expect(read('Stop please')).toMatchObject({ rule: 'keyword_with_courtesy', matched: 'stop please' });
    expect(read('STOP\n\nSent from my iPhone')).toMatchObject({ rule: 'keyword_with_signature', matched: 'stop' });
    expect(read('STOP - Maria')).toMatchObject({ rule: 'keyword_with_signature', matched: 'stop' });
    expect(read('stop stop stop')).toMatchObject({ rule: 'keyword_repeated', confidence: 'high' });
    expect(read('S T O P')).toMatchObject({ rule: 'keyword_spelled_out', confidence: 'high' });
    expect(read('unsubcribe')).toMatchObject({ rule: 'keyword_misspelled', confidence: 'high' });
    expect(read('stopp')).toMatchObject({ rule: 'keyword_misspelled', confidence: 'ambiguous' });
    expect(read('Please stop texting me!')).toMatchObject({ rule: 'plain_words', matched: 'stop texting me' });
    expect(read('Please stop sending all of these texts')).toMatchObject({
      rule: 'plain_words', scope: 'all', matched: 'stop sending all of these texts',
    });
    expect(read('who is this? stop')).toMatchObject({ rule: 'keyword_with_context', matched: 'stop' });
    expect(read('Stop! I will be there in 5')).toMatchObject({ rule: 'keyword_in_message', confidence: 'ambiguous' });
    expect(read('ugh just stop with this')).toMatchObject({ rule: 'ambiguous_stop_verb', confidence: 'ambiguous' });
    expect(read('lol stop')).toMatchObject({ rule: 'keyword_laughing', confidence: 'ambiguous' });
    expect(read('lol stop texting me')).toMatchObject({ rule: 'plain_words_laughing', confidence: 'ambiguous' });
    expect(read('enough')).toMatchObject({ rule: 'ambiguous_keyword', confidence: 'ambiguous' });
    expect(read('not interested')).toMatchObject({ rule: 'not_interested' });
    expect(read('wrong number')).toMatchObject({ rule: 'wrong_number' });
    expect(read('stop calling me')).toMatchObject({ rule: 'other_channel' });
    expect(read('stop texting my wife')).toMatchObject({ rule: 'other_person' });
    expect(read('stop texting me so much')).toMatchObject({ rule: 'qualified_request' });
    expect(read('take me off the VIP group chat')).toMatchObject({ rule: 'unclear_object' });
  });

  it('marks Spanish rules and the language of the reply', () => {
    expect(read('BAJA')).toMatchObject({ rule: 'keyword_es', language: 'es', confidence: 'high' });
    expect(read('STOP por favor')).toMatchObject({ rule: 'keyword_with_courtesy_es', language: 'es' });
    expect(read('no me manden más mensajes')).toMatchObject({
      rule: 'plain_words_es', language: 'es', matched: 'no me manden',
    });
    expect(read('para')).toMatchObject({ rule: 'ambiguous_keyword_es', confidence: 'ambiguous' });
    expect(read('para ya')).toMatchObject({ rule: 'keyword_with_courtesy_es', confidence: 'high' });
    expect(read('Sí', true)).toEqual({ action: 'opt_in', rule: 'yes_while_opted_out_es', matched: 'si' });
    expect(read('AYUDA')).toEqual({ action: 'help', rule: 'keyword_es', matched: 'ayuda' });
  });

  it('reads opt-in and help with their rules', () => {
    expect(read('START')).toEqual({ action: 'opt_in', rule: 'keyword', matched: 'start' });
    expect(read('Yes!', true)).toEqual({ action: 'opt_in', rule: 'yes_while_opted_out', matched: 'yes' });
    expect(read('Yes!', false)).toBeNull();
    expect(read('help!')).toEqual({ action: 'help', rule: 'keyword', matched: 'help' });
  });

  it('puts an opt-out ahead of a help request in the same message', () => {
    expect(read('help how do I stop getting these')).toMatchObject({ action: 'opt_out', confidence: 'high' });
  });

  it('is not thrown by invisible and compatibility characters', () => {
    expect(read('s\u200bt\u200bo\u200bp')).toMatchObject({ action: 'opt_out', confidence: 'high' });
    expect(read('ｐｌｅａｓｅ ｓｔｏｐ ｔｅｘｔｉｎｇ ｍｅ')).toMatchObject({ rule: 'plain_words' });
    expect(read('don’t text me anymore')).toMatchObject({ rule: 'plain_words', confidence: 'high' });
    expect(read('\u2066STOP\u2069')).toMatchObject({ rule: 'keyword' });
  });

  it('finds a revocation at the end of a long message and leaves a long ordinary one alone', () => {
    const chatter = 'Thanks for the reminder about Tuesday, we will be there at 3 with the dog. '.repeat(20);
    expect(read(`${chatter}Also please stop texting me about sales.`)).toMatchObject({ rule: 'plain_words' });
    expect(read(chatter)).toBeNull();
  });
});

describe('docs/opt-out-rules.md', () => {
  it('explains every rule the table exercises', () => {
    const doc = readFileSync(new URL('../../docs/opt-out-rules.md', import.meta.url), 'utf8');
    const rules = new Set<string>();
    for (const c of CONSENT_CASES) {
      for (const optedOut of [false, true]) {
        const rule = readConsentIntent(c.body, { optedOut })?.rule;
        if (rule) rules.add(rule.replace(/_laughing$/, '').replace(/_es$/, ''));
      }
    }
    const missing = [...rules].filter((rule) => !doc.includes(`\`${rule}\``));
    expect(missing).toEqual([]);
  });
});
