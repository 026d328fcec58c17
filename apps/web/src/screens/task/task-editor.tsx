import type { Task } from '@enclave/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, fieldErrors, formError } from '../../api/api-error';
import { FORM_TEXTS } from '../../api/form-texts';
import { deleteTaskMutation, taskQuery, updateTaskMutation } from '../../api/tasks';
import { useAnnounce } from '../../components/announcer';
import { ConfirmDelete } from '../../components/confirm-delete';
import { SelectField, TextAreaField, TextField } from '../../components/field';
import { ChangedElsewhere, ErrorNotice } from '../../components/notices';
import { Timestamps } from '../../components/timestamps';
import { useFocusFirstError } from '../../components/use-focus-error';
import { navigate } from '../../router/navigation';
import { useApi } from '../../session-context';
import { ProjectOptions } from '../tasks/project-options';
import { useProjects } from '../tasks/use-projects';
import { changesOf } from '../tasks/form-values';

const FIELDS = ['title', 'description', 'project_id', 'complete'];

export function TaskEditor({ task }: { task: Task }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const { projects } = useProjects();
  const form = useRef<HTMLFormElement>(null);
  // The version this edit started from: its If-Match. It moves on only with our own saves and
  // with Reload, never behind the user's back.
  const [base, setBase] = useState(task);
  const [saved, setSaved] = useState(false);
  // Bumped by Reload: the form is built anew with the reloaded values. Not by a save, which
  // leaves the form as the user typed it (and the focus where it was).
  const [revision, setRevision] = useState(0);
  const update = useMutation(updateTaskMutation(api, queryClient));
  const remove = useMutation(deleteTaskMutation(api, queryClient));
  const error = update.error ?? remove.error;
  const changedElsewhere = error instanceof ApiError && error.kind === 'changed-elsewhere';
  const errors = fieldErrors(update.error, FORM_TEXTS.task);
  useFocusFirstError(form, update.error);

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (update.isPending) return;
    setSaved(false);
    const changes = changesOf(base, new FormData(event.currentTarget));
    if (Object.keys(changes).length === 0) {
      announce('Nothing to save: no field was changed');
      return;
    }
    update.mutate(
      { task: base, changes },
      {
        onSuccess: (updated) => {
          setBase(updated);
          setSaved(true);
          announce('Task saved');
        },
      },
    );
  };

  const reload = async () => {
    update.reset();
    remove.reset();
    setSaved(false);
    const fresh = await queryClient.fetchQuery({ ...taskQuery(api, base.id), staleTime: 0 });
    setBase(fresh);
    setRevision((n) => n + 1);
    announce('Reloaded the current version of the task');
  };
  // After a reload the form shows the new values: start again at its top.
  useEffect(() => {
    if (revision > 0) form.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, [revision]);

  const destroy = () => {
    if (remove.isPending) return;
    remove.mutate(base, {
      onSuccess: () => {
        announce(`Task “${base.title}” deleted`);
        navigate({ name: 'tasks', filters: {} }, { replace: true });
      },
    });
  };

  const problem = changedElsewhere ? undefined : formError(error, FIELDS);
  return (
    <form ref={form} key={revision} className="card" onSubmit={save} noValidate>
      {changedElsewhere ? <ChangedElsewhere what="task" onReload={() => void reload()} /> : null}
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      <TextField label="Title" name="title" defaultValue={base.title} error={errors.title} />
      <TextAreaField
        label="Description"
        name="description"
        rows={3}
        defaultValue={base.description ?? ''}
        error={errors.description}
      />
      <SelectField
        label="Project"
        name="project_id"
        defaultValue={base.project_id ?? ''}
        error={errors.project_id}
      >
        <ProjectOptions projects={projects} none="No project" current={base.project_id} />
      </SelectField>
      <div className="field checkbox">
        <input id="task-complete" type="checkbox" name="complete" defaultChecked={base.complete} />
        <label htmlFor="task-complete">Done</label>
      </div>
      <div className="actions">
        <button type="submit" aria-disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save'}
        </button>
        <ConfirmDelete
          label="Delete task"
          question={`Delete the task “${base.title}”? This cannot be undone.`}
          pending={remove.isPending}
          onConfirm={destroy}
        />
        {saved ? <span className="muted">Saved.</span> : null}
      </div>
      <Timestamps item={base} />
    </form>
  );
}
