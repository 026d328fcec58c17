import { useMutation, useQueryClient } from '@tanstack/react-query';
import { verifyEmail } from '../api/account-mail';
import { ApiError, formError } from '../api/api-error';
import { Link } from '../components/link';
import { ErrorNotice } from '../components/notices';
import { ScreenHeading } from '../components/screen-heading';
import { usePublicClient, useSessionState } from '../session-context';

/**
 * `/verify-email?token=…`, opened from the mail. A button sends the token, not the opening
 * of the page: a mail scanner that follows the link verifies nothing (and spends nothing).
 */
export function VerifyEmailScreen({ token }: { token: string }) {
  const client = usePublicClient();
  const queryClient = useQueryClient();
  const signedIn = useSessionState().status === 'signed-in';
  const verify = useMutation({
    mutationFn: () => verifyEmail(client, token),
    // The header's "verify your email" notice reads the account: read it again.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['account'] }),
  });
  const refused = verify.error instanceof ApiError && verify.error.status === 400;
  const next = signedIn ? (
    <Link to={{ name: 'tasks', filters: {} }}>Go to your tasks</Link>
  ) : (
    <Link to={{ name: 'sign-in' }}>Sign in</Link>
  );

  if (token === '' || refused) {
    return (
      <section className="narrow">
        <ScreenHeading>This link no longer works</ScreenHeading>
        <ErrorNotice>
          {token === ''
            ? 'The link is incomplete: open it from the mail again, whole.'
            : 'This link was already used, has expired, or a newer one was sent. Sign in and ask for a new one.'}
        </ErrorNotice>
        <p>{next}</p>
      </section>
    );
  }
  if (verify.isSuccess) {
    return (
      <section className="narrow">
        <ScreenHeading>Email verified</ScreenHeading>
        <p className="notice notice-info" role="status">
          Thank you: your email address is verified.
        </p>
        <p>{next}</p>
      </section>
    );
  }
  const problem = formError(verify.error);
  return (
    <section className="narrow">
      <ScreenHeading>Verify your email</ScreenHeading>
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      <p>Confirm that this email address is yours.</p>
      <button
        type="button"
        aria-disabled={verify.isPending}
        onClick={() => !verify.isPending && verify.mutate()}
      >
        {verify.isPending ? 'Verifying…' : 'Verify my email'}
      </button>
    </section>
  );
}
