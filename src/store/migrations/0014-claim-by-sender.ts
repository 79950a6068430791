import { sql, type Kysely } from 'kysely';

/**
 * Claimable messages by sender, in claim order (partial, like messages_claimable_idx). A
 * claim that must leave paused senders out reads each other sender's head here instead of
 * walking a paused sender's whole backlog, and finds the senders with work by a skip scan.
 * Numbered 0014: 0012 and 0013 are the inbox's (web sessions, inbox state).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('messages_claimable_sender_idx')
    .on('messages')
    .columns(['number_id', 'claim_order', 'id'])
    .where(sql<boolean>`status in ('queued', 'scheduled')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_claimable_sender_idx').ifExists().execute();
}
