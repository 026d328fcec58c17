import type { RegisterBody } from '@enclave/client';
import { PASSWORD_MIN_LENGTH } from '@enclave/contract';
import { useMutation } from '@tanstack/react-query';
import { useRef, type FormEvent } from 'react';
import { fieldErrors, formError } from '../api/api-error';
import { register as registerWith } from '../api/auth';
import { TextField } from '../components/field';
import { Link } from '../components/link';
import { ErrorNotice } from '../components/notices';
import { ScreenHeading } from '../components/screen-heading';
import { useFocusFirstError } from '../components/use-focus-error';
import { useSession } from '../session-context';
import { textOf } from '../components/form-data';

/** Creates an account, then hands over to sign-in with the email filled in. */
export function SignUpScreen({ onRegistered }: { onRegistered: (email: string) => void }) {
  const session = useSession();
  const form = useRef<HTMLFormElement>(null);
  const register = useMutation({
    mutationFn: (body: RegisterBody) => registerWith(session, body),
    onSuccess: (account) => onRegistered(account.email),
  });
  const errors = fieldErrors(register.error);
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
          hint={`At least ${PASSWORD_MIN_LENGTH} characters, and not your email address.`}
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
