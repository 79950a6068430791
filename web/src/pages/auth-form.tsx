import { useState, type FormEvent, type ReactNode } from 'react';
import { describeError } from '../lib/api';

/** The frame of the setup, sign-in and invite screens: a form that shows its error in words. */
export function AuthForm({ title, intro, submitLabel, onSubmit, children }: {
  title: string;
  intro?: ReactNode;
  submitLabel: string;
  onSubmit: (form: FormData) => Promise<void>;
  children: ReactNode;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(new FormData(event.currentTarget));
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand">Parley</p>
        <h1>{title}</h1>
        {intro}
        <form onSubmit={(event) => void submit(event)}>
          {children}
          {error ? <p className="error" role="alert">{error}</p> : null}
          <button type="submit" className="primary" disabled={busy}>{busy ? 'Please wait…' : submitLabel}</button>
        </form>
      </div>
    </main>
  );
}

export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
