import type { AppContext } from '../context.js';
import type { CarrierStatus } from '../carriers/carrier.js';
import { AppError } from '../domain/errors.js';
import type { BusinessNumber, CarrierRecord, CarrierType, NumberKind, Workspace } from '../domain/models.js';
import { parsePhone } from '../domain/phone-number.js';
import { isUniqueViolation } from '../store/database.js';
import { countUnmatchedReceipts } from './unmatched-receipts.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids' | 'carriers'>;

export interface CarrierView extends CarrierRecord {
  status: CarrierStatus;
  /** The adapter's last connection or bind error, shown next to the live status. */
  lastError: string | null;
  /** Receipts still matching no message after the grace period (see unmatched-receipts.ts); 0 when unset. */
  unmatchedReceipts?: number;
}

/** Live state is per process: it comes from the registry, never from the store. */
function view(deps: Deps, record: CarrierRecord, unmatchedReceipts: number): CarrierView {
  return {
    ...record,
    status: deps.carriers.status(record.id),
    lastError: deps.carriers.lastError(record.id),
    unmatchedReceipts,
  };
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
  return view(deps, record, 0);
}

export async function getCarrier(deps: Deps, workspace: Workspace, id: string): Promise<CarrierView> {
  const record = await deps.db.repos.carriers.findInWorkspace(workspace.id, id);
  if (!record) throw new AppError('not_found', `carrier ${id} not found`);
  const unmatched = await countUnmatchedReceipts(deps, [record.id]);
  return view(deps, record, unmatched.get(record.id) ?? 0);
}

export async function listCarriers(deps: Deps, workspace: Workspace): Promise<CarrierView[]> {
  const records = await deps.db.repos.carriers.listForWorkspace(workspace.id);
  // One grouped count for all of them, served by the partial index on unmatched receipts.
  const unmatched = await countUnmatchedReceipts(deps, records.map((record) => record.id));
  return records.map((record) => view(deps, record, unmatched.get(record.id) ?? 0));
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
