import {
  type FieldNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getArgumentValues,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * A vetted document's answer, computed without graphql-js's executor: `undefined` when the
 * plan met anything it does not handle (an error, a null where the schema forbids one, a
 * promise below the root), and the caller then executes the document as usual.
 */
export type CompiledPlan = (
  context: unknown,
  variableValues: Readonly<Record<string, unknown>>,
) => Promise<string | undefined>;

/** How one selected field is answered: its response key, resolver and completion. */
interface PlannedField {
  readonly key: string;
  readonly node: FieldNode;
  readonly field: GraphQLField<unknown, unknown>;
  readonly resolve: GraphQLFieldResolver<unknown, unknown>;
  readonly complete: Completion;
}

/** Turns a resolved value into its JSON value; returns FALLBACK when graphql-js must decide. */
type Completion = (value: unknown, context: unknown) => unknown;

const FALLBACK: unique symbol = Symbol('fallback');

// The resolvers a plan calls below the root read only their parent (src/resolvers): none reads
// `info`, whose construction is most of what graphql-js allocates per field. A resolver that
// starts to need it makes the lean-path tests, which compare answers byte for byte, fail.
const NO_INFO = Object.freeze({}) as GraphQLResolveInfo;
const NO_ARGS: Readonly<Record<string, never>> = Object.freeze({});

/**
 * Compiles the answer of a query whose selections are plain fields: no fragments, no
 * directives, no aliases used twice, no arguments below the root, leaf and object types and
 * lists of them, object types without `isTypeOf`, no introspection or federation fields.
 * That is every dashboard query of `sourceOverview`; anything else returns `undefined` and
 * runs on graphql-js only.
 *
 * Root fields run their real resolvers with graphql-js's argument coercion, so checks such
 * as a missing token or a negative `maxAgeSeconds` stay where they are. Fields below run
 * their real resolvers too, and leaves are serialised by their own types. Whenever a result
 * is not plain data (a root field failed, a non-null field resolved to null, a leaf does not
 * serialise, a resolver below the root answers a promise), the plan gives up and the caller
 * runs graphql-js on the same context: its per-request loader keeps what was loaded, failures
 * included, so giving up never asks the SMS API again.
 *
 *     const plan = compilePlan(schema, operation);
 *     const json = plan && (await plan(context, variables)); // else: execute() as usual
 */
export function compilePlan(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
): CompiledPlan | undefined {
  const queryType = schema.getQueryType();
  if (operation.operation !== 'query' || queryType == null) return undefined;
  if (operation.directives !== undefined && operation.directives.length > 0) return undefined;
  const roots = planSelections(queryType, operation.selectionSet, true);
  if (roots === undefined) return undefined;

  return async (context, variableValues) => {
    // As graphql-js does: every root resolver is called before any is awaited, so the
    // per-request loader sees all their loads in one batch.
    const pending: Promise<unknown>[] = [];
    for (const root of roots) {
      try {
        const args = getArgumentValues(root.field, root.node, variableValues as Record<string, unknown>);
        pending.push(Promise.resolve(root.resolve(undefined, args, context, NO_INFO)));
      } catch {
        pending.push(Promise.reject(FALLBACK));
      }
    }
    const settled = await Promise.allSettled(pending);
    const data = jsonObject();
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i] as PlannedField;
      const outcome = settled[i] as PromiseSettledResult<unknown>;
      if (outcome.status === 'rejected') return undefined;
      const value = root.complete(outcome.value, context);
      if (value === FALLBACK) return undefined;
      data[root.key] = value;
    }
    return JSON.stringify({ data });
  };
}

/** The plan of a selection set on `type`, or undefined when it is not plain fields. */
function planSelections(
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  root: boolean,
): PlannedField[] | undefined {
  const fields = type.getFields();
  const planned: PlannedField[] = [];
  const keys = new Set<string>();
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return undefined;
    if (selection.directives !== undefined && selection.directives.length > 0) return undefined;
    const key = selection.alias?.value ?? selection.name.value;
    // graphql-js merges fields of one response key; a plan keeps to the simple case.
    if (keys.has(key)) return undefined;
    keys.add(key);
    const name = selection.name.value;
    if (name === '__typename') {
      if (root) return undefined;
      planned.push(typename(key, selection, type));
      continue;
    }
    const field = fields[name] as GraphQLField<unknown, unknown> | undefined;
    // Introspection, and federation's `_service`/`_entities` (their resolvers read `info`).
    if (field === undefined || name.startsWith('__') || (root && name.startsWith('_'))) return undefined;
    if (!root && ((selection.arguments?.length ?? 0) > 0 || field.args.length > 0)) return undefined;
    const complete = completion(field.type, selection.selectionSet);
    if (complete === undefined) return undefined;
    const resolve = field.resolve ?? propertyOf(name);
    planned.push({ key, node: selection, field, resolve, complete });
  }
  return planned;
}

/**
 * graphql-js's default resolver, for the plain data a plan handles: the parent's property of
 * the field's name (the default resolver reads the name from `info`, which a plan does not
 * build). A method is left to graphql-js, which calls it with arguments and info.
 */
function propertyOf(name: string): GraphQLFieldResolver<unknown, unknown> {
  return (parent) => {
    if (typeof parent !== 'object' || parent === null) return FALLBACK;
    const value: unknown = (parent as Record<string, unknown>)[name];
    return typeof value === 'function' ? FALLBACK : value;
  };
}

function typename(key: string, node: FieldNode, type: GraphQLObjectType): PlannedField {
  const name = type.name;
  return {
    key,
    node,
    field: { name: '__typename' } as GraphQLField<unknown, unknown>,
    resolve: () => name,
    complete: (value) => value,
  };
}

/** How to complete a value of `type` with `selectionSet`, or undefined when a plan cannot. */
function completion(
  type: GraphQLOutputType,
  selectionSet: SelectionSetNode | undefined,
): Completion | undefined {
  if (isNonNullType(type)) {
    const inner = completion(type.ofType, selectionSet);
    if (inner === undefined) return undefined;
    return (value, context) => (value == null ? FALLBACK : inner(value, context));
  }
  let complete: Completion | undefined;
  if (isListType(type)) {
    const item = completion(type.ofType, selectionSet);
    if (item === undefined) return undefined;
    complete = (value, context) => {
      if (!Array.isArray(value)) return FALLBACK;
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        const completed = item(value[i], context);
        if (completed === FALLBACK) return FALLBACK;
        out[i] = completed;
      }
      return out;
    };
  } else if (isLeafType(type)) {
    if (selectionSet !== undefined) return undefined;
    complete = (value) => {
      try {
        const serialised = type.serialize(value);
        return serialised === undefined ? FALLBACK : serialised;
      } catch {
        return FALLBACK;
      }
    };
  } else if (isObjectType(type)) {
    if (selectionSet === undefined || type.isTypeOf !== undefined) return undefined;
    const fields = planSelections(type, selectionSet, false);
    if (fields === undefined) return undefined;
    complete = (value, context) => completeObject(fields, value, context);
  } else {
    // Interfaces and unions need type resolution: graphql-js's job.
    return undefined;
  }
  const nullable = complete;
  return (value, context) => (value == null ? null : nullable(value, context));
}

/**
 * A result object as graphql-js makes one: without a prototype, so a response key such as
 * `__proto__` (a valid alias) is an ordinary key and not the object's prototype.
 */
function jsonObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

function completeObject(fields: readonly PlannedField[], parent: unknown, context: unknown): unknown {
  const out = jsonObject();
  for (const field of fields) {
    let value: unknown;
    try {
      value = field.resolve(parent, NO_ARGS, context, NO_INFO);
    } catch {
      return FALLBACK;
    }
    if (value === FALLBACK) return FALLBACK;
    if (value instanceof Promise) {
      // Nothing to wait for here; graphql-js will call it again and handle it.
      value.catch(() => {});
      return FALLBACK;
    }
    const completed = field.complete(value, context);
    if (completed === FALLBACK) return FALLBACK;
    out[field.key] = completed;
  }
  return out;
}
