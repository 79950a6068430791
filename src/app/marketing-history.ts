import type { ComplianceSettings } from '../domain/compliance-settings.js';
import type { Repositories } from '../store/store.js';

/**
 * When each contact was last sent marketing, as far back as the longest frequency-cap window
 * among their workspaces (sendVerdict keeps only each workspace's own window). Nothing is
 * read when no marketing is asked about.
 */
export async function marketingSentTimes(
  repos: Pick<Repositories, 'messages'>,
  marketing: ReadonlyArray<{ contactId: string; settings: ComplianceSettings }>,
  now: Date,
): Promise<Map<string, string[]>> {
  if (marketing.length === 0) return new Map();
  const windowHours = Math.max(0, ...marketing.map(({ settings }) => settings.marketingCap?.windowHours ?? 0));
  return repos.messages.marketingSentSince(
    [...new Set(marketing.map(({ contactId }) => contactId))],
    new Date(now.getTime() - windowHours * 3_600_000).toISOString(),
  );
}
