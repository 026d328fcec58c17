import { contract, errorBody } from '@enclave/contract';
import { initServer } from '@ts-rest/express';
import type { Db } from '../db/schema.js';
import { authenticatedUser } from '../http/auth.js';
import { createTask, deleteTask, findTask, listTasks, updateTask } from './tasks.repository.js';

const s = initServer();
const notFound = { status: 404, body: errorBody(404, 'Task not found') } as const;

/** The six task routes; the owner always comes from the verified token, never the body. */
export function tasksRouter(db: Db) {
  return s.router(contract.tasks, {
    list: async ({ res }) => {
      const tasks = await listTasks(db, authenticatedUser(res));
      return { status: 200, body: { tasks, count: tasks.length } };
    },
    create: async ({ res, body }) => ({
      status: 201,
      body: await createTask(db, authenticatedUser(res), body),
    }),
    get: async ({ res, params }) => {
      const task = await findTask(db, authenticatedUser(res), params.id);
      return task ? { status: 200, body: task } : notFound;
    },
    update: async ({ res, params, body }) => {
      const task = await updateTask(db, authenticatedUser(res), params.id, body);
      return task ? { status: 200, body: task } : notFound;
    },
    patch: async ({ res, params, body }) => {
      const task = await updateTask(db, authenticatedUser(res), params.id, body);
      return task ? { status: 200, body: task } : notFound;
    },
    remove: async ({ res, params }) =>
      (await deleteTask(db, authenticatedUser(res), params.id))
        ? { status: 204, body: undefined }
        : notFound,
  });
}
