import type { AppContext } from '../context.js';
import type { Workspace } from '../domain/models.js';
import { maskSensitiveData } from '../domain/sensitive-data.js';

export const CONSENT_CSV_COLUMNS = [
  'recorded_at',
  'event',
  'contact_phone',
  'contact_name',
  'scope',
  'business_number',
  'source',
  'rule',
  'actor',
  'evidence_message_id',
  'evidence',
  'event_id',
] as const;

const PAGE = 1000;

/**
 * The workspace's consent ledger as CSV (RFC 4180), oldest first, read a page at a time:
 * a ledger of millions of events streams in constant memory. Evidence text is masked
 * like everywhere else (a customer who texted a card number with STOP).
 */
export async function* consentLedgerCsv(deps: Pick<AppContext, 'db'>, workspace: Workspace): AsyncGenerator<string> {
  yield `${CONSENT_CSV_COLUMNS.join(',')}\r\n`;
  let after: { createdAt: string; id: string } | null = null;
  for (;;) {
    const page = await deps.db.repos.contacts.consentLedgerPage(workspace.id, after, PAGE);
    if (page.length === 0) return;
    let chunk = '';
    for (const event of page) {
      chunk += `${[
        event.createdAt,
        event.kind,
        event.contactPhone,
        event.contactName ?? '',
        event.scope,
        event.numberPhone ?? '',
        event.source,
        event.rule ?? '',
        event.actor,
        event.messageId ?? '',
        event.evidence === null ? '' : maskSensitiveData(event.evidence),
        event.id,
      ]
        .map(csvField)
        .join(',')}\r\n`;
    }
    yield chunk;
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) return;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

/**
 * Quoted when it must be; and a field a spreadsheet would run as a formula (=, +, -, @)
 * gets a leading apostrophe: the evidence column holds whatever customers typed.
 */
export function csvField(value: string): string {
  // Only a value that is wholly a number or a phone number keeps its leading + or -: "-1+1+HYPERLINK(…)"
  // starts like a number too, and is a formula.
  const plainNumber = /^[+-]?[\d\s().-]+$/.test(value);
  const safe = /^[=+\-@\t\r]/.test(value) && !plainNumber ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
