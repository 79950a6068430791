/**
 * Multi-row statements must stay under the drivers' bound-parameter limits: SQLite (as
 * better-sqlite3 builds it) refuses more than 32,766 per statement, PostgreSQL 65,535.
 * One limit with headroom for both, so a statement that runs on one store runs on the other.
 */
export const MAX_BIND_PARAMETERS = 30_000;

/** Splits `items` so each slice binds at most MAX_BIND_PARAMETERS at `parametersPerItem` each. */
export function slicesWithinBindLimit<T>(items: readonly T[], parametersPerItem: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_BIND_PARAMETERS / parametersPerItem));
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  return slices;
}
