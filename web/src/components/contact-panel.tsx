import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api';
import { useEvents } from '../lib/events';
import type { Contact, Consent } from '../lib/types';
import { formatDateTime, formatPhone } from '../lib/format';

const KIND_WORDS: Record<string, string> = {
  opted_in: 'Opted in',
  opted_out: 'Opted out',
  help_requested: 'Asked for help',
  review_requested: 'Reply flagged for review',
  review_resolved: 'Review settled',
};

/** Who the customer is: name, number, attributes, and consent with its ledger. */
export function ContactPanel({ contact, onContact }: { contact: Contact; onContact: (contact: Contact) => void }) {
  const [consent, setConsent] = useState<Consent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState(contact.name ?? '');

  useEffect(() => setName(contact.name ?? ''), [contact.id, contact.name]);

  const loadConsent = useCallback(async () => {
    try {
      setConsent(await api.get<Consent>(`/v1/contacts/${encodeURIComponent(contact.id)}/consent`));
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [contact.id]);

  useEffect(() => {
    setConsent(null);
    void loadConsent();
  }, [loadConsent, contact.optedOut]);

  useEvents((event) => {
    if (event.type === 'message.created' && event.data.direction === 'inbound' && event.data.from === contact.phoneNumber) {
      window.setTimeout(() => void loadConsent(), 300);
    }
  });

  const patch = async (body: Partial<Pick<Contact, 'name' | 'attributes'>>): Promise<void> => {
    try {
      onContact(await api.patch<Contact>(`/v1/contacts/${encodeURIComponent(contact.id)}`, body));
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const saveName = (event: FormEvent): void => {
    event.preventDefault();
    void patch({ name: name.trim() || null });
  };

  const addAttribute = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const key = String(form.get('key') ?? '').trim();
    const value = String(form.get('value') ?? '').trim();
    if (!key) return;
    event.currentTarget.reset();
    void patch({ attributes: { ...contact.attributes, [key]: value || 'yes' } });
  };

  const removeAttribute = (key: string): void => {
    const next = { ...contact.attributes };
    delete next[key];
    void patch({ attributes: next });
  };

  const optedOut = consent?.optedOut ?? contact.optedOut;
  const attributes = Object.entries(contact.attributes ?? {});
  return (
    <aside className="contact-pane" aria-label="Contact">
      <h2>Contact</h2>
      <form onSubmit={saveName} className="inline-form">
        <label htmlFor="contact-name">Name</label>
        <input id="contact-name" value={name} onChange={(event) => setName(event.target.value)} placeholder="Add a name" />
        <button type="submit" disabled={(contact.name ?? '') === name.trim()}>Save</button>
      </form>
      <p className="contact-phone">{formatPhone(contact.phoneNumber)}</p>

      <h3>Consent</h3>
      <p className={optedOut ? 'consent consent-out' : 'consent consent-in'} data-testid="consent-status">
        {optedOut ? 'Opted out: texts are refused' : 'Can receive texts'}
        {contact.consentReviewPending || consent?.consentReviewPending ? ' · a reply awaits review (marketing held)' : ''}
      </p>
      {consent && consent.optedOutNumbers.length > 0 ? (
        <p className="muted">Opted out of {consent.optedOutNumbers.map((n) => formatPhone(n.number)).join(', ')}</p>
      ) : null}
      {consent && consent.events.length > 0 ? (
        <ol className="consent-history" aria-label="Consent history">
          {consent.events.map((e) => (
            <li key={e.id}>
              <strong>{KIND_WORDS[e.kind] ?? e.kind}</strong> <span className="muted">({e.source.replace(/_/g, ' ')}{e.scope === 'number' && e.number ? `, ${formatPhone(e.number)} only` : ''})</span>
              <br />
              <span className="muted">{formatDateTime(e.createdAt)}</span>
              {e.evidence ? <q>{e.evidence}</q> : null}
            </li>
          ))}
        </ol>
      ) : consent ? (
        <p className="muted">No consent events recorded.</p>
      ) : null}

      <h3>Tags and attributes</h3>
      {attributes.length ? (
        <ul className="attributes">
          {attributes.map(([key, value]) => (
            <li key={key}>
              <span className="attr-key">{key}</span> <span>{value}</span>
              <button type="button" className="link-button" aria-label={`Remove ${key}`} onClick={() => removeAttribute(key)}>×</button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None yet.</p>
      )}
      <form onSubmit={addAttribute} className="attr-form">
        <label htmlFor="attr-key" className="visually-hidden">Attribute or tag</label>
        <input id="attr-key" name="key" placeholder="Tag or attribute" />
        <label htmlFor="attr-value" className="visually-hidden">Value</label>
        <input id="attr-value" name="value" placeholder="Value" />
        <button type="submit">Add</button>
      </form>
      {error ? <p className="error" role="alert">{error}</p> : null}
    </aside>
  );
}
