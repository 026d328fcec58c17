import { useQuery } from '@tanstack/react-query';
import { accountQuery } from '../../api/account';
import { ApiError, formError } from '../../api/api-error';
import { ErrorNotice, Loading } from '../../components/notices';
import { ScreenHeading } from '../../components/screen-heading';
import { Time } from '../../components/timestamps';
import { useApi } from '../../session-context';
import { ChangePassword } from './change-password';
import { DeleteAccount } from './delete-account';
import { DownloadData } from './download-data';
import { Sessions } from './sessions';

/** `#/account`: the account's email, password, sessions, data and deletion. */
export function AccountScreen() {
  const api = useApi();
  const account = useQuery(accountQuery(api));
  if (account.isPending) {
    return (
      <section>
        <ScreenHeading>Your account</ScreenHeading>
        <Loading>Loading your account…</Loading>
      </section>
    );
  }
  if (account.isError) {
    // A 404: signed in through an identity provider, which keeps the account, not us.
    const provider = account.error instanceof ApiError && account.error.status === 404;
    return (
      <section>
        <ScreenHeading>Your account</ScreenHeading>
        {provider ? (
          <p>Your account is kept by the service you signed in with. Your data is still yours:</p>
        ) : (
          <ErrorNotice>{formError(account.error)}</ErrorNotice>
        )}
        {provider ? <DownloadData /> : null}
      </section>
    );
  }
  const { email, email_verified, created_at } = account.data;
  return (
    <section>
      <ScreenHeading>Your account</ScreenHeading>
      <p>
        Signed in as <strong>{email}</strong>
        {email_verified ? <span className="tag">verified</span> : null} · since{' '}
        <Time iso={created_at} />
      </p>
      <ChangePassword email={email} />
      <Sessions />
      <DownloadData />
      <DeleteAccount email={email} />
    </section>
  );
}
