export { contract, type Contract } from './contract.js';
export {
  ErrorBodySchema,
  ErrorDetailSchema,
  errorBody,
  errorNames,
  type ErrorBody,
  type ErrorDetail,
  type ErrorStatus,
} from './errors.js';
export { IdParamSchema, MAX_ID, TimestampSchema, UserIdParamSchema, text } from './fields.js';
export {
  defineResource,
  resourceSchemas,
  type ResourceDeclaration,
  type RouteMetadata,
} from './resource.js';
export { tasks, type Task, type TaskCreate, type TaskPatch, type TaskReplace } from './tasks.js';
