import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a SQLite WAL from a worker thread with its own connection.
 *
 * SQLite checkpoints inside whichever commit pushes the WAL past `wal_autocheckpoint` pages:
 * that commit copies the WAL into the database file and fsyncs it, synchronously, on the
 * event loop that serves the API and the SMPP sessions (a third of all commit time in the
 * send pipeline benchmark). Here the copying happens on another thread, PASSIVE (it never
 * waits for or blocks a writer); the main connection keeps a much larger auto-checkpoint as a
 * safety net, should this thread fall behind or die.
 */
export const SAFETY_NET_AUTOCHECKPOINT_PAGES = 20_000;

const INTERVAL_MS = 500;

/** The worker's code: plain CommonJS, so it runs without the TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next turn tries again */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, module, intervalMs: INTERVAL_MS } });
  // Never the reason a process stays up; if it fails, the safety net checkpoints instead.
  worker.unref();
  worker.on('error', () => undefined);
  let stopped: Promise<void> | null = null;
  return {
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 1000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        worker.postMessage('stop');
      });
      return stopped;
    },
  };
}
