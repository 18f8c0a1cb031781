/** Runner ids as the reference API accepts them on create. */
export const RUNNER_ID_PATTERN = /^[a-z][a-z0-9_-]+$/;
/** Project, environment, env-type (and org) ids. */
export const RESOURCE_ID_PATTERN = /^[a-z](?:-?[a-z0-9]+)+$/;
export const MAX_ID_LENGTH = 100;
