import type { Kysely } from 'kysely';
import type { BusinessNumber, CarrierRecord, Workspace } from '../domain/models.js';
import type { Database } from './schema.js';
import { toCarrier, toNumber, toWorkspace } from './row-mappers.js';
import { PreparedQuery } from './prepared.js';

export class CarrierRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(carrier: CarrierRecord): Promise<void> {
    await this.db
      .insertInto('carriers')
      .values({
        id: carrier.id,
        workspace_id: carrier.workspaceId,
        type: carrier.type,
        name: carrier.name,
        settings: JSON.stringify(carrier.settings),
        created_at: carrier.createdAt,
      })
      .execute();
  }

  async findById(id: string): Promise<CarrierRecord | null> {
    const row = await this.db.selectFrom('carriers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toCarrier(row) : null;
  }

  async findInWorkspace(workspaceId: string, id: string): Promise<CarrierRecord | null> {
    const row = await this.db
      .selectFrom('carriers')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toCarrier(row) : null;
  }

  async listForWorkspace(workspaceId: string): Promise<CarrierRecord[]> {
    const rows = await this.db
      .selectFrom('carriers')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute();
    return rows.map(toCarrier);
  }

  async listAll(): Promise<CarrierRecord[]> {
    const rows = await this.db.selectFrom('carriers').selectAll().orderBy('id').execute();
    return rows.map(toCarrier);
  }
}

/** A business number with its workspace: where an inbound text belongs. */
const ROUTE_BY_PHONE = new PreparedQuery((db, phoneNumber: string) =>
  db
    .selectFrom('numbers')
    .innerJoin('workspaces', 'workspaces.id', 'numbers.workspace_id')
    .selectAll('workspaces')
    .select([
      'numbers.id as n_id',
      'numbers.workspace_id as n_workspace_id',
      'numbers.carrier_id as n_carrier_id',
      'numbers.phone_number as n_phone_number',
      'numbers.kind as n_kind',
      'numbers.mps as n_mps',
      'numbers.created_at as n_created_at',
    ])
    .where('numbers.phone_number', '=', phoneNumber),
);

export class NumberRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(number: BusinessNumber): Promise<void> {
    await this.db
      .insertInto('numbers')
      .values({
        id: number.id,
        workspace_id: number.workspaceId,
        carrier_id: number.carrierId,
        phone_number: number.phoneNumber,
        kind: number.kind,
        mps: number.mps,
        created_at: number.createdAt,
      })
      .execute();
  }

  async findInWorkspace(workspaceId: string, id: string): Promise<BusinessNumber | null> {
    const row = await this.db
      .selectFrom('numbers')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toNumber(row) : null;
  }

  async findByIds(ids: string[]): Promise<BusinessNumber[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('numbers').selectAll().where('id', 'in', ids).execute();
    return rows.map(toNumber);
  }

  /** The number and its workspace in one read: every inbound text starts here. */
  async findRouteByPhone(phoneNumber: string): Promise<{ number: BusinessNumber; workspace: Workspace } | null> {
    const row = await ROUTE_BY_PHONE.first(this.db, phoneNumber);
    if (!row) return null;
    return {
      number: toNumber({
        id: row.n_id,
        workspace_id: row.n_workspace_id,
        carrier_id: row.n_carrier_id,
        phone_number: row.n_phone_number,
        kind: row.n_kind,
        mps: row.n_mps,
        created_at: row.n_created_at,
      }),
      workspace: toWorkspace(row),
    };
  }

  /** Numbers are unique across workspaces: this is how inbound traffic is routed. */
  async findByPhone(phoneNumber: string): Promise<BusinessNumber | null> {
    const row = await this.db
      .selectFrom('numbers')
      .selectAll()
      .where('phone_number', '=', phoneNumber)
      .executeTakeFirst();
    return row ? toNumber(row) : null;
  }

  async listForWorkspace(workspaceId: string): Promise<BusinessNumber[]> {
    const rows = await this.db
      .selectFrom('numbers')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute();
    return rows.map(toNumber);
  }
}
