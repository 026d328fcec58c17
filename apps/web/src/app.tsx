import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { accountQuery } from './api/account';
import { Announcer, useAnnounce } from './components/announcer';
import type { SignedOutReason } from '@enclave/client';
import { Link } from './components/link';
import { Loading } from './components/notices';
import { UnavailableBanner } from './components/unavailable-banner';
import { navigate, useRoute } from './router/navigation';
import type { Route, SignInReason } from './router/routes';
import { VerifyEmailNotice } from './components/verify-email-notice';
import { AccountScreen } from './screens/account/account-screen';
import { ForgotPasswordScreen } from './screens/forgot-password';
import { NotFoundScreen } from './screens/not-found-screen';
import { ResetPasswordScreen } from './screens/reset-password';
import { VerifyEmailScreen } from './screens/verify-email';
import { NotesScreen } from './screens/notes-screen';
import { ProjectsScreen } from './screens/projects-screen';
import { SignInScreen } from './screens/sign-in';
import { SignUpScreen } from './screens/sign-up';
import { TaskScreen } from './screens/task/task-screen';
import { TasksScreen } from './screens/tasks/tasks-screen';
import { LiveChanges } from './live-changes';
import { useApi, useSession, useSessionState } from './session-context';

/** What the sign-in screen says of why the session ended; nothing for the ordinary cases. */
const SIGNED_OUT_NOTICE: Record<SignedOutReason, string | undefined> = {
  none: undefined,
  'signed-out': undefined,
  expired: 'Your session has ended. Please sign in again.',
  'signed-out-elsewhere': 'You signed out in another tab.',
  'restore-failed': 'Your session could not be restored.',
};

/** What the sign-in screen says after the user's own action sent them there. */
const AFTER_NOTICE: Record<SignInReason, string> = {
  'account-deleted': 'Your account and all its data were deleted.',
  'password-reset': 'Your password was changed. Sign in with the new one.',
};

const NAV = [
  { name: 'tasks', label: 'Tasks' },
  { name: 'projects', label: 'Projects' },
  { name: 'notes', label: 'Notes' },
  { name: 'account', label: 'Account' },
] as const;

function AccountMenu() {
  const api = useApi();
  const session = useSession();
  const announce = useAnnounce();
  const account = useQuery(accountQuery(api));
  const signOut = async () => {
    navigate({ name: 'sign-in' }, { replace: true });
    await session.signOut();
    announce('Signed out');
  };
  return (
    <div className="account">
      {account.data === undefined ? null : <span className="muted">{account.data.email}</span>}
      <button type="button" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}

function SignedInScreen({ route }: { route: Route }) {
  // Signed in at the sign-in or sign-up address: the tasks are what the user came for.
  const misplaced = route.name === 'sign-in' || route.name === 'sign-up';
  useEffect(() => {
    if (misplaced) navigate({ name: 'tasks', filters: {} }, { replace: true });
  }, [misplaced]);
  switch (route.name) {
    // The mailed links' screens show before the session is asked (Content).
    case 'sign-in':
    case 'sign-up':
    case 'reset-password':
    case 'verify-email':
      return null;
    case 'tasks':
      return <TasksScreen filters={route.filters} />;
    case 'task':
      return <TaskScreen key={route.id} id={route.id} />;
    case 'projects':
      return <ProjectsScreen />;
    case 'notes':
      return <NotesScreen />;
    case 'account':
      return <AccountScreen />;
    case 'forgot-password':
      return <ForgotPasswordScreen />;
    case 'not-found':
      return <NotFoundScreen path={route.path} />;
  }
}

function Content({ route }: { route: Route }) {
  const state = useSessionState();
  // A mailed link works whoever is signed in, or no one: its token says whose it is.
  if (route.name === 'reset-password') return <ResetPasswordScreen token={route.token} />;
  if (route.name === 'verify-email') return <VerifyEmailScreen token={route.token} />;
  if (state.status === 'restoring') return <Loading>Restoring your session…</Loading>;
  if (state.status === 'signed-in') {
    return (
      <>
        <VerifyEmailNotice />
        <SignedInScreen route={route} />
      </>
    );
  }
  if (route.name === 'sign-up') return <SignUpScreen />;
  if (route.name === 'forgot-password') return <ForgotPasswordScreen />;
  // Any other address asks for a sign-in first, then shows what it names.
  const after = route.name === 'sign-in' ? route.after : undefined;
  return (
    <SignInScreen
      notice={after === undefined ? SIGNED_OUT_NOTICE[state.reason] : AFTER_NOTICE[after]}
    />
  );
}

export function App() {
  const route = useRoute();
  const state = useSessionState();
  const signedIn = state.status === 'signed-in';
  return (
    <Announcer>
      <header className="top">
        <a className="brand" href="#/tasks">
          Enclave
        </a>
        {signedIn ? (
          <nav aria-label="Main">
            {NAV.map(({ name, label }) => {
              const current = route.name === name || (name === 'tasks' && route.name === 'task');
              return (
                <Link
                  key={name}
                  to={name === 'tasks' ? { name, filters: {} } : { name }}
                  aria-current={current ? 'page' : undefined}
                >
                  {label}
                </Link>
              );
            })}
          </nav>
        ) : null}
        {signedIn ? <AccountMenu /> : null}
        {signedIn ? <LiveChanges /> : null}
      </header>
      <UnavailableBanner />
      <main>
        <Content route={route} />
      </main>
      <footer>
        Built on the Enclave API — <a href="/docs">API documentation</a>
      </footer>
    </Announcer>
  );
}
