import type {
  defineResource,
  FieldKind,
  itemSystemFields,
  Kinded,
  ResourceName,
  Resources,
} from '@enclave/contract';
import type { z } from 'zod';
import type { OwnedTable } from '../db/tables/owned-table.js';

/** A resource as the registry holds it. */
export type RegisteredResource = Resources[ResourceName];

/**
 * Any resource, as the code written once for every resource sees it: the factory's own types
 * with the fields widened to "some fields of some kinds" and 409 possible. List filters are
 * left out: each resource has its own, and the list reads them as the query's remaining
 * entries. Everything specific to one resource (its fields' types, its statuses) is checked
 * where that resource is used, and at run time by the contract's request and response
 * validation.
 */
export type GenericResource = ReturnType<
  typeof defineResource<string, GenericFields, object, string, never, never, string>
>;

/** Fields whose values are unknown until a resource's declaration says what they are. */
type GenericFields = Record<string, Kinded<z.ZodType<unknown>, FieldKind>>;

export type GenericRoutes = GenericResource['routes'];

/** The table of any resource: its own columns known by name only. */
export type GenericTable = OwnedTable<GenericResource>;

// An index signature absorbs the named members when a type is mapped over it, so the parts
// every item has are kept apart from the fields only a declaration knows.

/** An item of any resource, as the API shows it and as the repository selects it. */
export type GenericItem = z.output<z.ZodObject<typeof itemSystemFields>> & Record<string, unknown>;
