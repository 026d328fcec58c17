export {
  AccountSchema,
  LoginBodySchema,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_RULES,
  RefreshBodySchema,
  RegisterBodySchema,
  TokenPairSchema,
  accountRoutes,
  type Account,
  type LoginBody,
  type RegisterBody,
  type TokenPair,
} from './accounts.js';
export { contract, type Contract, type ResourceRoutes } from './contract.js';
export { HealthSchema, healthRoutes, type Health } from './health.js';
export {
  ErrorBodySchema,
  ErrorDetailSchema,
  conflict,
  conflictMessage,
  errorBody,
  errorNames,
  invalidRequest,
  invalidRequestMessage,
  notFoundMessage,
  notYoursMessage,
  takenMessage,
  type ErrorBody,
  type ErrorDetail,
  type ErrorStatus,
} from './errors.js';
export {
  IdParamSchema,
  MAX_ID,
  TimestampSchema,
  UserIdParamSchema,
  reference,
  text,
} from './fields.js';
export {
  DEFAULT_LIST_LIMIT,
  DEFAULT_SORT,
  MAX_LIST_LIMIT,
  systemSortFields,
  type FilterParams,
  type ListDeclaration,
  type SortField,
} from './list-query.js';
export {
  defineResource,
  itemSystemFields,
  type HeaderDescription,
  type ResourceDeclaration,
  type RouteMetadata,
} from './resource.js';
export * from './registry.js';
export {
  CreateHeadersSchema,
  EntityTagListSchema,
  IDEMPOTENCY_KEY_IN_FLIGHT_MESSAGE,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENCY_KEY_REUSED_MESSAGE,
  IdempotencyKeySchema,
  ItemReadHeadersSchema,
  ItemWriteHeadersSchema,
  MAX_ENTITY_TAGS,
  PRECONDITION_REQUIRED_MESSAGE,
  etagOf,
  parseEntityTags,
  preconditionFailedMessage,
  type EntityTags,
} from './conditions.js';
