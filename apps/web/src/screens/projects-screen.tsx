import type { Project } from '@enclave/client';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, fieldErrors, formError } from '../api/api-error';
import { FORM_TEXTS } from '../api/form-texts';
import { newIdempotencyKey } from '@enclave/client';
import {
  createProjectMutation,
  deleteProjectMutation,
  projectKeys,
  projectListQuery,
  updateProjectMutation,
} from '../api/projects';
import { ConfirmDelete } from '../components/confirm-delete';
import { Timestamps } from '../components/timestamps';
import { useAnnounce } from '../components/announcer';
import { TextAreaField, TextField } from '../components/field';
import { Link } from '../components/link';
import { ErrorNotice, Loading } from '../components/notices';
import { ScreenHeading } from '../components/screen-heading';
import { useFocusFirstError } from '../components/use-focus-error';
import { useApi } from '../session-context';
import { textOf } from '../components/form-data';
import { textOrNull } from './tasks/form-values';
import { LoadMore } from '../components/load-more';

function ProjectCreateForm() {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useRef<HTMLFormElement>(null);
  const create = useMutation(createProjectMutation(api, queryClient));
  const errors = fieldErrors(create.error, FORM_TEXTS.project);
  useFocusFirstError(form, create.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (create.isPending) return;
    const data = new FormData(event.currentTarget);
    create.mutate(
      {
        body: {
          name: textOf(data, 'name'),
          description: textOrNull(data.get('description')),
        },
        idempotencyKey: newIdempotencyKey(),
      },
      {
        onSuccess: (project) => {
          form.current?.reset();
          form.current?.querySelector<HTMLInputElement>('input[name="name"]')?.focus();
          announce(`Project “${project.name}” created`);
        },
      },
    );
  };

  const problem = formError(create.error, ['name', 'description']);
  return (
    <form ref={form} className="card" onSubmit={submit} noValidate aria-labelledby="new-project">
      <h2 id="new-project">New project</h2>
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      <TextField label="Name" name="name" autoComplete="off" error={errors.name} />
      <TextAreaField
        label="Description (optional)"
        name="description"
        rows={2}
        error={errors.description}
      />
      <button type="submit" aria-disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create project'}
      </button>
    </form>
  );
}

function ProjectEditForm({ project, onDone }: { project: Project; onDone: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useRef<HTMLFormElement>(null);
  const update = useMutation(updateProjectMutation(api, queryClient));
  const errors = fieldErrors(update.error, FORM_TEXTS.project);
  useFocusFirstError(form, update.error);
  useEffect(() => {
    form.current?.querySelector('input')?.focus();
  }, []);

  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (update.isPending) return;
    const data = new FormData(event.currentTarget);
    const edited = { name: textOf(data, 'name'), description: textOrNull(data.get('description')) };
    const changes = Object.fromEntries(
      Object.entries(edited).filter(
        ([field, value]) => project[field as keyof typeof edited] !== value,
      ),
    );
    if (Object.keys(changes).length === 0) {
      onDone();
      return;
    }
    update.mutate(
      { project, changes },
      {
        onSuccess: (changed) => {
          announce(`Project “${changed.name}” saved`);
          onDone();
        },
        onError: (failure) => {
          if (failure instanceof ApiError && failure.kind === 'changed-elsewhere') {
            void queryClient.invalidateQueries({ queryKey: projectKeys.lists(api.userId) });
          }
        },
      },
    );
  };

  const changedElsewhere =
    update.error instanceof ApiError && update.error.kind === 'changed-elsewhere';
  const problem = changedElsewhere
    ? 'Changed elsewhere: this project was edited in another tab. Cancel to see it as it is now.'
    : formError(update.error, ['name', 'description']);
  return (
    <form ref={form} onSubmit={save} noValidate aria-label={`Edit project ${project.name}`}>
      {problem === undefined ? null : <ErrorNotice>{problem}</ErrorNotice>}
      <TextField
        label="Name"
        name="name"
        autoComplete="off"
        defaultValue={project.name}
        error={errors.name}
      />
      <TextAreaField
        label="Description (optional)"
        name="description"
        rows={2}
        defaultValue={project.description ?? ''}
        error={errors.description}
      />
      <div className="actions">
        <button type="submit" aria-disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save project'}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ProjectRow({ project }: { project: Project }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [editing, setEditing] = useState(false);
  const update = useMutation(updateProjectMutation(api, queryClient));
  const remove = useMutation(deleteProjectMutation(api, queryClient));
  const edit = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    // Back from the form: the focus returns to the button that opened it.
    if (!editing && wasEditing.current) edit.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  const archive = () =>
    !update.isPending &&
    update.mutate(
      { project, changes: { archived: !project.archived } },
      {
        onSuccess: (changed) =>
          announce(`Project “${changed.name}” ${changed.archived ? 'archived' : 'restored'}`),
      },
    );
  // Through the promise, not mutate's callbacks: the row leaves the list (and unmounts) as
  // soon as the delete succeeds, and mutate's callbacks do not run for an unmounted row.
  const destroy = () =>
    remove.mutateAsync(project).then(
      () => announce(`Project “${project.name}” deleted`),
      (failure: unknown) => {
        if (failure instanceof ApiError && failure.kind === 'changed-elsewhere') {
          void queryClient.invalidateQueries({ queryKey: projectKeys.lists(api.userId) });
        }
      },
    );
  if (editing) {
    return (
      <li className="project-row">
        <ProjectEditForm project={project} onDone={() => setEditing(false)} />
      </li>
    );
  }
  const problem = formError(update.error ?? remove.error);
  return (
    <li className="project-row">
      <div>
        <strong>{project.name}</strong>
        {project.archived ? <span className="tag">archived</span> : null}
        {project.description === null ? null : <p className="muted">{project.description}</p>}
        <Timestamps item={project} />
        {problem === undefined ? null : (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
      </div>
      <div className="actions">
        <Link to={{ name: 'tasks', filters: { projectId: project.id } }}>
          Tasks<span className="visually-hidden"> in {project.name}</span>
        </Link>
        <button
          ref={edit}
          type="button"
          className="secondary"
          aria-label={`Edit ${project.name}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
        <button type="button" onClick={archive} aria-disabled={update.isPending}>
          {project.archived ? 'Restore' : 'Archive'}
          <span className="visually-hidden"> {project.name}</span>
        </button>
        <ConfirmDelete
          label="Delete"
          accessibleLabel={`Delete ${project.name}`}
          question={`Delete the project “${project.name}”? Its tasks stay, in no project.`}
          pending={remove.isPending}
          onConfirm={() => void destroy()}
        />
      </div>
    </li>
  );
}

/** `#/projects`: create projects; file tasks under them from the task forms. */
export function ProjectsScreen() {
  const api = useApi();
  const list = useInfiniteQuery(projectListQuery(api));
  const projects = list.data?.pages.flatMap((page) => page.projects) ?? [];
  return (
    <section>
      <ScreenHeading>Projects</ScreenHeading>
      <ProjectCreateForm />
      {list.isPending ? (
        <Loading>Loading projects…</Loading>
      ) : list.isError ? (
        <ErrorNotice>{formError(list.error)}</ErrorNotice>
      ) : projects.length === 0 ? (
        <p className="empty">No projects yet. Create one to group your tasks.</p>
      ) : (
        <>
          <ul className="items" aria-label="Projects">
            {projects.map((project) => (
              <ProjectRow key={project.id} project={project} />
            ))}
          </ul>
          <LoadMore
            hasMore={list.hasNextPage}
            loading={list.isFetchingNextPage}
            onLoad={() => void list.fetchNextPage({ cancelRefetch: false })}
          />
        </>
      )}
    </section>
  );
}
