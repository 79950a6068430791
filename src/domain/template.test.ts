import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { mergeFieldNames, renderTemplate } from './template.js';

function errorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('renderTemplate', () => {
  it('fills every merge field, with or without inner spaces', () => {
    expect(renderTemplate('Hi {{name}}, see you {{ day }} at {{time}}. Bye {{name}}', { name: 'Ana', day: 'Tue', time: 9 })).toBe(
      'Hi Ana, see you Tue at 9. Bye Ana',
    );
  });

  it('leaves text without merge fields alone', () => {
    expect(renderTemplate('No fields { here } {{ }}', {})).toBe('No fields { here } {{ }}');
  });

  it('renders 0 and false as values, not as missing', () => {
    expect(renderTemplate('{{n}} {{b}}', { n: 0, b: false })).toBe('0 false');
  });

  it.each([undefined, null, ''])('refuses a merge field whose value is %j, naming the field', (value) => {
    const error = errorOf(() => renderTemplate('Hi {{name}}', { name: value }, 'recipients.2.body'));
    expect(error.code).toBe('validation_error');
    expect(error.field).toBe('recipients.2.body');
    expect(error.message).toContain('{{name}}');
  });

  it('refuses a merge field that is missing', () => {
    expect(errorOf(() => renderTemplate('Hi {{first_name}}', { to: '+12015550123' })).code).toBe('validation_error');
  });

  it.each(['toString', 'constructor', 'hasOwnProperty', '__proto__'])(
    'does not fill {{%s}} from Object.prototype',
    (name) => {
      expect(errorOf(() => renderTemplate(`Hi {{${name}}}`, { to: '+12015550123' })).code).toBe('validation_error');
    },
  );

  it('does not expand merge fields inside a value', () => {
    expect(renderTemplate('{{a}}', { a: '{{b}}', b: 'x' })).toBe('{{b}}');
  });

  it('does not treat $ patterns in a value specially', () => {
    expect(renderTemplate('Total: {{amount}}', { amount: '$&$1' })).toBe('Total: $&$1');
  });
});

describe('mergeFieldNames', () => {
  it('lists each field once, in order of first use', () => {
    expect(mergeFieldNames('{{b}} {{ a }} {{b}} {{c.d}}')).toEqual(['b', 'a', 'c.d']);
    expect(mergeFieldNames('nothing')).toEqual([]);
  });
});
