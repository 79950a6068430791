import { api } from '../lib/api';
import type { Session } from '../lib/types';
import { Field } from '../components/field';
import { AuthForm, text } from './auth-form';

/** Accepting an invitation link: the new team member picks a name, email and password. */
export function InvitePage({ token, onDone }: { token: string; onDone: (session: Session) => void }) {
  return (
    <AuthForm
      title="Join the workspace"
      intro={<p>You were invited to a Parley workspace. Choose how you will sign in.</p>}
      submitLabel="Join"
      onSubmit={async (form) => {
        onDone(
          await api.post<Session>(`/v1/invites/${encodeURIComponent(token)}/accept`, {
            name: text(form, 'name'),
            email: text(form, 'email'),
            password: text(form, 'password'),
          }),
        );
      }}
    >
      <Field label="Your name" name="name" required autoComplete="name" />
      <Field label="Email" name="email" type="email" required autoComplete="email" />
      <Field label="Password" name="password" type="password" required minLength={8} autoComplete="new-password" />
    </AuthForm>
  );
}
