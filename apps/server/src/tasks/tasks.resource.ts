import { tasks } from '@enclave/contract';
import type { ServedResource } from '../resources/resource.router.js';

/** Tasks as served: a project_id that is not one of the owner's projects is a 400. */
export const servedTasks = {
  ...tasks,
  violations: {
    // The same answer whether the project is another user's or does not exist: no leak.
    tasks_project_fk: {
      status: 400,
      field: 'project_id',
      message: 'must be the id of one of your projects',
    },
  },
} satisfies ServedResource<typeof tasks.routes>;
