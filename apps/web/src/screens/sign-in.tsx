import { useMutation } from '@tanstack/react-query';
import type { LoginBody } from '@enclave/client';
import { useRef, type FormEvent } from 'react';
import { fieldErrors, formError } from '../api/api-error';
import { signIn as signInWith } from '../api/auth';
import { FORM_TEXTS } from '../api/form-texts';
import { TextField } from '../components/field';
import { Link } from '../components/link';
import { ErrorNotice } from '../components/notices';
import { ScreenHeading } from '../components/screen-heading';
import { useFocusFirstError } from '../components/use-focus-error';
import { useSession } from '../session-context';
import { textOf } from '../components/form-data';

interface Props {
  /** Filled in when the user comes from a screen that knows it. */
  email?: string | undefined;
  /** Why the user is here: the session ended, the password was reset… */
  notice?: string | undefined;
}

export function SignInScreen({ email, notice }: Props) {
  const session = useSession();
  const form = useRef<HTMLFormElement>(null);
  const signIn = useMutation({ mutationFn: (body: LoginBody) => signInWith(session, body) });
  const errors = fieldErrors(signIn.error, FORM_TEXTS.account);
  useFocusFirstError(form, signIn.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (signIn.isPending) return;
    const data = new FormData(event.currentTarget);
    signIn.mutate({ email: textOf(data, 'email'), password: textOf(data, 'password') });
  };

  const problem = formError(signIn.error, ['email', 'password']);
  return (
    <section className="narrow">
      <ScreenHeading>Sign in</ScreenHeading>
      {notice === undefined ? null : <p className="notice notice-info">{notice}</p>}
      <form ref={form} onSubmit={submit} noValidate>
        {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          defaultValue={email}
          error={errors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          error={errors.password}
        />
        <button type="submit" aria-disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <Link to={{ name: 'forgot-password' }}>Forgot your password?</Link>
      </p>
      <p>
        No account yet? <Link to={{ name: 'sign-up' }}>Sign up</Link>
      </p>
    </section>
  );
}
