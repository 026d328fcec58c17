import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { deleteAccountMutation } from '../../api/account';
import { ApiError, formError } from '../../api/api-error';
import { TextField } from '../../components/field';
import { textOf } from '../../components/form-data';
import { ErrorNotice } from '../../components/notices';
import { useFocusFirstError } from '../../components/use-focus-error';
import { navigate } from '../../router/navigation';
import { useApi, useSession } from '../../session-context';

const sameEmail = (typed: string, email: string) =>
  typed.trim().toLowerCase() === email.trim().toLowerCase();

/**
 * Deletes the account with everything it owns. Typing the email is the deliberate step (no
 * slip of a click deletes a life's notes); the password proves it is the owner, not whoever
 * found the laptop open.
 */
export function DeleteAccount({ email }: { email: string }) {
  const api = useApi();
  const session = useSession();
  const form = useRef<HTMLFormElement>(null);
  const [typed, setTyped] = useState('');
  const remove = useMutation(deleteAccountMutation(api));
  const wrongPassword = remove.error instanceof ApiError && remove.error.status === 401;
  useFocusFirstError(form, remove.error);
  const confirmed = sameEmail(typed, email);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (remove.isPending || !confirmed) return;
    remove.mutate(textOf(new FormData(event.currentTarget), 'password'), {
      onSuccess: () => {
        // The account and its sessions are gone on the server: only this tab's copy is left.
        // Signed out first, so the signed-in screens never see the sign-in address.
        void session
          .signOutLocally('signed-out')
          .then(() => navigate({ name: 'sign-in', after: 'account-deleted' }, { replace: true }));
      },
    });
  };

  const problem = wrongPassword ? undefined : formError(remove.error);
  return (
    <form
      ref={form}
      className="card danger-zone"
      onSubmit={submit}
      noValidate
      aria-labelledby="delete-account"
    >
      <h2 id="delete-account">Delete your account</h2>
      <p>
        This deletes your account and all its tasks, projects and notes, at once and for good.
        Download your data first if you want to keep it.
      </p>
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      <TextField
        label={`Type your email (${email}) to confirm`}
        name="confirm_email"
        type="email"
        autoComplete="off"
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
      />
      <TextField
        label="Your password"
        name="password"
        type="password"
        autoComplete="current-password"
        error={wrongPassword ? 'The password is not right.' : undefined}
      />
      <button type="submit" className="danger" aria-disabled={remove.isPending || !confirmed}>
        {remove.isPending ? 'Deleting…' : 'Delete my account and all my data'}
      </button>
    </form>
  );
}
