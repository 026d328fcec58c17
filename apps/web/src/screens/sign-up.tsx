import type { RegisterBody } from '@enclave/client';
import { useMutation } from '@tanstack/react-query';
import { useRef, type FormEvent } from 'react';
import { fieldErrors, formError } from '../api/api-error';
import { signUp } from '../api/auth';
import { NEW_PASSWORD_RULE } from '../api/field-messages';
import { FORM_TEXTS } from '../api/form-texts';
import { useAnnounce } from '../components/announcer';
import { TextField } from '../components/field';
import { Link } from '../components/link';
import { ErrorNotice } from '../components/notices';
import { ScreenHeading } from '../components/screen-heading';
import { useFocusFirstError } from '../components/use-focus-error';
import { useSession } from '../session-context';
import { textOf } from '../components/form-data';

/** Creates an account and signs in with it: the app opens on the tasks, ready to use. */
export function SignUpScreen() {
  const session = useSession();
  const announce = useAnnounce();
  const form = useRef<HTMLFormElement>(null);
  const register = useMutation({
    mutationFn: (body: RegisterBody) => signUp(session, body),
    onSuccess: () => announce('Account created. You are signed in.'),
  });
  const errors = fieldErrors(register.error, FORM_TEXTS.account);
  useFocusFirstError(form, register.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (register.isPending) return;
    const data = new FormData(event.currentTarget);
    register.mutate({ email: textOf(data, 'email'), password: textOf(data, 'password') });
  };

  const problem = formError(register.error, ['email', 'password']);
  return (
    <section className="narrow">
      <ScreenHeading>Create an account</ScreenHeading>
      <form ref={form} onSubmit={submit} noValidate>
        {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          error={errors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={NEW_PASSWORD_RULE}
          error={errors.password}
        />
        <button type="submit" aria-disabled={register.isPending}>
          {register.isPending ? 'Creating account…' : 'Sign up'}
        </button>
      </form>
      <p>
        Already have an account? <Link to={{ name: 'sign-in' }}>Sign in</Link>
      </p>
    </section>
  );
}
