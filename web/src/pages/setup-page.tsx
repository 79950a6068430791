import { api } from '../lib/api';
import type { Session } from '../lib/types';
import { Field } from '../components/field';
import { AuthForm, text } from './auth-form';

/** First run: creates the workspace, its owner, a simulator carrier and a demo number. */
export function SetupPage({ onDone }: { onDone: (session: Session) => void }) {
  return (
    <AuthForm
      title="Set up your workspace"
      intro={<p>Parley starts with a simulated carrier and a demo number, so you can try it before connecting a real one.</p>}
      submitLabel="Create workspace"
      onSubmit={async (form) => {
        const session = await api.post<Session>('/v1/setup', {
          workspaceName: text(form, 'workspaceName'),
          name: text(form, 'name'),
          email: text(form, 'email'),
          password: text(form, 'password'),
        });
        onDone(session);
      }}
    >
      <Field label="Workspace name" name="workspaceName" required autoComplete="organization" />
      <Field label="Your name" name="name" required autoComplete="name" />
      <Field label="Email" name="email" type="email" required autoComplete="email" />
      <Field label="Password" name="password" type="password" required minLength={8} autoComplete="new-password" hint="At least 8 characters." />
    </AuthForm>
  );
}
