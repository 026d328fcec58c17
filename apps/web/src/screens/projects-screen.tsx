import type { Project } from '@enclave/client';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, type FormEvent } from 'react';
import { fieldErrors, formError } from '../api/api-error';
import { newIdempotencyKey } from '@enclave/client';
import { createProjectMutation, projectListQuery, updateProjectMutation } from '../api/projects';
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
  const errors = fieldErrors(create.error);
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

function ProjectRow({ project }: { project: Project }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const update = useMutation(updateProjectMutation(api, queryClient));
  const archive = () =>
    !update.isPending &&
    update.mutate(
      { project, changes: { archived: !project.archived } },
      {
        onSuccess: (changed) =>
          announce(`Project “${changed.name}” ${changed.archived ? 'archived' : 'restored'}`),
      },
    );
  const problem = formError(update.error);
  return (
    <li className="project-row">
      <div>
        <strong>{project.name}</strong>
        {project.archived ? <span className="tag">archived</span> : null}
        {project.description === null ? null : <p className="muted">{project.description}</p>}
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
        <button type="button" onClick={archive} aria-disabled={update.isPending}>
          {project.archived ? 'Restore' : 'Archive'}
          <span className="visually-hidden"> {project.name}</span>
        </button>
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
