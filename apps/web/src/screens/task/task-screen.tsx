import { useQuery } from '@tanstack/react-query';
import { ApiError, formError } from '../../api/api-error';
import { taskQuery } from '../../api/tasks';
import { Link } from '../../components/link';
import { ErrorNotice, Loading } from '../../components/notices';
import { ScreenHeading } from '../../components/screen-heading';
import { useApi } from '../../session-context';
import { TaskEditor } from './task-editor';

/** `#/tasks/<id>`: one task, to edit or delete. Another user's id is simply "not found". */
export function TaskScreen({ id }: { id: number }) {
  const api = useApi();
  const task = useQuery(taskQuery(api, id));

  if (task.isPending) {
    return (
      <section>
        <ScreenHeading>Task</ScreenHeading>
        <Loading>Loading the task…</Loading>
      </section>
    );
  }
  if (task.isError) {
    const missing = task.error instanceof ApiError && task.error.kind === 'not-found';
    return (
      <section>
        <ScreenHeading>{missing ? 'Task not found' : 'Task'}</ScreenHeading>
        {missing ? (
          <p>There is no task {id} among yours. It may have been deleted.</p>
        ) : (
          <ErrorNotice>{formError(task.error)}</ErrorNotice>
        )}
        <p>
          <Link to={{ name: 'tasks', filters: {} }}>Back to tasks</Link>
        </p>
      </section>
    );
  }
  return (
    <section>
      <ScreenHeading>Edit task</ScreenHeading>
      <p>
        <Link to={{ name: 'tasks', filters: {} }}>← All tasks</Link>
      </p>
      {/* Keyed by id only: a newer copy arriving in the background must not wipe an edit. */}
      <TaskEditor key={task.data.id} task={task.data} />
    </section>
  );
}
