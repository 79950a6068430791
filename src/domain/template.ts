import { AppError } from './errors.js';

const MERGE_FIELD = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

/**
 * Fills `{{field}}` merge fields. A field with no value is an error rather than an empty
 * string: "Hi , your order…" is worse than not sending.
 */
export function renderTemplate(template: string, fields: Record<string, unknown>, field = 'body'): string {
  return template.replace(MERGE_FIELD, (_, name: string) => {
    // Own fields only: "{{constructor}}" must not render a function from Object.prototype.
    const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (value === undefined || value === null || value === '') {
      throw new AppError('validation_error', `merge field {{${name}}} has no value`, { field });
    }
    return String(value);
  });
}

export function mergeFieldNames(template: string): string[] {
  return [...new Set([...template.matchAll(MERGE_FIELD)].map((match) => match[1] ?? ''))];
}
