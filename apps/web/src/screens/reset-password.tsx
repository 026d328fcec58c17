import { useMutation } from '@tanstack/react-query';
import { useRef, type FormEvent } from 'react';
import { resetPassword } from '../api/account-mail';
import { ApiError, fieldErrors, formError } from '../api/api-error';
import { NEW_PASSWORD_RULE } from '../api/field-messages';
import { FORM_TEXTS } from '../api/form-texts';
import { TextField } from '../components/field';
import { textOf } from '../components/form-data';
import { Link } from '../components/link';
import { ErrorNotice } from '../components/notices';
import { ScreenHeading } from '../components/screen-heading';
import { useFocusFirstError } from '../components/use-focus-error';
import { navigate } from '../router/navigation';
import { usePublicClient, useSession, useSessionState } from '../session-context';

/**
 * `/reset-password?token=…`, opened from the mail. Opening it sends nothing: only submitting
 * the form spends the token, so a mail scanner that follows the link leaves it working.
 */
export function ResetPasswordScreen({ token }: { token: string }) {
  const client = usePublicClient();
  const session = useSession();
  const state = useSessionState();
  const form = useRef<HTMLFormElement>(null);
  const reset = useMutation({
    mutationFn: (new_password: string) => resetPassword(client, { token, new_password }),
    onSuccess: async () => {
      // The server signed every session of the account out; if this tab held one of them,
      // end it here as well (it may be another account's: signing in again is cheap).
      if (state.status === 'signed-in') await session.signOut();
      navigate({ name: 'sign-in', after: 'password-reset' }, { replace: true });
    },
  });
  const errors = fieldErrors(reset.error, FORM_TEXTS.account);
  useFocusFirstError(form, reset.error);
  // A 400 that names no field of the form is the token's: spent, expired, replaced or unknown.
  const tokenRefused =
    reset.error instanceof ApiError &&
    reset.error.status === 400 &&
    errors.new_password === undefined;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (reset.isPending) return;
    reset.mutate(textOf(new FormData(event.currentTarget), 'new_password'));
  };

  if (token === '' || tokenRefused) {
    return (
      <section className="narrow">
        <ScreenHeading>This link no longer works</ScreenHeading>
        <ErrorNotice>
          {token === ''
            ? 'The link is incomplete: open it from the mail again, whole.'
            : 'This link was already used, has expired, or a newer one was sent. Ask for a new one.'}
        </ErrorNotice>
        <p>
          <Link to={{ name: 'forgot-password' }}>Ask for a new link</Link>
        </p>
      </section>
    );
  }
  const problem = formError(reset.error, ['new_password']);
  return (
    <section className="narrow">
      <ScreenHeading>Choose a new password</ScreenHeading>
      <form ref={form} onSubmit={submit} noValidate>
        {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
        <TextField
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          hint={NEW_PASSWORD_RULE}
          error={errors.new_password}
        />
        <button type="submit" aria-disabled={reset.isPending}>
          {reset.isPending ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
      <p className="muted">Every device signed in to the account will be signed out.</p>
    </section>
  );
}
