import { projects } from '@enclave/contract';
import type { ServedResource } from '../resources/resource.router.js';

/** Projects as served: a name already used by another of the owner's projects is a 409. */
export const servedProjects = {
  ...projects,
  violations: {
    projects_user_id_name_key: {
      status: 409,
      field: 'name',
      message: 'is already the name of another of your projects',
    },
  },
} satisfies ServedResource<typeof projects.routes>;
