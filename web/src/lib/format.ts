/** Dates and words the inbox shows. */

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
const shortDayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string): string {
  return timeFormat.format(new Date(iso));
}

export function formatDateTime(iso: string): string {
  return fullFormat.format(new Date(iso));
}

export function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function formatDay(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (dayKey(iso) === dayKey(now.toISOString())) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(iso) === dayKey(yesterday.toISOString())) return 'Yesterday';
  return dayFormat.format(d);
}

/** The list's time column: the time today, else the date. */
export function formatListTime(iso: string | null, now = new Date()): string {
  if (!iso) return '';
  return dayKey(iso) === dayKey(now.toISOString()) ? formatTime(iso) : shortDayFormat.format(new Date(iso));
}

/** US numbers as people write them; anything else as stored. */
export function formatPhone(e164: string): string {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : e164;
}

const ERROR_WORDS: Record<string, string> = {
  recipient_opted_out: 'the recipient has opted out',
  invalid_number: 'the number is not a valid phone number',
  carrier_rejected: 'the carrier rejected it',
  validity_expired: 'it could not be sent in time and expired',
  submit_outcome_unknown: 'the send was interrupted; it may or may not have gone out',
  frequency_capped: 'too many marketing texts to this contact recently',
  sensitive_content: 'it contains sensitive data (card number, SSN or IBAN)',
  unreachable: 'the handset could not be reached',
  throttled: 'the carrier is throttling this sender',
};

function humanize(code: string): string {
  const text = code.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Why a message failed, in words: the server's message when it has one, else the code's. */
export function failureReason(errorCode: string | null, errorMessage: string | null): string {
  if (errorMessage && errorMessage.trim()) return errorMessage;
  if (!errorCode) return 'no reason given';
  return ERROR_WORDS[errorCode] ?? humanize(errorCode);
}

/** The status shown under an outbound bubble. */
export function statusLabel(status: string): string {
  switch (status) {
    case 'scheduled':
      return 'Scheduled';
    case 'queued':
      return 'Queued';
    case 'sending':
      return 'Sending';
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'undelivered':
      return 'Undelivered';
    case 'failed':
      return 'Failed';
    case 'canceled':
      return 'Canceled';
    default:
      return humanize(status);
  }
}

export function contactLabel(contact: { name: string | null; phoneNumber: string }): string {
  return contact.name?.trim() ? contact.name : formatPhone(contact.phoneNumber);
}
