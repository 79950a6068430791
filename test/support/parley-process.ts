import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually } from './fixtures.js';

const BIN = path.resolve('bin/parley');

export type ParleyRole = 'all' | 'api' | 'worker';

export interface ParleyProcess {
  role: ParleyRole;
  child: ChildProcess;
  /** Set for `all` and `api`: the HTTP server's address. */
  baseUrl: string | null;
  output(): string;
  /** Resolves with the exit code (or null, for a signal) once the process has gone. */
  exited: Promise<number | null>;
}

/**
 * Starts `./bin/parley start --role ROLE` as a real process on a free port and waits until it
 * says it has started (its URL, for a role that serves HTTP). Output is kept for diagnostics.
 */
export async function startParleyProcess(env: NodeJS.ProcessEnv, role: ParleyRole, timeoutMs = 60_000): Promise<ParleyProcess> {
  const child = spawn(BIN, ['start', '--port', '0', '--role', role], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const serves = role !== 'worker';
  const started = await eventually(async () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('exited');
    if (serves) return /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1];
    return output.includes(`Parley started (${role})`) ? 'started' : null;
  }, timeoutMs).catch(() => {
    child.kill('SIGKILL');
    throw new Error(`parley --role ${role} did not start:\n${output}`);
  });
  return { role, child, baseUrl: serves ? started : null, output: () => output, exited };
}

/** SIGKILLs every process still running and waits for each to be gone; for afterAll. */
export async function killAll(processes: Iterable<ParleyProcess>): Promise<void> {
  await Promise.all(
    [...processes].map(async (p) => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }),
  );
}

/** The last `lines` lines of a process's output, for a failure message. */
export function tail(p: ParleyProcess, lines = 40): string {
  return p.output().trimEnd().split('\n').slice(-lines).join('\n');
}

/** A JSON request to a Parley process with an API key; answers the status and the parsed body. */
export async function apiRequest<T>(
  baseUrl: string,
  apiKey: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  return { status: response.status, json: (await response.json()) as T };
}

/** The address of a process that serves HTTP (`all` or `api`). */
export function urlOf(p: ParleyProcess): string {
  if (!p.baseUrl) throw new Error(`parley --role ${p.role} serves no HTTP`);
  return p.baseUrl;
}
