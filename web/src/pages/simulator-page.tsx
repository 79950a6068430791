import { useCallback, useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, describeError } from '../lib/api';
import { useEvents } from '../lib/events';
import type { BusinessNumber, HandsetMessage } from '../lib/types';
import { formatPhone, formatTime } from '../lib/format';

const DEFAULT_HANDSET = '+12015550123';

/**
 * Play the customer: a virtual handset on the simulator network texts one of your
 * simulator numbers and sees what Parley sends back.
 */
export function SimulatorPage() {
  const [numbers, setNumbers] = useState<BusinessNumber[]>([]);
  const [businessNumber, setBusinessNumber] = useState('');
  const [handset, setHandset] = useState(DEFAULT_HANDSET);
  const [activeHandset, setActiveHandset] = useState(DEFAULT_HANDSET);
  const [messages, setMessages] = useState<HandsetMessage[]>([]);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.get<{ data: BusinessNumber[] }>('/v1/numbers').then(
      (r) => {
        setNumbers(r.data);
        setBusinessNumber((current) => current || r.data[0]?.phoneNumber || '');
      },
      (caught: unknown) => setError(describeError(caught)),
    );
  }, []);

  const refresh = useCallback(async () => {
    if (!businessNumber || !activeHandset) return;
    try {
      const r = await api.get<{ data: HandsetMessage[] }>(`/v1/simulator/handsets/${encodeURIComponent(activeHandset)}/messages`, { number: businessNumber });
      setMessages(r.data);
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [activeHandset, businessNumber]);

  useEffect(() => {
    void refresh();
    // Replies reach the handset a moment after Parley stores them: events prompt a look,
    // and a slow poll catches anything else.
    const timer = window.setInterval(() => void refresh(), 3000);
    return () => window.clearInterval(timer);
  }, [refresh]);

  useEvents((event) => {
    if (event.type === 'message.created' || event.type === 'message.updated') window.setTimeout(() => void refresh(), 200);
  });

  const send = async (): Promise<void> => {
    if (!body.trim() || busy) return;
    setBusy(true);
    try {
      await api.post('/v1/simulator/inbound', { from: activeHandset, to: businessNumber, body });
      setBody('');
      await refresh();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const pickHandset = (event: FormEvent): void => {
    event.preventDefault();
    setActiveHandset(handset.trim());
    setMessages([]);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <main className="simulator">
      <div className="simulator-controls">
        <h1>Phone simulator</h1>
        <p className="muted">Be the customer: text one of your simulator numbers from any phone number and watch the reply arrive in the inbox.</p>
        <form onSubmit={pickHandset} className="inline-form">
          <label htmlFor="handset">Your handset number</label>
          <input id="handset" value={handset} onChange={(event) => setHandset(event.target.value)} inputMode="tel" />
          <button type="submit">Use this phone</button>
        </form>
        <div className="field">
          <label htmlFor="business-number">Texting</label>
          <select id="business-number" value={businessNumber} onChange={(event) => setBusinessNumber(event.target.value)}>
            {numbers.map((n) => (
              <option key={n.id} value={n.phoneNumber}>{formatPhone(n.phoneNumber)}</option>
            ))}
          </select>
        </div>
        {error ? <p className="error" role="alert">{error}</p> : null}
      </div>
      <div className="phone" aria-label={`Handset ${formatPhone(activeHandset)}`} role="region">
        <div className="phone-header">
          <span className="muted">Messages with</span> <strong>{businessNumber ? formatPhone(businessNumber) : '—'}</strong>
        </div>
        <div className="phone-messages" role="log" aria-label="Handset messages" aria-live="polite" tabIndex={0}>
          {messages.length === 0 ? <p className="empty">No texts yet. Say hi.</p> : null}
          {messages.map((m) => {
            const mine = m.direction === 'from_handset';
            return (
              <div key={m.carrierMessageId} className={`bubble-row ${mine ? 'outbound' : 'inbound'}`}>
                <div className={`bubble ${mine ? 'outbound' : 'inbound'} handset`} data-testid="handset-message">
                  <p className="body">{m.body}</p>
                  <span className="meta">{formatTime(m.at)}</span>
                </div>
              </div>
            );
          })}
        </div>
        <form
          className="phone-composer"
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <label htmlFor="handset-body" className="visually-hidden">Text message</label>
          <textarea id="handset-body" rows={2} value={body} placeholder="Text message" onChange={(event) => setBody(event.target.value)} onKeyDown={onKeyDown} />
          <button type="submit" className="primary" disabled={!body.trim() || busy || !businessNumber}>Send text</button>
        </form>
      </div>
    </main>
  );
}
