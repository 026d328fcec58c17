import { useEffect, useState, type FormEvent } from 'react';
import type { TaskFilters } from '../../api/tasks';
import { navigate } from '../../router/navigation';
import { TASK_SORTS } from '../../router/routes';
import { ProjectOptions } from './project-options';
import { useProjects } from './use-projects';

// The filters live in the URL (`#/tasks?status=open&q=milk`): a reload or a shared link shows
// the same list, and Back undoes a filter.

const statusValue = (complete: boolean | undefined) =>
  complete === undefined ? '' : complete ? 'done' : 'open';

const projectValue = (projectId: number | null | undefined) =>
  projectId === undefined ? '' : projectId === null ? 'none' : String(projectId);

export function TaskFiltersBar({ filters }: { filters: TaskFilters }) {
  const { projects } = useProjects();
  // Follows the URL, so Back or a link shows its search text here.
  const [text, setText] = useState(filters.q ?? '');
  useEffect(() => setText(filters.q ?? ''), [filters.q]);
  const apply = (changes: Partial<TaskFilters>) =>
    navigate({ name: 'tasks', filters: { ...filters, ...changes } });

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const q = text.trim();
    apply({ q: q === '' ? undefined : q });
  };

  return (
    <div className="filters">
      <form role="search" onSubmit={search} className="search">
        <label htmlFor="task-search">Search tasks</label>
        <input
          id="task-search"
          name="q"
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      <label>
        Status{' '}
        <select
          value={statusValue(filters.complete)}
          onChange={(event) => {
            const value = event.target.value;
            apply({ complete: value === '' ? undefined : value === 'done' });
          }}
        >
          <option value="">All</option>
          <option value="open">Open</option>
          <option value="done">Done</option>
        </select>
      </label>
      <label>
        In project{' '}
        <select
          value={projectValue(filters.projectId)}
          onChange={(event) => {
            const value = event.target.value;
            apply({
              projectId: value === '' ? undefined : value === 'none' ? null : Number(value),
            });
          }}
        >
          <ProjectOptions projects={projects} none="Any project" current={filters.projectId} />
          <option value="none">No project</option>
        </select>
      </label>
      <label>
        Sort by{' '}
        <select
          value={filters.sort ?? '-created_at'}
          onChange={(event) => {
            const sort = TASK_SORTS.find(({ value }) => value === event.target.value)?.value;
            apply({ sort: sort === '-created_at' ? undefined : sort });
          }}
        >
          {TASK_SORTS.map(({ value, label }) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
