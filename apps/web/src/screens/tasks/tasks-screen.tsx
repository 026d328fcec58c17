import { useInfiniteQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { formError } from '../../api/api-error';
import { taskListQuery, type TaskFilters } from '../../api/tasks';
import { Link } from '../../components/link';
import { ErrorNotice, Loading } from '../../components/notices';
import { ScreenHeading } from '../../components/screen-heading';
import { useApi } from '../../session-context';
import { TaskCreateForm } from './task-create-form';
import { TaskFiltersBar } from './task-filters-bar';
import { TaskRow } from './task-row';
import { useProjects } from './use-projects';
import { LoadMore } from '../../components/load-more';

const filtered = (filters: TaskFilters) => Object.values(filters).some((v) => v !== undefined);

export function TasksScreen({ filters }: { filters: TaskFilters }) {
  const api = useApi();
  const { byId } = useProjects();
  const list = useInfiniteQuery(taskListQuery(api, filters));
  const tasks = list.data?.pages.flatMap((page) => page.tasks) ?? [];
  const total = list.data?.pages[0]?.count ?? null;

  // After "Load more", the focus goes to the first new task: the user reads on from there
  // rather than from the top (the button they pressed may be gone).
  const items = useRef<HTMLUListElement>(null);
  const firstNew = useRef<number | undefined>(undefined);
  useEffect(() => {
    const index = firstNew.current;
    if (index === undefined || list.isFetchingNextPage) return;
    firstNew.current = undefined;
    items.current?.querySelectorAll<HTMLElement>('li a')[index]?.focus();
  }, [list.isFetchingNextPage, tasks.length]);
  const loadMore = () => {
    firstNew.current = tasks.length;
    void list.fetchNextPage();
  };

  return (
    <section>
      <ScreenHeading>Tasks</ScreenHeading>
      <TaskCreateForm />
      <TaskFiltersBar filters={filters} />
      {list.isPending ? (
        <Loading>Loading tasks…</Loading>
      ) : list.isError ? (
        <ErrorNotice>
          {formError(list.error)}{' '}
          <button type="button" onClick={() => void list.refetch()}>
            Try again
          </button>
        </ErrorNotice>
      ) : tasks.length === 0 ? (
        <div className="empty">
          {filtered(filters) ? (
            <p>
              No tasks match these filters.{' '}
              <Link to={{ name: 'tasks', filters: {} }}>Show all tasks</Link>
            </p>
          ) : (
            <p>No tasks yet. Add your first one above.</p>
          )}
        </div>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            {total === null
              ? `Showing ${tasks.length} tasks`
              : `Showing ${tasks.length} of ${total} ${total === 1 ? 'task' : 'tasks'}`}
          </p>
          <ul ref={items} className="items" aria-label="Tasks">
            {tasks.map((task) => (
              <TaskRow
                key={task.id}
                task={task}
                project={task.project_id === null ? undefined : byId.get(task.project_id)}
              />
            ))}
          </ul>
          <LoadMore
            hasMore={list.hasNextPage}
            loading={list.isFetchingNextPage}
            onLoad={loadMore}
          />
        </>
      )}
    </section>
  );
}
