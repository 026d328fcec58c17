import { fieldSpecOf } from '@enclave/contract';

interface Declared {
  name: string;
  fields: Record<string, unknown>;
}

/** The resources a resource's fields refer to (other than itself). */
function targetsOf(resource: Declared): Set<string> {
  const targets = new Set<string>();
  for (const schema of Object.values(resource.fields)) {
    const target = fieldSpecOf(schema as Parameters<typeof fieldSpecOf>[0])?.references;
    if (target !== undefined && target !== resource.name) targets.add(target);
  }
  return targets;
}

/**
 * The resources in an order to delete a user's rows in: a resource before those it refers
 * to, so no delete has to cascade into (or set null in) rows that are about to go anyway.
 * References between resources form no cycle; should one appear, the rest follow in the
 * registry's order and the foreign keys' own `on delete` still keep the data consistent.
 */
export function deletionOrder<T extends Declared>(resources: readonly T[]): T[] {
  const left = [...resources];
  const ordered: T[] = [];
  while (left.length > 0) {
    const referenced = new Set(left.flatMap((resource) => [...targetsOf(resource)]));
    const index = left.findIndex((resource) => !referenced.has(resource.name));
    ordered.push(...left.splice(index === -1 ? 0 : index, 1));
  }
  return ordered;
}
