import { z } from "zod";

import { MAX_ID_LENGTH, RESOURCE_ID_PATTERN, RUNNER_ID_PATTERN } from "./id-patterns.js";

// Without zod, for the runner program's bundle.
export { MAX_ID_LENGTH, RESOURCE_ID_PATTERN, RUNNER_ID_PATTERN };

export const runnerIdSchema = z
  .string()
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(RUNNER_ID_PATTERN, "must start with a lowercase letter and contain only a-z, 0-9, '_' and '-' (at least 2 characters)");

export const resourceIdSchema = z
  .string()
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(RESOURCE_ID_PATTERN, "must start with a lowercase letter and contain only a-z, 0-9 and single '-' between them (at least 2 characters)");
