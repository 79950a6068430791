import { AppError } from '../domain/errors.js';

/**
 * Opaque keyset cursors: the sort value and id of the last row of a page, so pages stay
 * stable while new rows arrive (unlike offsets).
 */
export interface CursorPosition {
  sort: string;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): CursorPosition | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { sort: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid_cursor', 'cursor is not a cursor returned by this API', { field: 'cursor' });
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
