import { useState, type FormEvent } from 'react';
import { api, describeError } from '../lib/api';
import type { Conversation, Team, User } from '../lib/types';

function localInputValue(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Assign to a person or a team, close or reopen, snooze until a time. */
export function ConversationActions({ conversation, me, users, teams, onChange }: {
  conversation: Conversation;
  me: User;
  users: User[];
  teams: Team[];
  onChange: (conversation: Conversation) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [snoozing, setSnoozing] = useState(false);
  const path = `/v1/conversations/${encodeURIComponent(conversation.id)}`;

  const act = async (action: string, body: unknown = {}): Promise<void> => {
    try {
      onChange(await api.post<Conversation>(`${path}/${action}`, body));
      setError(null);
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const assignee = conversation.assignee ? `${conversation.assignee.type}:${conversation.assignee.id}` : '';
  const assign = (value: string): void => {
    const [type, id] = value.split(':');
    void act('assign', type === 'user' ? { userId: id } : type === 'team' ? { teamId: id } : {});
  };

  const snooze = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('until') ?? '');
    const until = new Date(value);
    if (Number.isNaN(until.getTime())) return;
    setSnoozing(false);
    void act('snooze', { until: until.toISOString() });
  };

  const tomorrow = new Date();
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const closed = conversation.status === 'closed';
  const everyoneElse = users.filter((u) => u.id !== me.id);
  return (
    <div className="actions">
      <label htmlFor="assignee" className="visually-hidden">Assign to</label>
      <select id="assignee" value={assignee} onChange={(event) => assign(event.target.value)}>
        <option value="">Unassigned</option>
        <option value={`user:${me.id}`}>Me ({me.name})</option>
        {everyoneElse.length ? (
          <optgroup label="People">
            {everyoneElse.map((u) => (
              <option key={u.id} value={`user:${u.id}`}>{u.name}</option>
            ))}
          </optgroup>
        ) : null}
        {teams.length ? (
          <optgroup label="Teams">
            {teams.map((t) => (
              <option key={t.id} value={`team:${t.id}`}>{t.name}</option>
            ))}
          </optgroup>
        ) : null}
      </select>
      {closed ? (
        <button type="button" onClick={() => void act('reopen')}>Reopen</button>
      ) : (
        <button type="button" onClick={() => void act('close')}>Close</button>
      )}
      <button type="button" aria-expanded={snoozing} onClick={() => setSnoozing((s) => !s)}>Snooze</button>
      {snoozing ? (
        <form className="snooze-form" onSubmit={snooze}>
          <label htmlFor="snooze-until">Snooze until</label>
          <input id="snooze-until" name="until" type="datetime-local" defaultValue={localInputValue(tomorrow)} min={localInputValue(new Date())} required />
          <button type="submit">Snooze</button>
        </form>
      ) : null}
      {error ? <p className="error" role="alert">{error}</p> : null}
    </div>
  );
}
