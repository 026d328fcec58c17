import type { TaskFilters, TaskSort } from '../api/tasks';

// The app's screens and their addresses. Hash URLs (`/#/tasks/42`): the server needs to know
// nothing about them, a reload keeps the screen, and a copied link opens it again.

/** Why the sign-in screen shows, when it is not a plain sign-in: said above its form. */
export type SignInReason = 'account-deleted' | 'password-reset';
const SIGN_IN_REASONS: readonly SignInReason[] = ['account-deleted', 'password-reset'];

/** The screens mails link to, by path (`${APP_URL}/reset-password?token=…`), not by hash. */
export type MailRoute =
  { name: 'reset-password'; token: string } | { name: 'verify-email'; token: string };

export type Route =
  | { name: 'sign-in'; after?: SignInReason }
  | { name: 'sign-up' }
  | { name: 'forgot-password' }
  | { name: 'account' }
  | MailRoute
  | { name: 'tasks'; filters: TaskFilters }
  | { name: 'task'; id: number }
  | { name: 'projects' }
  | { name: 'notes' }
  | { name: 'not-found'; path: string };

export const TASK_SORTS: readonly { value: TaskSort; label: string }[] = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
  { value: 'title', label: 'Title A–Z' },
  { value: '-title', label: 'Title Z–A' },
  { value: '-updated_at', label: 'Recently changed' },
];

const ID = /^[1-9][0-9]{0,15}$/;

function taskFiltersOf(query: URLSearchParams): TaskFilters {
  const filters: TaskFilters = {};
  const status = query.get('status');
  if (status === 'open') filters.complete = false;
  if (status === 'done') filters.complete = true;
  const project = query.get('project');
  if (project === 'none') filters.projectId = null;
  else if (project !== null && ID.test(project)) filters.projectId = Number(project);
  const q = query.get('q');
  if (q !== null && q.trim() !== '') filters.q = q;
  const sort = TASK_SORTS.find(({ value }) => value === query.get('sort'));
  if (sort !== undefined) filters.sort = sort.value;
  return filters;
}

/** The route a location hash (`#/tasks?status=open`) names. */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const query = new URLSearchParams(search);
  const segments = path.split('/').filter((segment) => segment !== '');
  const [first, second, ...rest] = segments;
  if (rest.length > 0) return { name: 'not-found', path };
  if (first === undefined) return { name: 'tasks', filters: {} };
  if (second === undefined) {
    switch (first) {
      case 'sign-in': {
        const after = SIGN_IN_REASONS.find((reason) => reason === query.get('after'));
        return after === undefined ? { name: 'sign-in' } : { name: 'sign-in', after };
      }
      case 'sign-up':
        return { name: 'sign-up' };
      case 'forgot-password':
        return { name: 'forgot-password' };
      case 'account':
        return { name: 'account' };
      case 'tasks':
        return { name: 'tasks', filters: taskFiltersOf(query) };
      case 'projects':
        return { name: 'projects' };
      case 'notes':
        return { name: 'notes' };
    }
  }
  if (first === 'tasks' && second !== undefined && ID.test(second)) {
    return { name: 'task', id: Number(second) };
  }
  return { name: 'not-found', path };
}

const MAIL_PATH = /\/(reset-password|verify-email)\/?$/;

/**
 * The route an address names: a hash route (`#/tasks`) when there is one, else the screen a
 * mailed link names by its path (`/reset-password?token=…`), else the tasks.
 */
export function parseLocation({
  pathname,
  search,
  hash,
}: Pick<Location, 'pathname' | 'search' | 'hash'>): Route {
  const mail = MAIL_PATH.exec(pathname)?.[1];
  if (mail === undefined || hash.replace(/^#\/?/, '') !== '') return parseRoute(hash);
  const token = new URLSearchParams(search).get('token') ?? '';
  return mail === 'reset-password'
    ? { name: 'reset-password', token }
    : { name: 'verify-email', token };
}

/** The app's own path under a mailed link's path: where hash routes live. */
export function appPath(pathname: string): string {
  return pathname.replace(MAIL_PATH, '/');
}

/** A screen a link or `navigate` can go to (not the mailed ones, which only mails open). */
export type Target = Exclude<Route, { name: 'not-found' } | MailRoute>;

/** The hash of `route`, as links write it. */
export function hrefOf(route: Target): string {
  switch (route.name) {
    case 'sign-in':
      return route.after === undefined ? '#/sign-in' : `#/sign-in?after=${route.after}`;
    case 'task':
      return `#/tasks/${route.id}`;
    case 'tasks': {
      const { complete, projectId, q, sort } = route.filters;
      const query = new URLSearchParams();
      if (complete !== undefined) query.set('status', complete ? 'done' : 'open');
      if (projectId !== undefined)
        query.set('project', projectId === null ? 'none' : `${projectId}`);
      if (q !== undefined && q !== '') query.set('q', q);
      if (sort !== undefined) query.set('sort', sort);
      const search = query.toString();
      return search === '' ? '#/tasks' : `#/tasks?${search}`;
    }
    default:
      return `#/${route.name}`;
  }
}
