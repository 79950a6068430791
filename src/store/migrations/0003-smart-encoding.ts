import type { Kysely } from 'kysely';

// Filled in by the encoding issue's work; registered now so both streams can land independently.
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
