// Callbacks passed to page.evaluate run in the browser and use its globals.
/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { killAll, startParleyProcess, urlOf, type ParleyProcess } from '../../support/parley-process.js';

/**
 * Browser tests drive Debian's chromium (never a downloaded browser) against a real
 * `parley start` serving the built web app.
 */
export const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = path.resolve('web/dist');
const AXE = path.resolve('node_modules/axe-core/axe.min.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds web/dist when it is missing or older than its sources (`npm test` builds it first
 * through `pretest`; running this folder alone with vitest does not).
 */
export function ensureWebBuilt(): void {
  const index = path.join(WEB_DIST, 'index.html');
  const sources = Math.max(newestMtime(path.resolve('web/src')), newestMtime(path.resolve('src/domain')), fs.statSync(path.resolve('web/index.html')).mtimeMs);
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return;
  execFileSync(path.resolve('node_modules/.bin/vite'), ['build', '-c', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
}

export interface WebHarness {
  parley: ParleyProcess;
  baseUrl: string;
  browser: Browser;
  dataDir: string;
  stop(): Promise<void>;
}

/** A fresh Parley on SQLite in a temporary folder, and a headless chromium. */
export async function startWebHarness(): Promise<WebHarness> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  ensureWebBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PARLEY_DATA_DIR: dataDir, HOST: '127.0.0.1', LOG_LEVEL: 'info', PARLEY_WEB_DIST_DIR: WEB_DIST };
  delete env.DATABASE_URL;
  const parley = await startParleyProcess(env, 'all');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  return {
    parley,
    baseUrl: urlOf(parley),
    browser,
    dataDir,
    async stop() {
      await browser.close().catch(() => undefined);
      await killAll([parley]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The session's CSRF token, for API calls a test makes as the signed-in person. */
export async function apiAsPage<T>(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const session = (await (await fetch('/v1/session')).json()) as { csrfToken: string };
      const response = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
    },
    { method, url, body },
  );
}
