import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api';
import type { ApiKey, BusinessNumber, Carrier, Session, Team, Template, User } from '../lib/types';
import { formatDateTime, formatPhone } from '../lib/format';

function useList<T>(path: string, pollMs?: number) {
  const [data, setData] = useState<T[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setData((await api.get<{ data: T[] }>(path)).data);
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [path]);
  useEffect(() => {
    void load();
    if (!pollMs) return;
    const timer = window.setInterval(() => void load(), pollMs);
    return () => window.clearInterval(timer);
  }, [load, pollMs]);
  return { data, error, load };
}

function Numbers() {
  const numbers = useList<BusinessNumber>('/v1/numbers');
  return (
    <section aria-labelledby="numbers-heading" className="card">
      <h2 id="numbers-heading">Numbers</h2>
      {numbers.error ? <p className="error" role="alert">{numbers.error}</p> : null}
      <table>
        <thead><tr><th scope="col">Number</th><th scope="col">Kind</th><th scope="col">Segments per second</th></tr></thead>
        <tbody>
          {numbers.data.map((n) => (
            <tr key={n.id}><td>{formatPhone(n.phoneNumber)}</td><td>{n.kind.replace(/_/g, ' ')}</td><td>{n.mps}</td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Carriers() {
  // Status is live: SMPP binds come and go, so the table polls.
  const carriers = useList<Carrier>('/v1/carriers', 5000);
  return (
    <section aria-labelledby="carriers-heading" className="card">
      <h2 id="carriers-heading">Carriers</h2>
      {carriers.error ? <p className="error" role="alert">{carriers.error}</p> : null}
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Status</th></tr></thead>
        <tbody>
          {carriers.data.map((c) => (
            <tr key={c.id}>
              <td>{c.name}</td>
              <td>{c.type}</td>
              <td>
                <span className={`carrier-status carrier-${c.status}`}>{c.status.replace(/_/g, ' ')}</span>
                {c.lastError ? <span className="muted"> · {c.lastError}</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Team({ admin }: { admin: boolean }) {
  const users = useList<User>('/v1/users');
  const [invite, setInvite] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const createInvite = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const role = String(new FormData(event.currentTarget).get('role') ?? 'agent');
    try {
      const created = await api.post<{ url: string }>('/v1/invites', { role });
      setInvite(new URL(created.url, window.location.origin).toString());
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <section aria-labelledby="team-heading" className="card">
      <h2 id="team-heading">Team members</h2>
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th></tr></thead>
        <tbody>
          {users.data.map((u) => (
            <tr key={u.id}><td>{u.name}</td><td>{u.email}</td><td>{u.role}</td></tr>
          ))}
        </tbody>
      </table>
      {admin ? (
        <form onSubmit={(event) => void createInvite(event)} className="inline-form">
          <label htmlFor="invite-role">Invite as</label>
          <select id="invite-role" name="role" defaultValue="agent">
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
          <button type="submit">Create invite link</button>
        </form>
      ) : null}
      {invite ? (
        <p role="status">
          Send this link to your teammate (valid 7 days, once): <code className="secret">{invite}</code>
        </p>
      ) : null}
      {error || users.error ? <p className="error" role="alert">{error ?? users.error}</p> : null}
    </section>
  );
}

function Teams() {
  const teams = useList<Team>('/v1/teams');
  const [error, setError] = useState<string | null>(null);
  const create = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (!name) return;
    try {
      await api.post('/v1/teams', { name });
      form.reset();
      setError(null);
      await teams.load();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <section aria-labelledby="teams-heading" className="card">
      <h2 id="teams-heading">Teams</h2>
      <p className="muted">Conversations can be assigned to a team as well as to a person.</p>
      {teams.data.length ? (
        <ul className="templates">
          {teams.data.map((t) => (
            <li key={t.id}>{t.name}</li>
          ))}
        </ul>
      ) : null}
      <form onSubmit={(event) => void create(event)} className="inline-form">
        <label htmlFor="team-name">New team</label>
        <input id="team-name" name="name" placeholder="e.g. Front desk" />
        <button type="submit">Add team</button>
      </form>
      {error || teams.error ? <p className="error" role="alert">{error ?? teams.error}</p> : null}
    </section>
  );
}

function ApiKeys() {
  const keys = useList<ApiKey>('/v1/api-keys');
  const [created, setCreated] = useState<{ name: string; apiKey: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (!name) return;
    try {
      const key = await api.post<ApiKey & { apiKey: string }>('/v1/api-keys', { name });
      setCreated({ name: key.name, apiKey: key.apiKey });
      form.reset();
      setError(null);
      await keys.load();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  const revoke = async (key: ApiKey): Promise<void> => {
    if (!window.confirm(`Revoke "${key.name}"? Programs using it stop working at once.`)) return;
    try {
      await api.delete(`/v1/api-keys/${encodeURIComponent(key.id)}`);
      await keys.load();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <section aria-labelledby="keys-heading" className="card">
      <h2 id="keys-heading">API keys</h2>
      <form onSubmit={(event) => void create(event)} className="inline-form">
        <label htmlFor="key-name">New key name</label>
        <input id="key-name" name="name" placeholder="e.g. Booking system" />
        <button type="submit">Create key</button>
      </form>
      {created ? (
        <div role="status" className="once">
          <p>Copy the key for “{created.name}” now: it is shown only once.</p>
          <code className="secret">{created.apiKey}</code>
        </div>
      ) : null}
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {keys.data.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td><code>{k.prefix}</code></td>
              <td>{formatDateTime(k.createdAt)}</td>
              <td>
                {k.revokedAt ? (
                  <span className="muted">Revoked {formatDateTime(k.revokedAt)}</span>
                ) : (
                  <button type="button" onClick={() => void revoke(k)} aria-label={`Revoke ${k.name}`}>Revoke</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error || keys.error ? <p className="error" role="alert">{error ?? keys.error}</p> : null}
    </section>
  );
}

function Templates() {
  const templates = useList<Template>('/v1/templates');
  const [error, setError] = useState<string | null>(null);
  const create = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    try {
      await api.post('/v1/templates', { name: String(data.get('name') ?? ''), body: String(data.get('body') ?? '') });
      form.reset();
      setError(null);
      await templates.load();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  const remove = async (t: Template): Promise<void> => {
    try {
      await api.delete(`/v1/templates/${encodeURIComponent(t.id)}`);
      await templates.load();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <section aria-labelledby="templates-heading" className="card">
      <h2 id="templates-heading">Templates</h2>
      <p className="muted">Canned replies. Merge fields: {'{{contact.name}}'}, {'{{contact.phoneNumber}}'}, {'{{business.name}}'}.</p>
      <ul className="templates">
        {templates.data.map((t) => (
          <li key={t.id}>
            <strong>{t.name}</strong> <span className="muted">{t.body}</span>{' '}
            <button type="button" className="link-button" onClick={() => void remove(t)} aria-label={`Delete template ${t.name}`}>Delete</button>
          </li>
        ))}
      </ul>
      <form onSubmit={(event) => void create(event)} className="stack-form">
        <label htmlFor="template-name">Template name</label>
        <input id="template-name" name="name" required />
        <label htmlFor="template-body">Template text</label>
        <textarea id="template-body" name="body" rows={2} required />
        <button type="submit">Add template</button>
      </form>
      {error || templates.error ? <p className="error" role="alert">{error ?? templates.error}</p> : null}
    </section>
  );
}

export function SettingsPage({ session }: { session: Session }) {
  const admin = session.user.role === 'owner' || session.user.role === 'admin';
  return (
    <main className="settings">
      <h1>Settings</h1>
      <div className="settings-grid">
        <Numbers />
        <Carriers />
        <Team admin={admin} />
        <Teams />
        <Templates />
        {admin ? <ApiKeys /> : null}
      </div>
    </main>
  );
}
