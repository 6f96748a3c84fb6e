/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The migration statuses the SMS overview reports, named as the SMS API names them. */
export type MigrationStatus =
  /** Target server being cloned (`cloning`). */
  | 'CLONING'
  /** Target server being launched (`cutovering`). */
  | 'CUTOVERING'
  /** Being deleted (`deleting`). */
  | 'DELETING'
  /** Error during migration (`error`). */
  | 'ERROR'
  /** Target server launched (`finished`). */
  | 'FINISHED'
  /** Being initialised (`initialize`). */
  | 'INITIALIZE'
  /** Being replicated (`replicate`). */
  | 'REPLICATE'
  /** Being skipped (`skipping`). */
  | 'SKIPPING'
  /** Paused (`stopped`). */
  | 'STOPPED'
  /** Being paused (`stopping`). */
  | 'STOPPING'
  /** Continuously synchronising (`syncing`). */
  | 'SYNCING'
  /** Failed the environment check (`unavailable`). */
  | 'UNAVAILABLE'
  /** No target server configured (`unconfigured`). */
  | 'UNCONFIGURED'
  /** Waiting for migration (`waiting`). */
  | 'WAITING';

/** Dashboard groups; every status belongs to exactly one. */
export type StatusGroup =
  /** finished. */
  | 'COMPLETED'
  /** initialize, replicate, syncing, cloning, cutovering. */
  | 'IN_PROGRESS'
  /** error, unavailable. */
  | 'NEEDS_ATTENTION'
  /** waiting, unconfigured. */
  | 'NOT_STARTED'
  /** stopped. */
  | 'PAUSED'
  /** stopping, skipping, deleting. */
  | 'TRANSITIONING';

export type DashboardOverviewQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardOverviewQuery = { sourceOverview: { total: number, inProgress: number, needsAttention: number, notStarted: number, paused: number, transitioning: number, completed: number, missingStatuses: Array<MigrationStatus>, fetchedAt: string, stale: boolean, byStatus: Array<{ status: MigrationStatus, count: number, group: StatusGroup }> } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const DashboardOverviewDocument = new TypedDocumentString(`
    query DashboardOverview {
  sourceOverview {
    total
    inProgress
    needsAttention
    notStarted
    paused
    transitioning
    completed
    byStatus {
      status
      count
      group
    }
    missingStatuses
    fetchedAt
    stale
  }
}
    `, {"hash":"sha256:8c21bccb26817c6c7d17f6dd3536b8818d422fc446aa6b71b899e6a595cd0dac"}) as unknown as TypedDocumentString<DashboardOverviewQuery, DashboardOverviewQueryVariables>;