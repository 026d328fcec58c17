import type { AccountSession } from '@enclave/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { endAllSessionsMutation, endSessionMutation, sessionsQuery } from '../../api/account';
import { formError } from '../../api/api-error';
import { useAnnounce } from '../../components/announcer';
import { ErrorNotice, Loading } from '../../components/notices';
import { Time } from '../../components/timestamps';
import { formatTime } from '../../components/format-time';
import { navigate } from '../../router/navigation';
import { useApi, useSession } from '../../session-context';
import { deviceOf } from './device';

function SessionRow({ entry }: { entry: AccountSession }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const end = useMutation(endSessionMutation(api, queryClient));
  const device = deviceOf(entry.user_agent);
  const problem = formError(end.error);
  return (
    <li className="session-row">
      <div>
        <strong>{device}</strong>
        {entry.current ? <span className="tag">This device</span> : null}
        <p className="muted times">
          Signed in <Time iso={entry.created_at} /> · last active <Time iso={entry.last_used_at} />
        </p>
        {problem === undefined ? null : (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
      </div>
      {entry.current ? null : (
        <button
          type="button"
          className="secondary"
          aria-label={`Sign out ${device}, last active ${formatTime(entry.last_used_at, Date.now())}`}
          aria-disabled={end.isPending}
          onClick={() =>
            !end.isPending &&
            // The promise: the row leaves the list when it succeeds.
            void end.mutateAsync(entry.id).then(
              () => announce(`Signed out ${device}`),
              () => undefined,
            )
          }
        >
          {end.isPending ? 'Signing out…' : 'Sign out'}
        </button>
      )}
    </li>
  );
}

export function Sessions() {
  const api = useApi();
  const session = useSession();
  const list = useQuery(sessionsQuery(api));
  const everywhere = useMutation(endAllSessionsMutation(api));
  const signOutEverywhere = () => {
    if (everywhere.isPending) return;
    everywhere.mutate(undefined, {
      onSuccess: () => {
        // The server has ended this session too: only this tab's copy is left to forget.
        void session
          .signOutLocally('signed-out')
          .then(() => navigate({ name: 'sign-in' }, { replace: true }));
      },
    });
  };
  return (
    <section className="card" aria-labelledby="sessions">
      <h2 id="sessions">Where you’re signed in</h2>
      {list.isPending ? (
        <Loading>Loading your sessions…</Loading>
      ) : list.isError ? (
        <ErrorNotice>{formError(list.error)}</ErrorNotice>
      ) : (
        <ul className="items" aria-label="Sessions">
          {list.data.map((entry) => (
            <SessionRow key={entry.id} entry={entry} />
          ))}
        </ul>
      )}
      {everywhere.error === null ? null : <ErrorNotice>{formError(everywhere.error)}</ErrorNotice>}
      <button type="button" className="danger" onClick={signOutEverywhere}>
        {everywhere.isPending ? 'Signing out…' : 'Sign out everywhere'}
      </button>
      <p className="muted">Every device, this one included, will need to sign in again.</p>
    </section>
  );
}
