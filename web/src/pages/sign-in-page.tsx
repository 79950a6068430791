import { api } from '../lib/api';
import type { Session } from '../lib/types';
import { Field } from '../components/field';
import { AuthForm, text } from './auth-form';

export function SignInPage({ onDone }: { onDone: (session: Session) => void }) {
  return (
    <AuthForm
      title="Sign in"
      submitLabel="Sign in"
      onSubmit={async (form) => {
        onDone(await api.post<Session>('/v1/session', { email: text(form, 'email'), password: text(form, 'password') }));
      }}
    >
      <Field label="Email" name="email" type="email" required autoComplete="username" />
      <Field label="Password" name="password" type="password" required autoComplete="current-password" />
    </AuthForm>
  );
}
