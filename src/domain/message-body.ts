import { AppError } from './errors.js';

export const MAX_BODY_CHARACTERS = 1600;

/** Counts Unicode code points, the way a person counts characters (an emoji is one). */
export function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Refuses empty bodies and bodies over 1,600 characters, naming the field. */
export function validateBody(body: string, field = 'body'): string {
  if (body.trim().length === 0) {
    throw new AppError('validation_error', `${field} must not be empty`, { field });
  }
  const characters = countCharacters(body);
  if (characters > MAX_BODY_CHARACTERS) {
    throw new AppError(
      'body_too_long',
      `${field} has ${characters} characters; the limit is ${MAX_BODY_CHARACTERS}`,
      { field },
    );
  }
  return body;
}
