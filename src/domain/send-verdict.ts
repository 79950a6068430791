import type { ComplianceSettings } from './compliance-settings.js';
import type { Message } from './models.js';
import { nextWindowOpening, parseSendWindow, type QuietHoursPolicy } from './quiet-hours.js';
import { recipientZone } from './recipient-time-zone.js';
import { unsendableReason, type Refusal } from './send-rules.js';

/**
 * What the send path does with a message now: send it, refuse it for good, or hold it
 * until a rule allows it. The same rules run when a message is created (so the API can
 * say "scheduled for 08:00" or refuse at once) and when a worker claims it (consent,
 * the clock and the cap may all have changed since).
 */
export type SendVerdict =
  | { kind: 'send' }
  | { kind: 'refuse'; refusal: Refusal }
  | {
      kind: 'defer';
      until: Date;
      reason: string;
      /** The message's sendAt moves too, so its validity runs from the new time. */
      reschedule: boolean;
    };

/** How long marketing held for a consent review waits before it is looked at again. */
export const REVIEW_HOLD_RECHECK_MS = 10 * 60_000;

export interface VerdictInput {
  message: Pick<Message, 'category' | 'consentExempt' | 'sendAt' | 'createdAt'>;
  /** Opted out of this message's sender (workspace-wide or that number). */
  optedOut: boolean;
  reviewPending: boolean;
  recipient: { phoneNumber: string; timeZone: string | null };
  /** When this contact was sent marketing, oldest first; those older than the cap's window are ignored. */
  marketingSentAt: readonly string[];
  settings: ComplianceSettings;
  now: Date;
  validitySeconds: number;
  /** At creation a consent review does not hold the message yet: the claim will. */
  atCreation?: boolean;
}

export function sendVerdict(input: VerdictInput): SendVerdict {
  const refusal = unsendableReason({
    message: input.message,
    contactOptedOut: input.optedOut,
    now: input.now,
    validitySeconds: input.validitySeconds,
  });
  if (refusal) return { kind: 'refuse', refusal };
  if (input.message.category !== 'marketing' || input.message.consentExempt) return { kind: 'send' };

  if (input.reviewPending && !input.atCreation) {
    return {
      kind: 'defer',
      until: new Date(input.now.getTime() + REVIEW_HOLD_RECHECK_MS),
      reason: 'a reply from this contact may be an opt-out and awaits a person (consent review)',
      reschedule: false,
    };
  }

  const opening = quietHoursOpening(input.settings, input.recipient, input.now);
  if (opening) {
    return {
      kind: 'defer',
      until: opening,
      reason: "quiet hours in the recipient's time zone",
      reschedule: true,
    };
  }

  const cap = input.settings.marketingCap;
  const windowMs = (cap?.windowHours ?? 0) * 3_600_000;
  // Only the sends within this workspace's window count (callers may pass a longer history).
  const recent = input.marketingSentAt.filter((time) => Date.parse(time) >= input.now.getTime() - windowMs);
  if (cap && recent.length >= cap.max) {
    if (cap.overCap === 'fail') {
      return {
        kind: 'refuse',
        refusal: {
          status: 'failed',
          errorCode: 'frequency_capped',
          message: `the contact already received ${recent.length} marketing messages in the last ${cap.windowHours} hours (cap ${cap.max})`,
        },
      };
    }
    // The send that must age out of the window before one more fits under the cap.
    const blocking = recent[recent.length - cap.max] ?? recent[0] ?? input.now.toISOString();
    return {
      kind: 'defer',
      until: new Date(Math.max(Date.parse(blocking) + windowMs, input.now.getTime() + 1000)),
      reason: `frequency cap of ${cap.max} marketing messages per ${cap.windowHours} hours`,
      reschedule: true,
    };
  }
  return { kind: 'send' };
}

/** The opening of the recipient's next send window, or null when marketing may go now. */
export function quietHoursOpening(
  settings: ComplianceSettings,
  recipient: { phoneNumber: string; timeZone: string | null },
  now: Date,
): Date | null {
  if (settings.quietHours === null) return null;
  const zone = recipientZone({ contactTimeZone: recipient.timeZone, phoneNumber: recipient.phoneNumber });
  const policy = quietHoursPolicyOf(settings);
  const zones = zone ? [zone, ...(zone.otherTimeZones ?? []).map((timeZone) => ({ ...zone, timeZone }))] : [null];
  // Inside the window in every zone the number may be in: move to the latest opening until
  // all agree (zones an hour or two apart meet within a pass or two).
  let at = now;
  for (let pass = 0; pass < 4; pass++) {
    let latest: Date | null = null;
    for (const candidate of zones) {
      const opening = nextWindowOpening(at, candidate, policy, settings.timeZone);
      if (opening && (!latest || opening > latest)) latest = opening;
    }
    if (!latest) return at === now ? null : at;
    at = latest;
  }
  return at;
}

const policyCache = new WeakMap<ComplianceSettings, QuietHoursPolicy>();

/** The settings' windows, parsed once per settings object. */
export function quietHoursPolicyOf(settings: ComplianceSettings): QuietHoursPolicy {
  let policy = policyCache.get(settings);
  if (!policy) {
    policy = {
      window: parseSendWindow(settings.quietHours ?? '00:00-24:00'),
      regionWindows: Object.fromEntries(Object.entries(settings.regionQuietHours).map(([region, value]) => [region, parseSendWindow(value)])),
    };
    policyCache.set(settings, policy);
  }
  return policy;
}
