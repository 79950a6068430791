import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { countCharacters, MAX_BODY_CHARACTERS, sanitizeReceivedText, validateBody } from './message-body.js';

function errorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('countCharacters', () => {
  it('counts code points, so an emoji is one character', () => {
    expect(countCharacters('hello')).toBe(5);
    expect(countCharacters('😀')).toBe(1);
    expect(countCharacters('hi 😀!')).toBe(5);
    expect(countCharacters('')).toBe(0);
  });
});

describe('validateBody', () => {
  it.each(['', ' ', '\n\t  ', '\u00a0'])('refuses the empty body %j naming the field', (body) => {
    const error = errorOf(() => validateBody(body, 'recipients.3.body'));
    expect(error.code).toBe('validation_error');
    expect(error.field).toBe('recipients.3.body');
  });

  it('accepts exactly 1,600 characters and returns the body unchanged', () => {
    const body = 'a'.repeat(MAX_BODY_CHARACTERS);
    expect(validateBody(body)).toBe(body);
    expect(validateBody('  padded  ')).toBe('  padded  ');
  });

  it('refuses 1,601 characters with body_too_long', () => {
    const error = errorOf(() => validateBody('a'.repeat(MAX_BODY_CHARACTERS + 1)));
    expect(error.code).toBe('body_too_long');
    expect(error.field).toBe('body');
    expect(error.httpStatus).toBe(400);
  });

  it('counts an emoji as one character, not two UTF-16 units', () => {
    expect(validateBody('😀'.repeat(MAX_BODY_CHARACTERS))).toHaveLength(MAX_BODY_CHARACTERS * 2);
    expect(errorOf(() => validateBody('😀'.repeat(MAX_BODY_CHARACTERS + 1))).code).toBe('body_too_long');
  });
});

describe('validateBody and broken UTF-16', () => {
  it('refuses a lone surrogate but accepts a proper pair', () => {
    expect(() => validateBody('hi \ud83d there')).toThrow(expect.objectContaining({ code: 'validation_error', field: 'body' }));
    expect(() => validateBody('hi \ude00')).toThrow(expect.objectContaining({ code: 'validation_error' }));
    expect(validateBody('hi \ud83d\ude00')).toBe('hi 😀');
  });
});

describe('NUL characters', () => {
  it('are refused in bodies we send and replaced in texts we receive', () => {
    expect(() => validateBody('a\u0000b')).toThrow(expect.objectContaining({ code: 'validation_error', field: 'body' }));
    expect(sanitizeReceivedText('a\u0000b\udc00')).toBe('a\uFFFDb\uFFFD');
    expect(sanitizeReceivedText('fine 😀')).toBe('fine 😀');
  });
});
