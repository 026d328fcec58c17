import type { Project, Task } from '@enclave/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, formError } from '../../api/api-error';
import { taskKeys, updateTaskMutation } from '../../api/tasks';
import { useAnnounce } from '../../components/announcer';
import { Link } from '../../components/link';
import { Timestamps } from '../../components/timestamps';
import { useApi } from '../../session-context';

interface Props {
  task: Task;
  project: Project | undefined;
}

export function TaskRow({ task, project }: Props) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const update = useMutation(updateTaskMutation(api, queryClient));
  const changedElsewhere =
    update.error instanceof ApiError && update.error.kind === 'changed-elsewhere';
  // Shown as asked while the change is on its way (and as before if it fails).
  const complete = update.isPending
    ? (update.variables.changes.complete ?? task.complete)
    : task.complete;

  const toggle = () => {
    // Not disabled while saving: a disabled checkbox would drop the keyboard focus.
    if (update.isPending) return;
    const next = !task.complete;
    update.mutate(
      { task, changes: { complete: next } },
      {
        onSuccess: () => announce(`“${task.title}” marked ${next ? 'done' : 'not done'}`),
        onError: (error) => {
          // The list shows an old copy: read it again, so a second try starts from the new one.
          if (error instanceof ApiError && error.kind === 'changed-elsewhere') {
            void queryClient.invalidateQueries({ queryKey: taskKeys.lists(api.userId) });
          }
        },
      },
    );
  };

  const problem = changedElsewhere
    ? 'Changed elsewhere: this task was edited in another tab, so it was reloaded. Try again.'
    : formError(update.error);
  return (
    <li className={complete ? 'task-row done' : 'task-row'}>
      <input
        type="checkbox"
        checked={complete}
        onChange={toggle}
        aria-disabled={update.isPending}
        aria-label={`Done: ${task.title}`}
      />
      <div className="task-text">
        <Link to={{ name: 'task', id: task.id }}>{task.title}</Link>
        {project === undefined ? null : <span className="tag">{project.name}</span>}
        {task.description === null ? null : <p className="muted">{task.description}</p>}
        <Timestamps item={task} />
        {problem === undefined ? null : (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
      </div>
    </li>
  );
}
