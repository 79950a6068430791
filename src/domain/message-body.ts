import { AppError } from './errors.js';

export const MAX_BODY_CHARACTERS = 1600;

/** Counts Unicode code points, the way a person counts characters (an emoji is one). */
export function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Refuses empty bodies, bodies over 1,600 characters and broken UTF-16, naming the field. */
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
  // A lone surrogate (broken UTF-16 from a client) cannot be encoded for any carrier;
  // refuse it here rather than fail at send time.
  const nul = body.indexOf('\u0000');
  if (nul >= 0) {
    throw new AppError('validation_error', `${field} has a NUL character at position ${nul}`, { field });
  }
  const broken = LONE_SURROGATE.exec(body);
  if (broken) {
    throw new AppError('validation_error', `${field} has an invalid character at position ${broken.index}`, { field });
  }
  return body;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Text from a carrier is stored whatever it holds, but PostgreSQL text cannot hold NUL and
 * a lone surrogate is not text: both become U+FFFD so the message is kept, never dropped.
 */
export function sanitizeReceivedText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD').replace(/\p{Cs}/gu, '\uFFFD');
}
