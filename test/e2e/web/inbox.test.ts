// Callbacks passed to page.evaluate run in the browser and use its globals.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { apiAsPage, seriousAxeViolations, startWebHarness, type WebHarness } from './browser.js';

/**
 * The web inbox end to end: a real Parley process, Debian's chromium, and a person who sets
 * Parley up, plays the customer on the phone simulator and answers from the inbox. The steps
 * share one server and build on each other, in order.
 */

const OWNER = { workspace: 'Bright Smiles', name: 'Dana Owner', email: 'dana@example.com', password: 'correct horse battery' };
const DEMO_NUMBER = '+12015550100';
const CUSTOMER = '+12015550123';
const XSS_CUSTOMER = '+12015550177';
const XSS_BODY = '<img src=x onerror=alert(1)>';
/**
 * The README's screenshots: `PARLEY_SCREENSHOTS_DIR=docs npx vitest run test/e2e/web` refreshes
 * docs/inbox.png and docs/simulator.png; an ordinary run writes them to a temporary folder, so
 * running the tests does not change tracked files.
 */
const SCREENSHOTS = path.resolve(process.env.PARLEY_SCREENSHOTS_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-shots-')));

describe('web inbox in a real browser', () => {
  let harness: WebHarness;
  let context: BrowserContext;
  let inbox: Page;
  let phone: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    harness = await startWebHarness();
    context = await harness.browser.newContext({ viewport: { width: 1360, height: 860 } });
    context.on('page', (page) => {
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
    });
    inbox = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await harness?.stop();
    if (!process.env.PARLEY_SCREENSHOTS_DIR) fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  /** Texts the business from the phone simulator page, as a customer would. */
  async function textFromHandset(handset: string, body: string): Promise<void> {
    await phone.getByLabel('Your handset number').fill(handset);
    await phone.getByRole('button', { name: 'Use this phone' }).click();
    await phone.getByLabel('Text message').fill(body);
    await phone.getByRole('button', { name: 'Send text' }).click();
    await phone.getByTestId('handset-message').filter({ hasText: body }).first().waitFor();
  }

  it('first run shows setup, creates the workspace and signs the owner in; sign-out and sign-in work', async () => {
    await inbox.goto(harness.baseUrl);
    await inbox.getByRole('heading', { name: 'Set up your workspace' }).waitFor();
    expect(await seriousAxeViolationsBypassingCsp('/')).toEqual([]);

    await inbox.getByLabel('Workspace name').fill(OWNER.workspace);
    await inbox.getByLabel('Your name').fill(OWNER.name);
    await inbox.getByLabel('Email').fill(OWNER.email);
    await inbox.getByLabel('Password').fill(OWNER.password);
    await inbox.getByRole('button', { name: 'Create workspace' }).click();
    await inbox.getByRole('listbox', { name: 'Conversation list' }).waitFor();
    await expect(inbox.getByText(OWNER.workspace).first().isVisible()).resolves.toBe(true);

    await inbox.getByRole('button', { name: 'Sign out' }).click();
    await inbox.getByRole('heading', { name: 'Sign in' }).waitFor();
    await inbox.getByLabel('Email').fill(OWNER.email);
    await inbox.getByLabel('Password').fill('wrong password');
    await inbox.getByRole('button', { name: 'Sign in' }).click();
    await inbox.getByRole('alert').waitFor();
    await inbox.getByLabel('Password').fill(OWNER.password);
    await inbox.getByRole('button', { name: 'Sign in' }).click();
    await inbox.getByRole('listbox', { name: 'Conversation list' }).waitFor();
  });

  it('a simulated customer text appears in the inbox live, without a reload, and counts in the tab title', async () => {
    // A marker on the window proves the inbox page was never reloaded.
    await inbox.evaluate(() => ((window as unknown as { marker: string }).marker = 'still here'));
    phone = await context.newPage();
    await phone.goto(`${harness.baseUrl}/simulator`);
    await phone.getByRole('heading', { name: 'Phone simulator' }).waitFor();
    await textFromHandset(CUSTOMER, 'Hi, can I move my cleaning to Friday?');

    const row = inbox.getByRole('option', { name: /Jamie Rivera|\(201\) 555-0123/ });
    await row.waitFor({ timeout: 10_000 });
    await expect(row.textContent()).resolves.toContain('can I move my cleaning to Friday?');
    await expect.poll(() => row.textContent()).toContain('unread');
    await inbox.waitForFunction(() => document.title.startsWith('(1)'));
    await expect(inbox.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe('still here');
  });

  it('sends from the composer: live segment count, Enter sends, the status moves on, the handset receives it', async () => {
    await inbox.getByRole('option', { name: /Jamie Rivera|\(201\) 555-0123/ }).click();
    await inbox.getByRole('log', { name: 'Messages' }).getByText('can I move my cleaning to Friday?').waitFor();
    await inbox.waitForFunction(() => document.title === 'Parley');

    const composer = inbox.getByRole('textbox', { name: 'Message' });
    await composer.fill('It’s fine — see you Friday');
    // Curly quote and em dash force UCS-2; they are highlighted and smart encoding fixes them.
    await inbox.getByText(/UCS-2 · 1 segment/).waitFor();
    await expect(inbox.locator('.encoding-warning mark.char').allTextContents()).resolves.toEqual(['’', '—']);
    await inbox.getByRole('button', { name: /Replace look-alikes/ }).click();
    await expect.poll(() => composer.inputValue()).toBe("It's fine - see you Friday");
    await inbox.getByText(/GSM-7 · 1 segment/).waitFor();

    // Shift+Enter adds a line, Enter sends.
    await composer.press('End');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('Reply C to confirm.');
    await expect(composer.inputValue()).resolves.toBe("It's fine - see you Friday\nReply C to confirm.");
    await expect(inbox.getByRole('button', { name: 'Send', exact: true }).isEnabled()).resolves.toBe(true);
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe('');

    const sent = inbox.getByTestId('message').filter({ hasText: 'Reply C to confirm.' });
    await sent.waitFor();
    await inbox.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="message"]')].some((m) => m.textContent?.includes('Reply C') && m.getAttribute('data-status') === 'delivered'),
      undefined,
      { timeout: 15_000 },
    );
    await expect(sent.textContent()).resolves.toContain('Delivered');
    await phone.getByTestId('handset-message').filter({ hasText: 'Reply C to confirm.' }).waitFor({ timeout: 10_000 });
  });

  it('keeps internal notes in the thread, marked as internal, and never sends them', async () => {
    await inbox.getByRole('button', { name: 'Internal note' }).click();
    await inbox.getByRole('textbox', { name: 'Internal note' }).fill('Prefers afternoons');
    await inbox.getByRole('button', { name: 'Add note' }).click();
    const note = inbox.getByTestId('note').filter({ hasText: 'Prefers afternoons' });
    await note.waitFor();
    await expect(note.textContent()).resolves.toContain('Internal note');
    await inbox.getByRole('button', { name: 'Reply', exact: true }).click();
    await phone.waitForTimeout(500);
    await expect(phone.getByTestId('handset-message').filter({ hasText: 'Prefers afternoons' }).count()).resolves.toBe(0);
  });

  it('assigns to me, closes and reopens', async () => {
    await inbox.getByLabel('Assign to').selectOption({ label: `Me (${OWNER.name})` });
    await inbox.getByRole('button', { name: 'Mine', exact: true }).click();
    await inbox.getByRole('option', { name: /Jamie Rivera|\(201\) 555-0123/ }).waitFor();
    await inbox.getByRole('button', { name: 'Close', exact: true }).click();
    await inbox.getByRole('button', { name: 'Reopen', exact: true }).waitFor();
    await inbox.getByRole('option', { name: /Jamie Rivera|\(201\) 555-0123/ }).waitFor({ state: 'detached' });
    await inbox.getByRole('button', { name: 'Closed', exact: true }).click();
    await inbox.getByRole('option', { name: /Jamie Rivera|\(201\) 555-0123/ }).waitFor();
    await inbox.getByRole('button', { name: 'Reopen', exact: true }).click();
    await inbox.getByRole('button', { name: 'Close', exact: true }).waitFor();
    await inbox.getByRole('button', { name: 'Open', exact: true }).click();
    await inbox.getByRole('option', { name: /Jamie Rivera|\(201\) 555-0123/ }).waitFor();
  });

  it('names the contact from the contact panel, and saves a screenshot of the inbox for the README', async () => {
    await inbox.getByLabel('Name', { exact: true }).fill('Jamie Rivera');
    await inbox.getByRole('button', { name: 'Save', exact: true }).click();
    await inbox.getByRole('heading', { name: 'Jamie Rivera' }).waitFor();
    await inbox.getByRole('option', { name: /Jamie Rivera/ }).waitFor();
    await inbox.getByTestId('consent-status').filter({ hasText: 'Can receive texts' }).waitFor();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await inbox.screenshot({ path: path.join(SCREENSHOTS, 'inbox.png') });
  });

  it('creates a team and a template in settings; assigns to the team and fills the template in the composer', async () => {
    await inbox.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await inbox.getByLabel('New team').fill('Front desk');
    await inbox.getByRole('button', { name: 'Add team' }).click();
    await inbox.getByRole('listitem').filter({ hasText: 'Front desk' }).waitFor();
    await inbox.getByLabel('Template name').fill('Confirm');
    await inbox.getByLabel('Template text').fill('Hi {{contact.name}}, this is {{business.name}}. See you soon!');
    await inbox.getByRole('button', { name: 'Add template' }).click();
    await inbox.getByRole('listitem').filter({ hasText: 'Confirm' }).waitFor();

    await inbox.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await inbox.getByRole('option', { name: /Jamie Rivera/ }).click();
    await inbox.getByLabel('Insert template').selectOption({ label: 'Confirm' });
    const composer = inbox.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => composer.inputValue()).toBe('Hi Jamie Rivera, this is Bright Smiles. See you soon!');
    await composer.fill('');

    await inbox.getByLabel('Assign to').selectOption({ label: 'Front desk' });
    await expect.poll(() => inbox.getByRole('option', { name: /Jamie Rivera/ }).textContent()).toContain('Front desk');
  });

  it('shows literally, and runs nothing from, a body that looks like HTML', async () => {
    await inbox.getByRole('button', { name: 'Open', exact: true }).click();
    await textFromHandset(XSS_CUSTOMER, XSS_BODY);
    const row = inbox.getByRole('option', { name: /\(201\) 555-0177/ });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    const bubble = inbox.getByRole('log', { name: 'Messages' }).getByText(XSS_BODY, { exact: true });
    await bubble.waitFor();
    await expect(row.textContent()).resolves.toContain(XSS_BODY);
    await expect(inbox.locator('.thread img, .list-scroll img').count()).resolves.toBe(0);
    await inbox.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });

  it('moves through the list with the arrow keys', async () => {
    const list = inbox.getByRole('listbox', { name: 'Conversation list' });
    await list.focus();
    const first = await inbox.url();
    await list.press('ArrowDown');
    await inbox.waitForURL((url) => url.toString() !== first);
    await list.press('ArrowUp');
    await inbox.waitForURL(first);
  });

  it('snoozes a conversation out of the Open view until a time', async () => {
    const selected = inbox.getByRole('option', { selected: true });
    const name = (await selected.locator('.row-name').textContent()) ?? '';
    await inbox.getByRole('button', { name: 'Snooze', exact: true }).click();
    await inbox.getByLabel('Snooze until').waitFor();
    await inbox.locator('.snooze-form').getByRole('button', { name: 'Snooze' }).click();
    await inbox.getByText(/Snoozed until/).waitFor();
    await inbox.getByRole('option', { name }).waitFor({ state: 'detached' });
    await inbox.getByRole('button', { name: 'Snoozed', exact: true }).click();
    await inbox.getByRole('option', { name }).waitFor();
    await inbox.getByRole('button', { name: 'Open', exact: true }).click();
    await inbox.getByRole('option').first().waitFor();
  });

  it('shows an opt-out and refuses to send to that contact', async () => {
    await inbox.getByRole('option', { name: /Jamie Rivera|\(201\) 555-0123/ }).click();
    await textFromHandset(CUSTOMER, 'STOP');
    await inbox.getByTestId('consent-status').filter({ hasText: 'Opted out' }).waitFor({ timeout: 10_000 });
    await inbox.getByRole('alert').filter({ hasText: 'has opted out of texts' }).waitFor();
    await inbox.getByRole('textbox', { name: 'Message' }).fill('Are you sure?');
    await expect(inbox.getByRole('button', { name: 'Send', exact: true }).isDisabled()).resolves.toBe(true);
    await inbox.getByRole('list', { name: 'Consent history' }).getByText('Opted out').waitFor();

    // The server refuses too, whatever a client shows.
    const refused = await apiAsPage<{ error: { code: string } }>(inbox, 'POST', '/v1/messages', { from: DEMO_NUMBER, to: CUSTOMER, body: 'Are you sure?' });
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe('recipient_opted_out');

    // A tab that has not heard of the opt-out yet (here: told otherwise) still cannot send,
    // and says why in words. Its live events are cut too: a conversation.updated (opening the
    // thread marks it read) would otherwise tell the "stale" tab the truth before it sends.
    const live = /\/v1\/events/;
    await inbox.route(live, (route) => route.abort());
    const stale = /\/v1\/conversations(\/[^/?]+)?(\?.*)?$/;
    await inbox.route(stale, async (route) => {
      const response = await route.fetch();
      const json = (await response.json()) as { contact?: { optedOut: boolean }; data?: { contact: { optedOut: boolean } }[] };
      if (json.contact) json.contact.optedOut = false;
      for (const c of json.data ?? []) c.contact.optedOut = false;
      await route.fulfill({ response, json });
    });
    await inbox.reload();
    const composer = inbox.getByRole('textbox', { name: 'Message' });
    await composer.fill('Are you sure?');
    await inbox.getByRole('button', { name: 'Send', exact: true }).click();
    await inbox.getByRole('alert').filter({ hasText: 'Not sent: this contact has opted out' }).waitFor();
    await inbox.unroute(stale);
    await inbox.unroute(live);
    await inbox.reload();
    await inbox.getByTestId('consent-status').filter({ hasText: 'Opted out' }).waitFor();
  });

  it('pages a long list with the cursor and keeps only the visible rows in the page', async () => {
    const recipients = Array.from({ length: 400 }, (_, i) => ({ to: `+1201555${String(2000 + i).padStart(4, '0')}` }));
    const batch = await apiAsPage<{ results: { error?: unknown }[] }>(inbox, 'POST', '/v1/messages/batch', {
      from: DEMO_NUMBER,
      body: 'Your appointment reminder',
      category: 'transactional',
      recipients,
    });
    expect(batch.status).toBeLessThan(300);
    await inbox.reload();
    const list = inbox.getByRole('listbox', { name: 'Conversation list' });
    await list.getByRole('option').first().waitFor();
    const rendered = await list.getByRole('option').count();
    expect(rendered).toBeLessThan(40);
    // Scroll to the end repeatedly: each time the last page comes near, the next is fetched.
    for (let i = 0; i < 40; i++) {
      await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await inbox.waitForTimeout(150);
      const total = await list.evaluate((el) => (el.firstElementChild as HTMLElement).offsetHeight);
      if (total >= 72 * 402) break;
    }
    await list.getByRole('option', { name: /\(201\) 555-2000/ }).waitFor({ timeout: 10_000 });
    expect(await list.getByRole('option').count()).toBeLessThan(40);
    await inbox.evaluate(() => window.scrollTo(0, 0));
    await list.evaluate((el) => el.scrollTo(0, 0));
  });

  it('has no serious or critical axe violations on the inbox, simulator, settings and sign-in pages', async () => {
    const conversation = new URL(inbox.url()).pathname;
    for (const page of [conversation, '/simulator', '/settings']) {
      expect({ page, violations: await seriousAxeViolationsBypassingCsp(page, true) }).toEqual({ page, violations: [] });
    }
    expect(await seriousAxeViolationsBypassingCsp('/', false)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('saves a screenshot of the simulator for the README', async () => {
    await phone.bringToFront();
    await phone.getByLabel('Your handset number').fill(CUSTOMER);
    await phone.getByRole('button', { name: 'Use this phone' }).click();
    await phone.getByTestId('handset-message').first().waitFor();
    await phone.screenshot({ path: path.join(SCREENSHOTS, 'simulator.png') });
  });

  /**
   * axe-core is injected with page.addScriptTag, i.e. an inline script, which the server's CSP
   * (script-src 'self') rightly blocks; so axe runs in its own context that bypasses the CSP,
   * signed in (or not) like the person would be.
   */
  async function seriousAxeViolationsBypassingCsp(pathname: string, signedIn = false) {
    const axeContext = await harness.browser.newContext({ bypassCSP: true, viewport: { width: 1360, height: 860 } });
    try {
      const page = await axeContext.newPage();
      await page.goto(`${harness.baseUrl}${pathname}`);
      if (signedIn) {
        await page.getByLabel('Email').fill(OWNER.email);
        await page.getByLabel('Password').fill(OWNER.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('navigation', { name: 'Main' }).waitFor();
      } else {
        await page.getByRole('heading').first().waitFor();
      }
      await page.waitForLoadState('networkidle').catch(() => undefined);
      await page.waitForTimeout(300);
      return await seriousAxeViolations(page);
    } finally {
      await axeContext.close();
    }
  }
}, 60_000);
