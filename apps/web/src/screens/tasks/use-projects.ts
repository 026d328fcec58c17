import type { Project } from '@enclave/client';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { projectListQuery } from '../../api/projects';
import { useApi } from '../../session-context';

/** The user's projects (the first pages), for choosing one and for naming a task's. */
export function useProjects(): { projects: Project[]; byId: Map<number, Project> } {
  const api = useApi();
  const { data } = useInfiniteQuery(projectListQuery(api));
  return useMemo(() => {
    const projects = data?.pages.flatMap((page) => page.projects) ?? [];
    return { projects, byId: new Map(projects.map((project) => [project.id, project])) };
  }, [data]);
}
