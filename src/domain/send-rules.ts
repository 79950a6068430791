import type { Message } from './models.js';

export interface Refusal {
  status: 'failed' | 'canceled';
  errorCode: 'recipient_opted_out' | 'validity_expired' | 'frequency_capped';
  message: string;
}

/**
 * Checked when a worker claims a message, not only when it was created: a customer who
 * texted STOP after a message was queued must not receive it.
 */
export function unsendableReason(input: {
  message: Pick<Message, 'consentExempt' | 'sendAt' | 'createdAt'>;
  contactOptedOut: boolean;
  now: Date;
  validitySeconds: number;
}): Refusal | null {
  if (input.contactOptedOut && !input.message.consentExempt) {
    return {
      status: 'canceled',
      errorCode: 'recipient_opted_out',
      message: 'the recipient opted out after this message was queued',
    };
  }
  const validFrom = new Date(input.message.sendAt ?? input.message.createdAt).getTime();
  if (input.now.getTime() - validFrom > input.validitySeconds * 1000) {
    return {
      status: 'failed',
      errorCode: 'validity_expired',
      message: `not sent within its validity period of ${input.validitySeconds} seconds`,
    };
  }
  return null;
}

/** Exponential backoff with full jitter: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function retryDelayMs(attempt: number, random: number): number {
  const ceiling = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
