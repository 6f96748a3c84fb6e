/**
 * The one table of SMS migration statuses: the upstream field name, the GraphQL enum
 * name and the dashboard group. Everything else (normalisation, groups, byStatus order)
 * is derived from it, so a status is added or regrouped here and nowhere else.
 *
 * The order is the migration lifecycle, which is the stable order of `byStatus`.
 */
export const STATUSES = [
  { field: 'unconfigured', status: 'UNCONFIGURED', group: 'NOT_STARTED' },
  { field: 'unavailable', status: 'UNAVAILABLE', group: 'NEEDS_ATTENTION' },
  { field: 'waiting', status: 'WAITING', group: 'NOT_STARTED' },
  { field: 'initialize', status: 'INITIALIZE', group: 'IN_PROGRESS' },
  { field: 'replicate', status: 'REPLICATE', group: 'IN_PROGRESS' },
  { field: 'syncing', status: 'SYNCING', group: 'IN_PROGRESS' },
  { field: 'cloning', status: 'CLONING', group: 'IN_PROGRESS' },
  { field: 'cutovering', status: 'CUTOVERING', group: 'IN_PROGRESS' },
  { field: 'finished', status: 'FINISHED', group: 'COMPLETED' },
  { field: 'stopping', status: 'STOPPING', group: 'TRANSITIONING' },
  { field: 'stopped', status: 'STOPPED', group: 'PAUSED' },
  { field: 'skipping', status: 'SKIPPING', group: 'TRANSITIONING' },
  { field: 'deleting', status: 'DELETING', group: 'TRANSITIONING' },
  { field: 'error', status: 'ERROR', group: 'NEEDS_ATTENTION' },
] as const;

export type StatusDef = (typeof STATUSES)[number];
/** Upstream field name of a status, e.g. `replicate`. */
export type StatusField = StatusDef['field'];
/** Enum name of a status, e.g. `REPLICATE`. */
export type MigrationStatus = StatusDef['status'];
/** Dashboard group, e.g. `IN_PROGRESS`. */
export type StatusGroup = StatusDef['group'];

/** Every group once, in the order dashboards show them. */
export const STATUS_GROUPS: readonly StatusGroup[] = [
  'IN_PROGRESS',
  'NEEDS_ATTENTION',
  'NOT_STARTED',
  'PAUSED',
  'TRANSITIONING',
  'COMPLETED',
];

/**
 * Field names used by older SMS deployments, mapped to today's. Those answered
 * `{waiting, replicating, syncing, other}`; `other` has no status and is kept apart.
 */
export const LEGACY_FIELD_ALIASES: Readonly<Record<string, StatusField>> = {
  replicating: 'replicate',
};

/** The highest count the seed documents; larger counts are served but reported as drift. */
export const DOCUMENTED_MAX_COUNT = 1000;
