import { servedNotes } from './notes/notes.resource.js';
import { servedProjects } from './projects/projects.resource.js';
import { resourceRouter, type RouterDependencies } from './resources/resource.router.js';
import { servedTasks } from './tasks/tasks.resource.js';
// new:resource imports here

/** The routers of every resource, keyed as the contract keys them. */
export function resourceRouters(dependencies: RouterDependencies) {
  return {
    tasks: resourceRouter(servedTasks, dependencies),
    projects: resourceRouter(servedProjects, dependencies),
    notes: resourceRouter(servedNotes, dependencies),
    // new:resource inserts here
  };
}
