import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DEFAULT_REASSEMBLY_TIMEOUT_SECONDS } from './domain/reassembly.js';

/**
 * The one description of Parley's configuration: the type is derived from the schema,
 * and the environment is read and validated once, at start-up.
 */
export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  databaseUrl: Type.Union([Type.String({ pattern: '^postgres(ql)?://' }), Type.Null()]),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
  ),
  /** How long a worker may hold a claimed message before another may recover it. */
  leaseSeconds: Type.Integer({ minimum: 5, maximum: 3600 }),
  /** How often an idle worker looks for due messages (it is also woken on every enqueue). */
  pollIntervalMs: Type.Integer({ minimum: 10, maximum: 60_000 }),
  /** A message still unsent after this long fails with `validity_expired`. */
  validitySeconds: Type.Integer({ minimum: 60, maximum: 7 * 24 * 3600 }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 50 }),
  workerConcurrency: Type.Integer({ minimum: 1, maximum: 1000 }),
  bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 }),
  /** An inbound multipart text still missing parts this long after its first part arrived is released, marked incomplete. */
  reassemblyTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 24 * 3600 }),
  /** Mark the session cookie `Secure` on every response (behind a TLS-terminating proxy); it always is for https requests. */
  secureCookies: Type.Boolean(),
  /** The built web inbox (`npm run build:web`), served at `/`. */
  webDistDir: Type.String({ minLength: 1 }),
});

export type Config = Static<typeof ConfigSchema>;

const ENV_NAMES: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'PARLEY_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  logLevel: 'LOG_LEVEL',
  leaseSeconds: 'PARLEY_LEASE_SECONDS',
  pollIntervalMs: 'PARLEY_POLL_INTERVAL_MS',
  validitySeconds: 'PARLEY_VALIDITY_SECONDS',
  maxAttempts: 'PARLEY_MAX_ATTEMPTS',
  workerConcurrency: 'PARLEY_WORKER_CONCURRENCY',
  bodyLimitBytes: 'PARLEY_BODY_LIMIT_BYTES',
  reassemblyTimeoutSeconds: 'PARLEY_REASSEMBLY_TIMEOUT_SECONDS',
  secureCookies: 'PARLEY_SECURE_COOKIES',
  webDistDir: 'PARLEY_WEB_DIST_DIR',
};

/** `<repo>/web/dist`, wherever the process was started from. */
const DEFAULT_WEB_DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, key: keyof Config, fallback: number): number {
  const raw = env[ENV_NAMES[key]];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new ConfigError(`${ENV_NAMES[key]} must be an integer, got "${raw}"`);
  return value;
}

function boolean(env: NodeJS.ProcessEnv, key: keyof Config, fallback: boolean): boolean {
  const raw = env[ENV_NAMES[key]];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${ENV_NAMES[key]} must be true or false, got "${raw}"`);
}

/** Reads configuration from the environment, with overrides (e.g. CLI flags); fails fast naming the setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const candidate: Config = {
    port: integer(env, 'port', 3000),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.PARLEY_DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || null,
    logLevel: env.LOG_LEVEL || 'info',
    leaseSeconds: integer(env, 'leaseSeconds', 60),
    pollIntervalMs: integer(env, 'pollIntervalMs', 250),
    validitySeconds: integer(env, 'validitySeconds', 4 * 3600),
    maxAttempts: integer(env, 'maxAttempts', 5),
    workerConcurrency: integer(env, 'workerConcurrency', 32),
    bodyLimitBytes: integer(env, 'bodyLimitBytes', 8 * 1024 * 1024),
    reassemblyTimeoutSeconds: integer(env, 'reassemblyTimeoutSeconds', DEFAULT_REASSEMBLY_TIMEOUT_SECONDS),
    secureCookies: boolean(env, 'secureCookies', false),
    webDistDir: path.resolve(env.PARLEY_WEB_DIST_DIR || DEFAULT_WEB_DIST_DIR),
    ...overrides,
  };
  const error = Value.Errors(ConfigSchema, candidate).First();
  if (error) {
    const key = error.path.replace(/^\//, '').split('/')[0] as keyof Config;
    const name = ENV_NAMES[key] ?? key;
    throw new ConfigError(`Invalid setting ${name}=${JSON.stringify(candidate[key])}: ${error.message}`);
  }
  return candidate;
}
