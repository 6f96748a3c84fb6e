/**
 * The seed's example payloads (`GET /v3/sources/overview`), byte for byte in meaning.
 * test/fixtures holds the same JSON; a test keeps the two equal.
 */
export const SEED_OVERVIEW_200 = {
  replicate: 0,
  stopped: 0,
  unconfigured: 13,
  waiting: 0,
  syncing: 0,
  unavailable: 0,
  cutovering: 0,
  finished: 6,
  error: 3,
  deleting: 1,
  stopping: 1,
  initialize: 0,
  cloning: 0,
} as const;

export const SEED_OVERVIEW_403 = {
  error_code: 'SMS.9004',
  error_msg:
    'The current account does not have the permission to execute policy. You do not have permission to perform action XXX on resource XXX.',
  encoded_authorization_message: 'XXXXXX',
  error_param: ['You do not have permission to perform action XXX on resource XXX.'],
  details: [
    {
      error_code: 'SMS.9004',
      error_msg: 'You do not have permission to perform action XXX on resource XXX.',
    },
  ],
} as const;

/** What Huawei's API gateway answers (HTTP 401) for a missing or bad token. */
export const APIGW_401 = {
  error_code: 'APIGW.0301',
  error_msg: 'Incorrect IAM authentication information: verify token fail',
} as const;

/** The older upstream shape: `{waiting, replicating, syncing, other}`. */
export const LEGACY_OVERVIEW = { waiting: 2, replicating: 5, syncing: 1, other: 4 } as const;
