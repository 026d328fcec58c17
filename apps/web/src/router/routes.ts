import type { TaskFilters, TaskSort } from '../api/tasks';

// The app's screens and their addresses. Hash URLs (`/#/tasks/42`): the server needs to know
// nothing about them, a reload keeps the screen, and a copied link opens it again.

export type Route =
  | { name: 'sign-in' }
  | { name: 'sign-up' }
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
      case 'sign-in':
        return { name: 'sign-in' };
      case 'sign-up':
        return { name: 'sign-up' };
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

/** The hash of `route`, as links write it. */
export function hrefOf(route: Exclude<Route, { name: 'not-found' }>): string {
  switch (route.name) {
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
