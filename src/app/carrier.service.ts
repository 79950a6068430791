import type { AppContext } from '../context.js';
import type { CarrierStatus } from '../carriers/carrier.js';
import { AppError } from '../domain/errors.js';
import type { BusinessNumber, CarrierRecord, CarrierType, NumberKind, Workspace } from '../domain/models.js';
import { parsePhone } from '../domain/phone-number.js';
import { isUniqueViolation } from '../store/database.js';
import { countUnmatchedReceipts } from './unmatched-receipts.js';
import type { ReportedCarrierStatus } from '../store/carrier-status.repository.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'carriers'>;

export interface CarrierView extends CarrierRecord {
  status: CarrierStatus;
  /** The adapter's last connection or bind error, shown next to the live status. */
  lastError: string | null;
  /** Receipts still matching no message after the grace period (see unmatched-receipts.ts); 0 when unset. */
  unmatchedReceipts?: number;
}

/** How often sending processes write their carriers' live status; reports 3× older are ignored. */
export const STATUS_REPORT_MS = 5_000;

/**
 * Live state: this process's own connection when it has one; else what the sending processes
 * reported to the store in the last few seconds (an API process started with `--role api`
 * holds no connections), the best of them, since one bound process is enough to send.
 */
async function views(deps: Deps, records: CarrierRecord[], unmatched: Map<string, number>): Promise<CarrierView[]> {
  const remote = records.filter((record) => !deps.carriers.get(record.id)).map((record) => record.id);
  const since = new Date(deps.clock.now().getTime() - 3 * STATUS_REPORT_MS).toISOString();
  const reports = await deps.db.repos.carrierStatus.recent(remote, since);
  return records.map((record) => {
    const local = deps.carriers.get(record.id);
    const best = local ? null : bestReport(reports.get(record.id) ?? []);
    return {
      ...record,
      status: local ? deps.carriers.status(record.id) : ((best?.status as CarrierStatus | undefined) ?? 'down'),
      lastError: local ? deps.carriers.lastError(record.id) : (best?.lastError ?? null),
      unmatchedReceipts: unmatched.get(record.id) ?? 0,
    };
  });
}

const STATUS_RANK: Record<string, number> = { bound: 0, ready: 0, auth_failed: 1, connecting: 2, down: 3 };

function bestReport(reports: ReportedCarrierStatus[]): ReportedCarrierStatus | null {
  return [...reports].sort((a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9))[0] ?? null;
}

export async function createCarrier(
  deps: Deps,
  workspace: Workspace,
  input: { type: string; name: string; settings: Record<string, unknown> },
): Promise<CarrierView> {
  const name = input.name.trim();
  if (name.length === 0) throw new AppError('validation_error', 'name must not be empty', { field: 'name' });
  deps.carriers.validate(input.type, input.settings);
  const record: CarrierRecord = {
    id: deps.ids.next(),
    workspaceId: workspace.id,
    type: input.type as CarrierType,
    name,
    settings: input.settings,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.db.repos.carriers.insert(record);
  await deps.carriers.ensure(record);
  // A carrier created just now has no receipts yet.
  const [created] = await views(deps, [record], new Map());
  if (!created) throw new Error('unreachable: one record in, one view out');
  return created;
}

export async function getCarrier(deps: Deps, workspace: Workspace, id: string): Promise<CarrierView> {
  const record = await deps.db.repos.carriers.findInWorkspace(workspace.id, id);
  if (!record) throw new AppError('not_found', `carrier ${id} not found`);
  const unmatched = await countUnmatchedReceipts(deps, [record.id]);
  const [found] = await views(deps, [record], unmatched);
  if (!found) throw new Error('unreachable: one record in, one view out');
  return found;
}

export async function listCarriers(deps: Deps, workspace: Workspace): Promise<CarrierView[]> {
  const records = await deps.db.repos.carriers.listForWorkspace(workspace.id);
  // One grouped count for all of them, served by the partial index on unmatched receipts.
  const unmatched = await countUnmatchedReceipts(deps, records.map((record) => record.id));
  return views(deps, records, unmatched);
}


export async function createNumber(
  deps: Deps,
  workspace: Workspace,
  input: { phoneNumber: string; carrierId: string; kind?: NumberKind; mps?: number },
): Promise<BusinessNumber> {
  const phone = parsePhone(input.phoneNumber, workspace.defaultCountry, 'phoneNumber');
  const kind: NumberKind = input.kind ?? (phone.kind === 'short_code' ? 'short_code' : 'long_code');
  if (phone.kind === 'short_code' && kind !== 'short_code') {
    throw new AppError('validation_error', `a ${phone.value.length}-digit number can only be a short_code`, {
      field: 'kind',
    });
  }
  if (phone.kind === 'e164' && kind === 'short_code') {
    throw new AppError('validation_error', 'a short_code is 3–8 digits, not a full phone number', { field: 'kind' });
  }
  const carrier = await deps.db.repos.carriers.findInWorkspace(workspace.id, input.carrierId);
  if (!carrier) {
    throw new AppError('carrier_not_found', `carrier ${input.carrierId} not found`, { field: 'carrierId' });
  }
  const number: BusinessNumber = {
    id: deps.ids.next(),
    workspaceId: workspace.id,
    carrierId: carrier.id,
    phoneNumber: phone.value,
    kind,
    mps: input.mps ?? null,
    createdAt: deps.clock.now().toISOString(),
  };
  try {
    await deps.db.repos.numbers.insert(number);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('already_exists', `${phone.value} is already registered`, { field: 'phoneNumber' });
    }
    throw error;
  }
  return number;
}

export async function getNumber(deps: Deps, workspace: Workspace, id: string): Promise<BusinessNumber> {
  const number = await deps.db.repos.numbers.findInWorkspace(workspace.id, id);
  if (!number) throw new AppError('not_found', `number ${id} not found`);
  return number;
}
