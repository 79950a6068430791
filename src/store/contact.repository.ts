import type { Insertable, Kysely } from 'kysely';
import type { ConsentEvent, Contact } from '../domain/models.js';
import type { ContactTable, Database } from './schema.js';
import { toConsentEvent, toContact } from './row-mappers.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';
import { slicesWithinBindLimit } from './bind-limit.js';

export class ContactRepository {
  constructor(private readonly db: Kysely<Database>) {}

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
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('phone_number', '=', phoneNumber)
      .executeTakeFirst();
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

  async findByIds(ids: string[]): Promise<Contact[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('contacts').selectAll().where('id', 'in', ids).execute();
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
    patch: { name?: string | null; attributes?: Record<string, string>; optedOutAt?: string | null },
    at: string,
  ): Promise<void> {
    await this.db
      .updateTable('contacts')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.attributes !== undefined ? { attributes: JSON.stringify(patch.attributes) } : {}),
        ...(patch.optedOutAt !== undefined ? { opted_out_at: patch.optedOutAt } : {}),
        updated_at: at,
      })
      .where('id', '=', contactId)
      .execute();
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
        evidence: event.evidence,
        message_id: event.messageId,
        created_at: event.createdAt,
      })
      .execute();
  }

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
}

const CONTACT_COLUMNS = 8;

function toContactRow(contact: Contact): Insertable<ContactTable> {
  return {
    id: contact.id,
    workspace_id: contact.workspaceId,
    phone_number: contact.phoneNumber,
    name: contact.name,
    attributes: JSON.stringify(contact.attributes),
    opted_out_at: contact.optedOutAt,
    created_at: contact.createdAt,
    updated_at: contact.updatedAt,
  };
}

function contactKey(contact: Pick<Contact, 'workspaceId' | 'phoneNumber'>): string {
  return `${contact.workspaceId} ${contact.phoneNumber}`;
}
