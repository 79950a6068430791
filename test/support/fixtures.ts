import type { ComplianceSettings } from '../../src/domain/compliance-settings.js';
import type { AppContext } from '../../src/context.js';
import { createWorkspace, updateWorkspaceSettings } from '../../src/app/workspace.service.js';
import { createCarrier, createNumber } from '../../src/app/carrier.service.js';
import type { BusinessNumber, Workspace } from '../../src/domain/models.js';

/** Valid, fictional North American numbers (555-01xx is reserved for fiction). */
export const BUSINESS_NUMBER = '+12015550100';
export const CUSTOMER = '+12015550123';
export const OTHER_CUSTOMER = '+12015550124';

export interface SeededWorkspace {
  workspace: Workspace;
  apiKey: string;
  carrierId: string;
  number: BusinessNumber;
}

/** A workspace with an API key, a simulator carrier and one business number. */
export async function seedWorkspace(
  ctx: AppContext,
  options: {
    name?: string;
    phoneNumber?: string;
    deliveryDelayMs?: number;
    failureRate?: number;
    mps?: number;
    /** Compliance settings over the defaults; see below. */
    compliance?: Partial<ComplianceSettings>;
  } = {},
): Promise<SeededWorkspace> {
  const created = await createWorkspace(ctx, { name: options.name ?? 'Acme Dental' });
  // Tests run at any hour and send many marketing messages (a batch's default category) to
  // the same few contacts: quiet hours and the frequency cap are off unless a test asks,
  // so a test about something else does not find its batch scheduled for 08:00. The
  // compliance tests turn them on with an injected clock.
  const workspace = await updateWorkspaceSettings(ctx, created.workspace, {
    quietHours: null,
    marketingCap: null,
    ...(options.compliance ?? {}),
  });
  const apiKey = created.apiKey;
  const carrier = await createCarrier(ctx, workspace, {
    type: 'simulator',
    name: 'sim',
    settings: { deliveryDelayMs: options.deliveryDelayMs ?? 5, failureRate: options.failureRate ?? 0 },
  });
  const number = await createNumber(ctx, workspace, {
    phoneNumber: options.phoneNumber ?? BUSINESS_NUMBER,
    carrierId: carrier.id,
    // Fast enough that pacing never shows in tests about something else; the pacing tests
    // create their own numbers with the defaults or low limits.
    mps: options.mps ?? 10_000,
  });
  return { workspace, apiKey, carrierId: carrier.id, number };
}

/** Polls until `check` returns a value, for outcomes that arrive asynchronously. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
