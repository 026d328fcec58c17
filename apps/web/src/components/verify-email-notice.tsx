import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { accountKeys, accountQuery, sendVerificationMutation } from '../api/account';
import { ApiError, formError } from '../api/api-error';
import { useApi } from '../session-context';

/** What "send again" answered, in words: sent, too soon, or why not. */
function outcome(error: unknown, sent: boolean): string | undefined {
  if (sent) return 'Sent. The newest link is the one that works.';
  if (!(error instanceof ApiError)) return formError(error);
  if (error.status === 429) {
    const seconds = Math.ceil((error.retryAfterMs ?? 60_000) / 1000);
    return `A link was sent moments ago. You can ask again in ${seconds} seconds.`;
  }
  // 409: verified meanwhile (in another tab); the account is read again and this goes away.
  if (error.status === 409) return undefined;
  return formError(error);
}

/** Shown to a signed-in user whose email is not verified yet, with "send the link again". */
export function VerifyEmailNotice() {
  const api = useApi();
  const queryClient = useQueryClient();
  const account = useQuery(accountQuery(api));
  const send = useMutation({
    ...sendVerificationMutation(api),
    onError: (error) => {
      // Verified meanwhile (another tab, the link opened elsewhere): read the account again.
      if (error instanceof ApiError && error.status === 409) {
        void queryClient.invalidateQueries({ queryKey: accountKeys.me(api.userId) });
      }
    },
  });
  if (account.data?.email_verified !== false) return null;
  const said = outcome(send.error, send.isSuccess);
  return (
    <div className="notice notice-info verify-notice" role="region" aria-label="Verify your email">
      <p>
        Please verify your email address: we sent a link to <strong>{account.data.email}</strong>.
      </p>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          aria-disabled={send.isPending}
          onClick={() => !send.isPending && send.mutate()}
        >
          {send.isPending ? 'Sending…' : 'Send the link again'}
        </button>
        {said === undefined ? null : (
          <span role="status" className="muted">
            {said}
          </span>
        )}
      </div>
    </div>
  );
}
