import { z } from "zod";

/** Runner ids as the reference API accepts them on create. */
export const RUNNER_ID_PATTERN = /^[a-z][a-z0-9_-]+$/;
/** Project, environment, env-type (and org) ids. */
export const RESOURCE_ID_PATTERN = /^[a-z](?:-?[a-z0-9]+)+$/;
export const MAX_ID_LENGTH = 100;

export const runnerIdSchema = z
  .string()
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(RUNNER_ID_PATTERN, "must start with a lowercase letter and contain only a-z, 0-9, '_' and '-' (at least 2 characters)");

export const resourceIdSchema = z
  .string()
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(RESOURCE_ID_PATTERN, "must start with a lowercase letter and contain only a-z, 0-9 and single '-' between them (at least 2 characters)");
