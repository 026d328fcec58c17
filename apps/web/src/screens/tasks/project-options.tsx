import type { Project } from '@enclave/client';

interface Props {
  projects: Project[];
  /** The label of the "no project" choice. */
  none: string;
  /** The project chosen now: listed even before the projects have loaded, so that a form
   * read meanwhile keeps it rather than reading "no project". */
  current?: number | null | undefined;
}

/** `<option>`s for choosing a task's project: none, then each project by name. */
export function ProjectOptions({ projects, none, current }: Props) {
  const missing =
    typeof current === 'number' && !projects.some((project) => project.id === current);
  return (
    <>
      <option value="">{none}</option>
      {missing ? (
        <option key={current} value={current}>
          Project {current}
        </option>
      ) : null}
      {projects.map((project) => (
        <option key={project.id} value={project.id}>
          {project.archived ? `${project.name} (archived)` : project.name}
        </option>
      ))}
    </>
  );
}
