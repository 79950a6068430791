import { useMemo, useState, type KeyboardEvent } from 'react';
import { analyzeBody } from '../../../src/domain/sms-encoding';
import { applySmartEncoding } from '../../../src/domain/smart-encoding';
import { describeError } from '../lib/api';
import type { Template } from '../lib/types';

const MAX_CHARACTERS = 1600;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The body with every cluster that forces UCS-2 marked; text nodes only, never HTML. */
function MarkedBody({ body, unicode }: { body: string; unicode: ReadonlySet<string> }) {
  const pieces: { text: string; marked: boolean }[] = [];
  for (const { segment } of graphemes.segment(body)) {
    const marked = unicode.has(segment);
    const last = pieces[pieces.length - 1];
    if (last && last.marked === marked && !marked) last.text += segment;
    else pieces.push({ text: segment, marked });
  }
  return (
    <p className="marked-body" aria-label="Characters that force UCS-2 are highlighted">
      {pieces.map((piece, index) => (piece.marked ? <mark key={index}>{piece.text}</mark> : <span key={index}>{piece.text}</span>))}
    </p>
  );
}

/** Fills a template's merge fields; the ones with no value stay visible for the writer to fix. */
export function fillTemplate(body: string, fields: Record<string, string | null | undefined>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = body.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g, (whole, name: string) => {
    const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (value === undefined || value === null || value === '') {
      missing.push(name);
      return whole;
    }
    return value;
  });
  return { text, missing };
}

/**
 * Writes a reply or an internal note. The counter is the server's own segment arithmetic
 * (src/domain), so what it says is what the carrier bills.
 */
export function Composer({ optedOut, contactName, templates, mergeFields, onSend, onNote }: {
  optedOut: boolean;
  contactName: string;
  templates: Template[];
  mergeFields: Record<string, string | null | undefined>;
  onSend: (body: string) => Promise<void>;
  onNote: (body: string) => Promise<void>;
}) {
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const analysis = useMemo(() => analyzeBody(body), [body]);
  const smart = useMemo(() => (analysis.encoding === 'UCS-2' ? applySmartEncoding(body, analysis) : null), [analysis, body]);
  const unicode = useMemo(() => new Set(analysis.unicodeCharacters), [analysis]);
  const tooLong = analysis.characters > MAX_CHARACTERS;
  const refused = mode === 'reply' && optedOut;
  const canSend = body.trim().length > 0 && !busy && !tooLong && !refused;

  const submit = async (): Promise<void> => {
    if (!canSend) return;
    setBusy(true);
    setError(null);
    try {
      if (mode === 'reply') await onSend(body);
      else await onNote(body);
      setBody('');
      setNotice(null);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  };

  const insertTemplate = (id: string): void => {
    const template = templates.find((t) => t.id === id);
    if (!template) return;
    const { text, missing } = fillTemplate(template.body, mergeFields);
    setBody((current) => (current.trim() ? `${current}${current.endsWith(' ') ? '' : ' '}${text}` : text));
    setNotice(missing.length ? `No value for ${missing.map((m) => `{{${m}}}`).join(', ')}: fill it in before sending.` : null);
  };

  const label = mode === 'reply' ? 'Message' : 'Internal note';
  return (
    <form
      className={`composer${mode === 'note' ? ' composer-note' : ''}`}
      aria-label="Composer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="composer-modes" role="group" aria-label="Write">
        <button type="button" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>Reply</button>
        <button type="button" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>Internal note</button>
        {mode === 'reply' && templates.length > 0 ? (
          <select aria-label="Insert template" value="" onChange={(event) => insertTemplate(event.target.value)}>
            <option value="">Insert template…</option>
            {templates.map((t) => (
              <option key={t.id} value={t.id}>{t.name}</option>
            ))}
          </select>
        ) : null}
      </div>
      {refused ? (
        <p className="refusal" role="alert">
          {contactName} has opted out of texts. Parley will not send them messages until they opt back in (they can text START).
        </p>
      ) : null}
      <label htmlFor="composer-body" className="visually-hidden">{label}</label>
      <textarea
        id="composer-body"
        value={body}
        rows={3}
        placeholder={mode === 'reply' ? 'Write a reply… (Enter sends, Shift+Enter for a new line)' : 'Write a note only your team sees…'}
        onChange={(event) => setBody(event.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby="composer-meter"
      />
      {mode === 'reply' && analysis.encoding === 'UCS-2' && body ? (
        <div className="encoding-warning">
          <MarkedBody body={body} unicode={unicode} />
          <p>
            Sent as UCS-2 because of{' '}
            {analysis.unicodeCharacters.map((c, i) => (
              <mark key={i} className="char">{c}</mark>
            ))}
            : up to 70 characters per segment instead of 160.
          </p>
          {smart?.applied ? (
            <button type="button" onClick={() => setBody(smart.body)}>
              Replace look-alikes ({smart.replacements.map((r) => `${r.from} → ${r.to || 'nothing'}`).join(', ')})
              {smart.savesSegments > 0 ? ` and save ${smart.savesSegments} segment${smart.savesSegments > 1 ? 's' : ''}` : ''}
            </button>
          ) : null}
        </div>
      ) : null}
      <div className="composer-bar">
        <span id="composer-meter" className={tooLong ? 'meter error' : 'meter'} aria-live="polite">
          {mode === 'reply'
            ? `${analysis.characters} / ${MAX_CHARACTERS} characters · ${analysis.encoding} · ${analysis.segments} segment${analysis.segments === 1 ? '' : 's'}`
            : 'Internal note: never sent to the customer'}
        </span>
        <button type="submit" className="primary" disabled={!canSend}>{mode === 'reply' ? 'Send' : 'Add note'}</button>
      </div>
      {notice ? <p className="notice" role="status">{notice}</p> : null}
      {error ? <p className="error" role="alert">{error}</p> : null}
    </form>
  );
}
