import { DEFAULT_COMPLIANCE, type ComplianceSettings } from '../domain/compliance-settings.js';
import { effectiveSendWindow, parseSendWindow } from '../domain/quiet-hours.js';
import { quietHoursPolicyOf } from '../domain/send-verdict.js';
import { isValidTimeZone } from '../domain/recipient-time-zone.js';
import type { AppContext } from '../context.js';
import { AppError } from '../domain/errors.js';
import type { ApiKey, User, Workspace, WorkspaceSettings } from '../domain/models.js';
import { validateBody } from '../domain/message-body.js';
import { isValidCountryCode } from '../domain/phone-number.js';
import { isUniqueViolation } from '../store/database.js';
import { generateApiKey, hashApiKey, hashPassword, verifyPassword } from './secrets.js';

type Deps = Pick<AppContext, 'db' | 'clock' | 'ids'>;

export interface CreateWorkspaceInput {
  name: string;
  defaultCountry?: string;
  helpText?: string | null;
  smartEncoding?: boolean;
  owner?: { name: string; email: string; password: string };
}

export interface CreatedWorkspace {
  workspace: Workspace;
  apiKey: string;
  apiKeyRecord: ApiKey;
  owner: User | null;
}

/** Creates a workspace with its first API key (shown once) and, optionally, its owner. */
export async function createWorkspace(deps: Deps, input: CreateWorkspaceInput): Promise<CreatedWorkspace> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) {
    throw new AppError('validation_error', 'name must be 1–200 characters', { field: 'name' });
  }
  const defaultCountry = normalizeCountry(input.defaultCountry ?? 'US');
  const now = deps.clock.now().toISOString();
  const workspace: Workspace = {
    id: deps.ids.next(),
    name,
    defaultCountry,
    helpText: input.helpText ?? null,
    // Off unless asked for: smart encoding rewrites what the sender typed.
    smartEncoding: input.smartEncoding ?? false,
    unknownOutcome: 'fail',
    maxSegmentsPerSecond: null,
    compliance: DEFAULT_COMPLIANCE,
    createdAt: now,
  };
  const passwordHash = input.owner ? await validateAndHashOwner(input.owner) : null;
  const generated = generateApiKey();
  const apiKeyRecord: ApiKey = {
    id: deps.ids.next(),
    workspaceId: workspace.id,
    name: 'default',
    prefix: generated.prefix,
    createdAt: now,
    revokedAt: null,
    lastUsedAt: null,
  };
  const owner: User | null =
    input.owner && passwordHash
      ? {
          id: deps.ids.next(),
          workspaceId: workspace.id,
          email: input.owner.email.trim().toLowerCase(),
          name: input.owner.name.trim(),
          role: 'owner',
          createdAt: now,
        }
      : null;
  try {
    await deps.db.transaction(async (repos) => {
      await repos.workspaces.insert(workspace);
      await repos.apiKeys.insert(apiKeyRecord, generated.hash);
      if (owner && passwordHash) await repos.users.insert(owner, passwordHash);
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('already_exists', 'a user with this email already exists', { field: 'owner.email' });
    }
    throw error;
  }
  return { workspace, apiKey: generated.key, apiKeyRecord, owner };
}

function normalizeCountry(input: string): string {
  const country = input.trim().toUpperCase();
  if (!isValidCountryCode(country)) {
    throw new AppError('validation_error', `defaultCountry "${country}" is not a known country code`, {
      field: 'defaultCountry',
    });
  }
  return country;
}

/**
 * Changes a workspace's settings; absent fields stay as they are. `helpText: null` goes back
 * to the default HELP reply. The text is checked like a message body, since it is sent as one.
 */
export async function updateWorkspaceSettings(
  deps: Pick<AppContext, 'db' | 'ids' | 'clock'>,
  workspace: Workspace,
  changes: Partial<Omit<WorkspaceSettings, 'compliance'>> & Partial<ComplianceSettings>,
  actor = 'system',
): Promise<Workspace> {
  const settings: Partial<WorkspaceSettings> = {};
  if (changes.smartEncoding !== undefined) settings.smartEncoding = changes.smartEncoding;
  if (changes.defaultCountry !== undefined) settings.defaultCountry = normalizeCountry(changes.defaultCountry);
  if (changes.unknownOutcome !== undefined) settings.unknownOutcome = changes.unknownOutcome;
  if (changes.maxSegmentsPerSecond !== undefined) settings.maxSegmentsPerSecond = changes.maxSegmentsPerSecond;
  if (changes.helpText !== undefined) {
    settings.helpText = changes.helpText === null ? null : validateBody(changes.helpText.trim(), 'helpText');
  }
  const compliance = validateCompliance(changes);
  if (Object.keys(compliance).length > 0) {
    checkRegionWindows({ ...workspace.compliance, ...compliance });
    settings.compliance = compliance;
  }
  const updated = await deps.db.repos.workspaces.updateSettings(workspace.id, settings);
  if (!updated) throw new AppError('not_found', 'workspace not found');
  await auditComplianceChange(deps, workspace, updated, actor);
  return updated;
}

/**
 * Turning quiet hours or the cap off, changing the opt-out scope or the replies changes what
 * customers receive: the audit log says who changed which, from what to what.
 */
async function auditComplianceChange(
  deps: Pick<AppContext, 'db' | 'ids' | 'clock'>,
  before: Workspace,
  after: Workspace,
  actor: string,
): Promise<void> {
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after.compliance) as Array<keyof ComplianceSettings>) {
    if (JSON.stringify(before.compliance[key]) !== JSON.stringify(after.compliance[key])) {
      changed[key] = { from: before.compliance[key], to: after.compliance[key] };
    }
  }
  if (before.helpText !== after.helpText) changed.helpText = { from: before.helpText, to: after.helpText };
  if (Object.keys(changed).length === 0) return;
  await deps.db.repos.audit.append({
    id: deps.ids.next(),
    workspaceId: after.id,
    actor,
    action: 'workspace.compliance_changed',
    targetType: 'workspace',
    targetId: after.id,
    detail: changed,
    createdAt: deps.clock.now().toISOString(),
  });
}

/** Region windows narrow the workspace's window; one that does not overlap it is a mistake. */
function checkRegionWindows(settings: ComplianceSettings): void {
  if (settings.quietHours === null) return;
  const policy = quietHoursPolicyOf(settings);
  for (const region of Object.keys(settings.regionQuietHours)) {
    try {
      effectiveSendWindow(policy, region);
    } catch (error) {
      throw new AppError('validation_error', `regionQuietHours.${region}: ${(error as Error).message}`, { field: `regionQuietHours.${region}` });
    }
  }
}

/** The compliance fields among `changes`, each checked: a bad one is refused, naming it. */
function validateCompliance(changes: Partial<ComplianceSettings>): Partial<ComplianceSettings> {
  const out: Partial<ComplianceSettings> = {};
  const text = (value: string | null, field: string, max: number): string | null => {
    if (value === null) return null;
    const trimmed = value.trim();
    if (trimmed.length === 0 || trimmed.length > max) throw new AppError('validation_error', `${field} must be 1–${max} characters, or null`, { field });
    return trimmed;
  };
  const windowOf = (value: string, field: string): string => {
    try {
      parseSendWindow(value);
    } catch (error) {
      throw new AppError('validation_error', `${field}: ${(error as Error).message}`, { field });
    }
    return value;
  };
  if (changes.brandName !== undefined) out.brandName = text(changes.brandName, 'brandName', 100);
  if (changes.supportContact !== undefined) out.supportContact = text(changes.supportContact, 'supportContact', 200);
  if (changes.optOutReply !== undefined) out.optOutReply = changes.optOutReply === null ? null : validateBody(changes.optOutReply.trim(), 'optOutReply');
  if (changes.optInReply !== undefined) out.optInReply = changes.optInReply === null ? null : validateBody(changes.optInReply.trim(), 'optInReply');
  if (changes.optOutScope !== undefined) out.optOutScope = changes.optOutScope;
  if (changes.quietHours !== undefined) out.quietHours = changes.quietHours === null ? null : windowOf(changes.quietHours, 'quietHours');
  if (changes.regionQuietHours !== undefined) {
    out.regionQuietHours = Object.fromEntries(
      Object.entries(changes.regionQuietHours).map(([region, value]) => [region, windowOf(value, `regionQuietHours.${region}`)]),
    );
  }
  if (changes.timeZone !== undefined) {
    if (!isValidTimeZone(changes.timeZone)) {
      throw new AppError('validation_error', `timeZone "${changes.timeZone}" is not an IANA time zone (e.g. America/Chicago)`, { field: 'timeZone' });
    }
    out.timeZone = changes.timeZone;
  }
  if (changes.marketingCap !== undefined) out.marketingCap = changes.marketingCap;
  return out;
}

async function validateAndHashOwner(owner: { name: string; email: string; password: string }): Promise<string> {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(owner.email.trim())) {
    throw new AppError('validation_error', 'owner email is not an email address', { field: 'owner.email' });
  }
  if (owner.password.length < 8) {
    throw new AppError('validation_error', 'password must be at least 8 characters', { field: 'owner.password' });
  }
  return hashPassword(owner.password);
}

export async function createApiKey(
  deps: Deps,
  workspaceId: string,
  name: string,
): Promise<{ apiKey: string; record: ApiKey }> {
  const generated = generateApiKey();
  const record: ApiKey = {
    id: deps.ids.next(),
    workspaceId,
    name: name.trim() || 'unnamed',
    prefix: generated.prefix,
    createdAt: deps.clock.now().toISOString(),
    revokedAt: null,
    lastUsedAt: null,
  };
  await deps.db.repos.apiKeys.insert(record, generated.hash);
  return { apiKey: generated.key, record };
}

export async function revokeApiKey(deps: Deps, workspaceId: string, id: string): Promise<void> {
  const revoked = await deps.db.repos.apiKeys.revoke(workspaceId, id, deps.clock.now().toISOString());
  if (!revoked) throw new AppError('not_found', `api key ${id} not found`);
}

/** The workspace a bearer key belongs to; revoked or unknown keys are refused alike. */
export async function authenticateApiKey(
  deps: Pick<AppContext, 'db'>,
  key: string,
): Promise<{ workspace: Workspace; apiKey: ApiKey }> {
  const found = key.startsWith('pk_') ? await deps.db.repos.apiKeys.findActiveWithWorkspace(hashApiKey(key)) : null;
  if (!found) throw new AppError('unauthorized', 'the API key is missing, unknown or revoked');
  return found;
}

export async function authenticateUser(
  deps: Pick<AppContext, 'db'>,
  email: string,
  password: string,
): Promise<User> {
  const found = await deps.db.repos.users.findByEmail(email.trim().toLowerCase());
  if (!found || !(await verifyPassword(password, found.passwordHash))) {
    throw new AppError('unauthorized', 'email or password is wrong');
  }
  return found.user;
}
