import type { Insertable, Kysely } from 'kysely';
import type { ConsentEvent, Contact } from '../domain/models.js';
import type { ContactTable, Database } from './schema.js';
import { toConsentEvent, toContact } from './row-mappers.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';
import { slicesWithinBindLimit } from './bind-limit.js';
import { PreparedQuery } from './prepared.js';

const CONTACT_BY_PHONE = new PreparedQuery((db, workspaceId: string, phoneNumber: string) =>
  db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('phone_number', '=', phoneNumber),
);

export class ContactRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /**
   * The contact for (workspace, phone), created when new. Safe under concurrent callers:
   * the unique constraint decides, and everyone reads back the one row.
   */
  async findOrCreate(candidate: Contact): Promise<Contact> {
    // Most sends go to someone we know: one read, and the insert only when new.
    const existing = await this.findByPhone(candidate.workspaceId, candidate.phoneNumber);
    if (existing) return existing;
    await this.db
      .insertInto('contacts')
      .values(toContactRow(candidate))
      .onConflict((oc) => oc.columns(['workspace_id', 'phone_number']).doNothing())
      .execute();
    const found = await this.findByPhone(candidate.workspaceId, candidate.phoneNumber);
    if (!found) throw new Error(`contact ${candidate.phoneNumber} vanished after insert`);
    return found;
  }

  /**
   * `findOrCreate` for many candidates in a few statements: one read of those we know, one
   * multi-row insert of the rest (the unique constraint still decides under concurrency)
   * and one read-back. Returns the contact of each candidate, in the candidates' order; a
   * phone number given twice gets the same contact twice.
   */
  async findOrCreateMany(candidates: Contact[]): Promise<Contact[]> {
    const found = await this.findByPhones(candidates);
    const missing = new Map<string, Contact>();
    for (const candidate of candidates) {
      const key = contactKey(candidate);
      if (!found.has(key) && !missing.has(key)) missing.set(key, candidate);
    }
    if (missing.size > 0) {
      for (const slice of slicesWithinBindLimit([...missing.values()], CONTACT_COLUMNS)) {
        await this.db
          .insertInto('contacts')
          .values(slice.map(toContactRow))
          .onConflict((oc) => oc.columns(['workspace_id', 'phone_number']).doNothing())
          .execute();
      }
      for (const [key, contact] of await this.findByPhones([...missing.values()])) found.set(key, contact);
    }
    return candidates.map((candidate) => {
      const contact = found.get(contactKey(candidate));
      if (!contact) throw new Error(`contact ${candidate.phoneNumber} vanished after insert`);
      return contact;
    });
  }

  /** The stored contacts among `wanted`, by workspace and phone number (see `contactKey`). */
  private async findByPhones(wanted: Array<Pick<Contact, 'workspaceId' | 'phoneNumber'>>): Promise<Map<string, Contact>> {
    const phonesByWorkspace = new Map<string, Set<string>>();
    for (const { workspaceId, phoneNumber } of wanted) {
      const phones = phonesByWorkspace.get(workspaceId) ?? new Set<string>();
      phones.add(phoneNumber);
      phonesByWorkspace.set(workspaceId, phones);
    }
    const found = new Map<string, Contact>();
    for (const [workspaceId, phones] of phonesByWorkspace) {
      for (const slice of slicesWithinBindLimit([...phones], 1)) {
        const rows = await this.db
          .selectFrom('contacts')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('phone_number', 'in', slice)
          .execute();
        for (const row of rows) {
          const contact = toContact(row);
          found.set(contactKey(contact), contact);
        }
      }
    }
    return found;
  }

  async findByPhone(workspaceId: string, phoneNumber: string): Promise<Contact | null> {
    const row = await CONTACT_BY_PHONE.first(this.db, workspaceId, phoneNumber);
    return row ? toContact(row) : null;
  }

  async findInWorkspace(workspaceId: string, id: string): Promise<Contact | null> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toContact(row) : null;
  }

  /**
   * `forShare` (PostgreSQL): the claim reads consent with the rows share-locked, so a
   * consent change being written waits for the claim, or the claim for it, never both unseen.
   */
  async findByIds(ids: string[], options: { forShare?: boolean } = {}): Promise<Contact[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', 'in', ids)
      .$if(options.forShare === true && this.dialect === 'postgres', (qb) => qb.forShare())
      .execute();
    return rows.map(toContact);
  }

  async list(
    workspaceId: string,
    filter: { phoneNumber?: string },
    limit: number,
    cursor?: string,
  ): Promise<Page<Contact>> {
    const after = decodeCursor(cursor);
    let query = this.db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId);
    if (filter.phoneNumber !== undefined) query = query.where('phone_number', '=', filter.phoneNumber);
    if (after) query = query.where('id', '>', after.id);
    const rows = await query.orderBy('id').limit(limit + 1).execute();
    const page = rows.slice(0, limit).map(toContact);
    const last = page.at(-1);
    return { data: page, nextCursor: rows.length > limit && last ? encodeCursor({ sort: '', id: last.id }) : null };
  }

  async update(
    contactId: string,
    patch: { name?: string | null; attributes?: Record<string, string>; timeZone?: string | null },
    at: string,
  ): Promise<void> {
    await this.db
      .updateTable('contacts')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.attributes !== undefined ? { attributes: JSON.stringify(patch.attributes) } : {}),
        ...(patch.timeZone !== undefined ? { time_zone: patch.timeZone } : {}),
        updated_at: at,
      })
      .where('id', '=', contactId)
      .execute();
  }

  /**
   * The contact row's copy of its consent (see ConsentStatus), written in the transaction
   * that appends the ledger event. It always updates the contact row: on PostgreSQL that
   * row lock is what a claim's `forShare` read of the contact waits on, so a STOP and a
   * claim of a message to the same contact cannot interleave.
   */
  async writeConsentCopy(
    contactId: string,
    change: {
      optedOutAt?: string | null;
      consentReviewAt?: string | null;
      numberOptOut?: { numberId: string; at: string | null };
    },
    at: string,
  ): Promise<void> {
    await this.db
      .updateTable('contacts')
      .set({
        ...(change.optedOutAt !== undefined ? { opted_out_at: change.optedOutAt } : {}),
        ...(change.consentReviewAt !== undefined ? { consent_review_at: change.consentReviewAt } : {}),
        updated_at: at,
      })
      .where('id', '=', contactId)
      .execute();
    const numberOptOut = change.numberOptOut;
    if (!numberOptOut) return;
    if (numberOptOut.at === null) {
      await this.db
        .deleteFrom('number_opt_outs')
        .where('contact_id', '=', contactId)
        .where('number_id', '=', numberOptOut.numberId)
        .execute();
    } else {
      await this.db
        .insertInto('number_opt_outs')
        .values({ contact_id: contactId, number_id: numberOptOut.numberId, opted_out_at: numberOptOut.at })
        .onConflict((oc) => oc.columns(['contact_id', 'number_id']).doNothing())
        .execute();
    }
  }

  /**
   * The contact as stored now, its row locked until the transaction ends (PostgreSQL; SQLite
   * has one writer): consent changes to one contact are decided one at a time, on fresh state.
   */
  async lockForConsent(contactId: string): Promise<Contact | null> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('id', '=', contactId)
      // NO KEY UPDATE: serialises consent writers (and a claim's FOR SHARE read) without
      // conflicting with the key-share locks every message insert takes on its contact, which
      // an earlier statement of the same transaction may be waiting behind.
      .$if(this.dialect === 'postgres', (qb) => qb.forNoKeyUpdate())
      .executeTakeFirst();
    return row ? toContact(row) : null;
  }

  /** Number-scoped opt-outs of these contacts: contact id → number id → since. */
  async numberOptOuts(contactIds: string[]): Promise<Map<string, Map<string, string>>> {
    const found = new Map<string, Map<string, string>>();
    for (const slice of slicesWithinBindLimit(contactIds, 1)) {
      const rows = await this.db.selectFrom('number_opt_outs').selectAll().where('contact_id', 'in', slice).execute();
      for (const row of rows) {
        const numbers = found.get(row.contact_id) ?? new Map<string, string>();
        numbers.set(row.number_id, row.opted_out_at);
        found.set(row.contact_id, numbers);
      }
    }
    return found;
  }

  /** Consent events are append-only: there is no update or delete for them. */
  async appendConsentEvent(event: ConsentEvent): Promise<void> {
    await this.db
      .insertInto('consent_events')
      .values({
        id: event.id,
        workspace_id: event.workspaceId,
        contact_id: event.contactId,
        kind: event.kind,
        source: event.source,
        scope: event.scope,
        number_id: event.numberId,
        evidence: event.evidence,
        message_id: event.messageId,
        rule: event.rule,
        actor: event.actor,
        created_at: event.createdAt,
      })
      .execute();
  }

  /** A contact's ledger, oldest first (ids are time-ordered, so they break ties in order). */
  async consentEvents(contactId: string): Promise<ConsentEvent[]> {
    const rows = await this.db
      .selectFrom('consent_events')
      .selectAll()
      .where('contact_id', '=', contactId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toConsentEvent);
  }

  /**
   * The workspace's ledger in pages, oldest first, with the phone numbers it is about:
   * what the CSV export streams (never the whole ledger in memory).
   */
  async consentLedgerPage(
    workspaceId: string,
    after: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<Array<ConsentEvent & { contactPhone: string; contactName: string | null; numberPhone: string | null }>> {
    const rows = await this.db
      .selectFrom('consent_events as e')
      .innerJoin('contacts as c', 'c.id', 'e.contact_id')
      .leftJoin('numbers as n', 'n.id', 'e.number_id')
      .selectAll('e')
      .select(['c.phone_number as contact_phone', 'c.name as contact_name', 'n.phone_number as number_phone'])
      .where('e.workspace_id', '=', workspaceId)
      .$if(after !== null, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb('e.created_at', '>', after?.createdAt ?? ''),
            eb.and([eb('e.created_at', '=', after?.createdAt ?? ''), eb('e.id', '>', after?.id ?? '')]),
          ]),
        ),
      )
      .orderBy('e.created_at')
      .orderBy('e.id')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      ...toConsentEvent(row),
      contactPhone: row.contact_phone,
      contactName: row.contact_name,
      numberPhone: row.number_phone,
    }));
  }
}

const CONTACT_COLUMNS = 10;

function toContactRow(contact: Contact): Insertable<ContactTable> {
  return {
    id: contact.id,
    workspace_id: contact.workspaceId,
    phone_number: contact.phoneNumber,
    name: contact.name,
    attributes: JSON.stringify(contact.attributes),
    opted_out_at: contact.optedOutAt,
    time_zone: contact.timeZone,
    consent_review_at: contact.consentReviewAt,
    created_at: contact.createdAt,
    updated_at: contact.updatedAt,
  };
}

function contactKey(contact: Pick<Contact, 'workspaceId' | 'phoneNumber'>): string {
  return `${contact.workspaceId} ${contact.phoneNumber}`;
}
