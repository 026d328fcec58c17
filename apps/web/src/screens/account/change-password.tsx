import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { changePasswordMutation } from '../../api/account';
import { ApiError, fieldErrors, formError, type FieldErrors } from '../../api/api-error';
import { NEW_PASSWORD_RULE } from '../../api/field-messages';
import { FORM_TEXTS } from '../../api/form-texts';
import { useAnnounce } from '../../components/announcer';
import { TextField } from '../../components/field';
import { textOf } from '../../components/form-data';
import { ErrorNotice } from '../../components/notices';
import { useFocusFirstError } from '../../components/use-focus-error';
import { useApi } from '../../session-context';

const FIELDS = ['current_password', 'new_password'];

export function ChangePassword({ email }: { email: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useRef<HTMLFormElement>(null);
  const [changed, setChanged] = useState(false);
  const change = useMutation(changePasswordMutation(api, queryClient));
  // The password's 401 (no WWW-Authenticate: the token was fine) belongs beside its field.
  const wrongCurrent = change.error instanceof ApiError && change.error.status === 401;
  const errors: FieldErrors = {
    ...fieldErrors(change.error, FORM_TEXTS.account),
    ...(wrongCurrent ? { current_password: 'The current password is not right.' } : {}),
  };
  useFocusFirstError(form, change.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (change.isPending) return;
    setChanged(false);
    const data = new FormData(event.currentTarget);
    change.mutate(
      {
        current_password: textOf(data, 'current_password'),
        new_password: textOf(data, 'new_password'),
      },
      {
        onSuccess: () => {
          form.current?.reset();
          setChanged(true);
          announce('Password changed. Your other devices were signed out.');
        },
      },
    );
  };

  const problem = wrongCurrent ? undefined : formError(change.error, FIELDS);
  return (
    <form ref={form} className="card" onSubmit={submit} noValidate aria-labelledby="password">
      <h2 id="password">Change your password</h2>
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      {/* For password managers: which account this form is for. */}
      <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
      <TextField
        label="Current password"
        name="current_password"
        type="password"
        autoComplete="current-password"
        error={errors.current_password}
      />
      <TextField
        label="New password"
        name="new_password"
        type="password"
        autoComplete="new-password"
        hint={NEW_PASSWORD_RULE}
        error={errors.new_password}
      />
      <div className="actions">
        <button type="submit" aria-disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
        {changed ? (
          <span className="muted">Changed. Every other device was signed out.</span>
        ) : null}
      </div>
    </form>
  );
}
