import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken } from './lib/api';
import { connectEvents, disconnectEvents } from './lib/events';
import { navigate, usePath } from './lib/router';
import type { Session } from './lib/types';
import { SetupPage } from './pages/setup-page';
import { SignInPage } from './pages/sign-in-page';
import { InvitePage } from './pages/invite-page';
import { Shell } from './components/shell';
import { InboxPage } from './pages/inbox-page';
import { SimulatorPage } from './pages/simulator-page';
import { SettingsPage } from './pages/settings-page';

type Boot = { state: 'loading' } | { state: 'setup' } | { state: 'signed-out' } | { state: 'signed-in'; session: Session } | { state: 'error'; message: string };

/** Decides between first-run setup, sign-in and the app, then routes by path. */
export function App() {
  const path = usePath();
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });

  const load = useCallback(async () => {
    try {
      const setup = await api.get<{ needed: boolean }>('/v1/setup');
      if (setup.needed) {
        setBoot({ state: 'setup' });
        return;
      }
      const session = await api.get<Session>('/v1/session');
      setCsrfToken(session.csrfToken);
      setBoot({ state: 'signed-in', session });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setBoot({ state: 'signed-out' });
      else setBoot({ state: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const signedIn = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    setBoot({ state: 'signed-in', session });
    if (window.location.pathname.startsWith('/invite/')) navigate('/');
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.delete('/v1/session');
    } finally {
      disconnectEvents();
      setCsrfToken(null);
      setBoot({ state: 'signed-out' });
      navigate('/');
    }
  }, []);

  useEffect(() => {
    if (boot.state === 'signed-in') connectEvents();
  }, [boot.state]);

  if (boot.state === 'loading') return <p className="boot" role="status">Loading Parley…</p>;
  if (boot.state === 'error') {
    return (
      <main className="auth-page">
        <h1>Parley is not answering</h1>
        <p role="alert">{boot.message}</p>
        <button type="button" onClick={() => void load()}>Try again</button>
      </main>
    );
  }
  if (boot.state === 'setup') return <SetupPage onDone={signedIn} />;
  const invite = /^\/invite\/([^/]+)$/.exec(path);
  if (boot.state === 'signed-out') {
    if (invite?.[1]) return <InvitePage token={decodeURIComponent(invite[1])} onDone={signedIn} />;
    return <SignInPage onDone={signedIn} />;
  }

  const { session } = boot;
  let page;
  if (path === '/simulator') page = <SimulatorPage />;
  else if (path === '/settings') page = <SettingsPage session={session} />;
  else {
    const match = /^\/c\/([^/]+)$/.exec(path);
    page = <InboxPage session={session} conversationId={match?.[1] ? decodeURIComponent(match[1]) : null} />;
  }
  return (
    <Shell session={session} path={path} onSignOut={() => void signOut()}>
      {page}
    </Shell>
  );
}
