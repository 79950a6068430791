import type { AppContext } from '../context.js';
import type { UnparseableReceipt } from '../carriers/carrier.js';
import { AppError } from '../domain/errors.js';
import type { Workspace } from '../domain/models.js';
import type { Page } from '../store/cursor.js';
import type { StoredReceipt } from '../store/receipt.repository.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'carriers'>;

/**
 * How old an unmatched receipt must be before it is reported. A receipt may overtake its
 * submit response (the SMSC sends deliver_sm before Parley has stored the submit_sm_resp's
 * carrier ids); such a receipt is unmatched for a moment and then applied. Younger ones
 * are most likely in that state, so reporting them would only be noise.
 */
export const UNMATCHED_RECEIPT_GRACE_MS = 60_000;

/** The newest this many unreadable receipts are listed with the report. */
export const UNPARSEABLE_REPORTED = 100;

export interface UnmatchedReceiptsReport extends Page<StoredReceipt> {
  /** Receipts the adapter could not parse at all, newest first; live in this process only. */
  unparseable: UnparseableReceipt[];
}

export interface UnmatchedReceiptsQuery {
  limit: number;
  cursor?: string;
  /** Only receipts received before this instant (ISO 8601), on top of the grace period. */
  before?: string;
  graceMs?: number;
}

/**
 * A receipt that matches no message is kept and reported, never silently dropped: the
 * stored receipts that are still unmatched after the grace period, newest first, plus
 * what the adapter could not parse.
 */
export async function listUnmatchedReceipts(
  deps: Deps,
  workspace: Workspace,
  carrierId: string,
  query: UnmatchedReceiptsQuery,
): Promise<UnmatchedReceiptsReport> {
  const carrier = await deps.db.repos.carriers.findInWorkspace(workspace.id, carrierId);
  if (!carrier) throw new AppError('not_found', `carrier ${carrierId} not found`);
  let receivedBefore = unmatchedCutoff(deps, query.graceMs);
  if (query.before !== undefined) {
    const before = new Date(query.before);
    if (Number.isNaN(before.getTime())) {
      throw new AppError('validation_error', 'before must be an ISO 8601 date-time', { field: 'before' });
    }
    // Stored times are toISOString() text, so compare in that form.
    if (before.toISOString() < receivedBefore) receivedBefore = before.toISOString();
  }
  const page = await deps.db.repos.receipts.listUnmatchedForCarrier(carrier.id, {
    receivedBefore,
    limit: query.limit,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  });
  const unparseable = await deps.db.repos.unparseableReceipts.recentForCarrier(carrier.id, UNPARSEABLE_REPORTED);
  return { ...page, unparseable };
}

/** Unmatched receipts past the grace period, per carrier (the carrier view's count). */
export async function countUnmatchedReceipts(
  deps: Pick<AppContext, 'db' | 'clock'>,
  carrierIds: string[],
  graceMs = UNMATCHED_RECEIPT_GRACE_MS,
): Promise<Map<string, number>> {
  return deps.db.repos.receipts.countUnmatched(carrierIds, unmatchedCutoff(deps, graceMs));
}

function unmatchedCutoff(deps: Pick<AppContext, 'clock'>, graceMs = UNMATCHED_RECEIPT_GRACE_MS): string {
  return new Date(deps.clock.now().getTime() - graceMs).toISOString();
}
