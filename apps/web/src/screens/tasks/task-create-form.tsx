import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, type FormEvent } from 'react';
import { fieldErrors, formError } from '../../api/api-error';
import { newIdempotencyKey } from '@enclave/client';
import { FORM_TEXTS } from '../../api/form-texts';
import { createTaskMutation } from '../../api/tasks';
import { useAnnounce } from '../../components/announcer';
import { SelectField, TextAreaField, TextField } from '../../components/field';
import { ErrorNotice } from '../../components/notices';
import { useFocusFirstError } from '../../components/use-focus-error';
import { useApi } from '../../session-context';
import { projectIdOf, textOrNull } from './form-values';
import { ProjectOptions } from './project-options';
import { useProjects } from './use-projects';
import { textOf } from '../../components/form-data';

const FIELDS = ['title', 'description', 'project_id'];

export function TaskCreateForm() {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const { projects } = useProjects();
  const form = useRef<HTMLFormElement>(null);
  const create = useMutation(createTaskMutation(api, queryClient));
  const errors = fieldErrors(create.error, FORM_TEXTS.task);
  useFocusFirstError(form, create.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (create.isPending) return;
    const data = new FormData(event.currentTarget);
    create.mutate(
      {
        body: {
          title: textOf(data, 'title'),
          description: textOrNull(data.get('description')),
          project_id: projectIdOf(data.get('project_id')),
        },
        // Made once per submit: TanStack's retries of this mutation all send it.
        idempotencyKey: newIdempotencyKey(),
      },
      {
        onSuccess: (task) => {
          form.current?.reset();
          // Ready for the next one.
          form.current?.querySelector<HTMLInputElement>('input[name="title"]')?.focus();
          announce(`Task “${task.title}” added`);
        },
      },
    );
  };

  const problem = formError(create.error, FIELDS);
  return (
    <form ref={form} className="card" onSubmit={submit} noValidate aria-labelledby="new-task">
      <h2 id="new-task">New task</h2>
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      <TextField label="Title" name="title" autoComplete="off" error={errors.title} />
      <div className="row">
        <TextAreaField
          label="Description (optional)"
          name="description"
          rows={1}
          error={errors.description}
        />
        <SelectField label="Project" name="project_id" error={errors.project_id}>
          <ProjectOptions projects={projects} none="No project" />
        </SelectField>
      </div>
      <button type="submit" aria-disabled={create.isPending}>
        {create.isPending ? 'Adding…' : 'Add task'}
      </button>
    </form>
  );
}
