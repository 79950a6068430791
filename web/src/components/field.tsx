import { useId, type InputHTMLAttributes } from 'react';

/** A labelled input: the label names the control for screen readers and tests alike. */
export function Field({ label, hint, ...input }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint ? <small id={`${id}-hint`}>{hint}</small> : null}
    </div>
  );
}
