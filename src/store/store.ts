import type { Kysely } from 'kysely';
import type { IdSource } from '../domain/ports.js';
import type { Database } from './schema.js';
import { migrateToLatest, openDatabase, ping, type DatabaseOptions, type DialectName } from './database.js';
import { ApiKeyRepository, UserRepository, WorkspaceRepository } from './workspace.repository.js';
import { CarrierRepository, NumberRepository } from './carrier.repository.js';
import { ContactRepository } from './contact.repository.js';
import { ConversationRepository } from './conversation.repository.js';
import { indexSearchBacklog, MessageRepository, type TransactionState } from './message.repository.js';
import { IdempotencyRepository, ReceiptRepository, UnroutedRepository } from './receipt.repository.js';
import { SendPaceRepository } from './send-pace.repository.js';
import { CarrierStatusRepository } from './carrier-status.repository.js';
import { UnparseableReceiptRepository } from './unparseable-receipt.repository.js';
import { InboundPartRepository } from './inbound-part.repository.js';
import { AuditRepository } from './audit.repository.js';
import { InviteRepository, SessionRepository, SetupClaimRepository } from './session.repository.js';
import { InboxRepository } from './inbox.repository.js';
import { GroupCommit } from './group-commit.js';

/** Every repository, bound to one executor (the pool, or one transaction). */
export interface Repositories {
  workspaces: WorkspaceRepository;
  users: UserRepository;
  apiKeys: ApiKeyRepository;
  carriers: CarrierRepository;
  numbers: NumberRepository;
  contacts: ContactRepository;
  conversations: ConversationRepository;
  messages: MessageRepository;
  receipts: ReceiptRepository;
  pace: SendPaceRepository;
  carrierStatus: CarrierStatusRepository;
  unparseableReceipts: UnparseableReceiptRepository;
  idempotency: IdempotencyRepository;
  unrouted: UnroutedRepository;
  inboundParts: InboundPartRepository;
  audit: AuditRepository;
  sessions: SessionRepository;
  invites: InviteRepository;
  setupClaims: SetupClaimRepository;
  inbox: InboxRepository;
}

function bindRepositories(db: Kysely<Database>, dialect: DialectName, ids: IdSource, transaction?: TransactionState): Repositories {
  return {
    workspaces: new WorkspaceRepository(db),
    users: new UserRepository(db),
    apiKeys: new ApiKeyRepository(db),
    carriers: new CarrierRepository(db),
    numbers: new NumberRepository(db),
    contacts: new ContactRepository(db, dialect),
    conversations: new ConversationRepository(db, dialect),
    messages: new MessageRepository(db, dialect, ids, transaction),
    receipts: new ReceiptRepository(db, dialect),
    pace: new SendPaceRepository(db, dialect),
    carrierStatus: new CarrierStatusRepository(db),
    unparseableReceipts: new UnparseableReceiptRepository(db),
    idempotency: new IdempotencyRepository(db),
    unrouted: new UnroutedRepository(db),
    inboundParts: new InboundPartRepository(db, dialect),
    audit: new AuditRepository(db),
    sessions: new SessionRepository(db),
    invites: new InviteRepository(db),
    setupClaims: new SetupClaimRepository(db),
    inbox: new InboxRepository(db),
  };
}

/**
 * The store: repositories for plain reads, and `transaction` for a use-case that must
 * write all-or-nothing. Kysely never leaves this folder.
 */
export class Store {
  readonly repos: Repositories;

  private constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: DialectName,
    private readonly ids: IdSource,
    private readonly closeDb: () => Promise<void>,
  ) {
    this.repos = bindRepositories(db, dialect, ids);
  }

  static open(options: DatabaseOptions, ids: IdSource): Store {
    const handle = openDatabase(options);
    return new Store(handle.db, handle.dialect, ids, handle.close);
  }

  async migrate(): Promise<string[]> {
    const result = await migrateToLatest(this.db);
    return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  }

  async transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.runTransaction((trx) => work(this.bindTo(trx)));
  }

  /**
   * `transaction`, committed together with others that arrive at the same time (see
   * GroupCommit): for many small, independent writes such as customer replies. `work` must
   * write only through the repositories it is given: it may run a second time if its group
   * cannot be committed.
   */
  async transactionGrouped<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    // SQLite only. PostgreSQL runs concurrent transactions on their own connections, whose
    // commits (fsyncs) overlap; a group runs its works one after another on one connection,
    // and replies were ~15% slower grouped there (inbound bench, 366 vs 430/s).
    if (this.dialect === 'postgres') return this.transaction(work);
    return this.groupCommit.run((trx) => work(this.bindTo(trx)));
  }

  private readonly transactions = new WeakMap<Kysely<Database>, TransactionState>();
  private readonly groupCommit = new GroupCommit((work) => this.runTransaction(work));

  /** One transaction, and what it owes before its commit (the search entries of new messages). */
  private runTransaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const state: TransactionState = { searchBacklog: false };
      this.transactions.set(trx, state);
      const result = await work(trx);
      if (state.searchBacklog) await indexSearchBacklog(trx);
      return result;
    });
  }

  private bindTo(trx: Kysely<Database>): Repositories {
    return bindRepositories(trx, this.dialect, this.ids, this.transactions.get(trx));
  }

  async ping(): Promise<void> {
    await ping(this.db);
  }

  async close(): Promise<void> {
    await this.closeDb();
  }
}
