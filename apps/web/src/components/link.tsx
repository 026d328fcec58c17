import type { AnchorHTMLAttributes } from 'react';
import { hrefOf, type Target } from '../router/routes';

type Props = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  to: Target;
};

/** A plain link to a screen: the browser's own navigation, so it opens in a new tab too. */
export function Link({ to, ...props }: Props) {
  return <a href={hrefOf(to)} {...props} />;
}
