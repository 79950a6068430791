import type { ReactNode } from 'react';
import type { Session } from '../lib/types';
import { useEventsConnected } from '../lib/events';
import { Link } from './link';

/** The frame around every signed-in page: navigation, who is signed in, sign-out. */
export function Shell({ session, path, onSignOut, children }: { session: Session; path: string; onSignOut: () => void; children: ReactNode }) {
  const connected = useEventsConnected();
  const current = (active: boolean) => (active ? ('page' as const) : undefined);
  const inbox = path === '/' || path.startsWith('/c/');
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Parley</span>
        <span className="workspace-name">{session.workspace.name}</span>
        <nav aria-label="Main">
          <Link href="/" aria-current={current(inbox)}>Inbox</Link>
          <Link href="/simulator" aria-current={current(path === '/simulator')}>Phone simulator</Link>
          <Link href="/settings" aria-current={current(path === '/settings')}>Settings</Link>
        </nav>
        <span className={connected ? 'live live-on' : 'live'} title={connected ? 'Live updates on' : 'Reconnecting…'}>
          {connected ? 'Live' : 'Offline'}
        </span>
        <span className="me">{session.user.name}</span>
        <button type="button" className="link-button" onClick={onSignOut}>Sign out</button>
      </header>
      {children}
    </div>
  );
}
