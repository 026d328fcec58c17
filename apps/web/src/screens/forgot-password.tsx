import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { forgotPassword } from '../api/account-mail';
import { fieldErrors, formError } from '../api/api-error';
import { FORM_TEXTS } from '../api/form-texts';
import { TextField } from '../components/field';
import { textOf } from '../components/form-data';
import { Link } from '../components/link';
import { ErrorNotice } from '../components/notices';
import { ScreenHeading } from '../components/screen-heading';
import { useFocusFirstError } from '../components/use-focus-error';
import { usePublicClient } from '../session-context';

/**
 * `#/forgot-password`: asks for a reset link. What it says after is the same whether or not
 * the email has an account, as the server's answer is: the screen tells no one who is
 * registered either.
 */
export function ForgotPasswordScreen() {
  const client = usePublicClient();
  const form = useRef<HTMLFormElement>(null);
  const [sentTo, setSentTo] = useState<string>();
  const send = useMutation({
    mutationFn: (email: string) => forgotPassword(client, email),
    onSuccess: (_message, email) => setSentTo(email),
  });
  const errors = fieldErrors(send.error, FORM_TEXTS.account);
  useFocusFirstError(form, send.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (send.isPending) return;
    send.mutate(textOf(new FormData(event.currentTarget), 'email').trim());
  };

  if (sentTo !== undefined) {
    return (
      <section className="narrow">
        <ScreenHeading>Check your mail</ScreenHeading>
        <p className="notice notice-info" role="status">
          If an account exists for {sentTo}, we sent a link to choose a new password. It works once,
          for a short while. Nothing came? Look in the spam folder, or ask again.
        </p>
        <p>
          <button type="button" className="secondary" onClick={() => setSentTo(undefined)}>
            Ask again
          </button>
        </p>
        <p>
          <Link to={{ name: 'sign-in' }}>Back to sign in</Link>
        </p>
      </section>
    );
  }
  const problem = formError(send.error, ['email']);
  return (
    <section className="narrow">
      <ScreenHeading>Forgot your password?</ScreenHeading>
      <p>
        Enter your account’s email. If it has an account, we’ll mail you a link to choose a new
        password.
      </p>
      <form ref={form} onSubmit={submit} noValidate>
        {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          error={errors.email}
        />
        <button type="submit" aria-disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send the link'}
        </button>
      </form>
      <p>
        Remembered it? <Link to={{ name: 'sign-in' }}>Sign in</Link>
      </p>
    </section>
  );
}
