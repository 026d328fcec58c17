import type { AnchorHTMLAttributes } from 'react';
import { hrefOf, type Route } from '../router/routes';

type Props = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  to: Exclude<Route, { name: 'not-found' }>;
};

/** A plain link to a screen: the browser's own navigation, so it opens in a new tab too. */
export function Link({ to, ...props }: Props) {
  return <a href={hrefOf(to)} {...props} />;
}
