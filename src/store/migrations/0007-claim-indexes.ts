import { sql, type Kysely } from 'kysely';

/**
 * The claim query reads the queue in claim order and skips threads with a message in
 * flight. Measured on a 5,000-message backlog with 200 in flight, the old plan scanned every
 * due row (messages_due_idx), ran the in-flight check against every `sending` row for each of
 * them and sorted the lot: tens of milliseconds per claim, the worker's bottleneck.
 * - messages_claimable_idx holds only claimable rows, in claim order, so the query walks it
 *   and stops at its limit.
 * - messages_sending_thread_idx holds only in-flight rows by thread, so the check is a probe.
 * - messages_sending_lease_idx replaces (status, lease_until) for the expired-lease sweep.
 * Both are partial (SQLite and PostgreSQL); the query repeats their conditions literally so
 * both planners can use them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_due_idx').ifExists().execute();
  await db.schema.dropIndex('messages_claim_idx').ifExists().execute();
  // Leases matter only while sending; as a full (status, lease_until) index it also lured
  // the planner into reading every queued row for the claim.
  await db.schema.dropIndex('messages_lease_idx').ifExists().execute();
  await db.schema
    .createIndex('messages_sending_lease_idx')
    .on('messages')
    .column('lease_until')
    .where(sql<boolean>`status = 'sending'`)
    .execute();
  await db.schema
    .createIndex('messages_claimable_idx')
    .on('messages')
    .columns(['claim_order', 'id'])
    .where(sql<boolean>`status in ('queued', 'scheduled')`)
    .execute();
  await db.schema
    .createIndex('messages_sending_thread_idx')
    .on('messages')
    .column('conversation_id')
    .where(sql<boolean>`status = 'sending'`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_sending_thread_idx').ifExists().execute();
  await db.schema.dropIndex('messages_sending_lease_idx').ifExists().execute();
  await db.schema.createIndex('messages_lease_idx').on('messages').columns(['status', 'lease_until']).execute();
  await db.schema.dropIndex('messages_claimable_idx').ifExists().execute();
  await db.schema.createIndex('messages_claim_idx').on('messages').columns(['status', 'claim_order']).execute();
  await db.schema.createIndex('messages_due_idx').on('messages').columns(['status', 'next_attempt_at']).execute();
}
