import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001-initial.js';
import * as inboundParts from './0002-inbound-parts.js';
import * as smartEncoding from './0003-smart-encoding.js';
import * as carrierMessageKeys from './0004-carrier-message-keys.js';
import * as unmatchedReceiptsIndex from './0005-unmatched-receipts-index.js';
import * as sendPacing from './0006-send-pacing.js';
import * as claimIndexes from './0007-claim-indexes.js';
import * as receiptsByMessage from './0008-receipts-by-message.js';
import * as carrierStatus from './0009-carrier-status.js';
import * as unparseableReceipts from './0010-unparseable-receipts.js';
import * as compliance from './0011-compliance.js';
import * as webSessions from './0012-web-sessions.js';
import * as inbox from './0013-inbox.js';
import * as claimBySender from './0014-claim-by-sender.js';
import * as searchBacklog from './0015-search-backlog.js';
import * as keyFirstLookups from './0016-key-first-lookups.js';

/** Migrations are listed in code (not read from disk) so they ship inside any bundle. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-inbound-parts': inboundParts,
  '0003-smart-encoding': smartEncoding,
  '0004-carrier-message-keys': carrierMessageKeys,
  '0005-unmatched-receipts-index': unmatchedReceiptsIndex,
  '0006-send-pacing': sendPacing,
  '0007-claim-indexes': claimIndexes,
  '0008-receipts-by-message': receiptsByMessage,
  '0009-carrier-status': carrierStatus,
  '0010-unparseable-receipts': unparseableReceipts,
  '0011-compliance': compliance,
  '0012-web-sessions': webSessions,
  '0013-inbox': inbox,
  '0014-claim-by-sender': claimBySender,
  '0015-search-backlog': searchBacklog,
  '0016-key-first-lookups': keyFirstLookups,
};

export class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}
