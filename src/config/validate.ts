import type { z } from "zod";
import { ValidationError, type FieldProblem } from "../errors/porch-error.js";

/** `["job", "subnets", 0]` -> `job.subnets[0]` */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix?: string): string {
  let out = prefix ?? "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(body)";
}

export function zodProblems(error: z.ZodError, prefix?: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({ path: formatPath([...issue.path, key], prefix), message: "is not a known field" });
      }
      continue;
    }
    if (issue.code === "invalid_key" && issue.issues[0]) {
      problems.push({ path: formatPath(issue.path, prefix), message: `name ${issue.issues[0].message}` });
      continue;
    }
    const message = issue.code === "invalid_type" && issue.message.endsWith("received undefined") ? "is required" : issue.message;
    problems.push({ path: formatPath(issue.path, prefix), message });
  }
  return problems;
}

export function validationErrorFrom(error: z.ZodError, what = "request body", prefix?: string): ValidationError {
  const details = zodProblems(error, prefix);
  const first = details[0];
  const summary = first ? `${first.path}: ${first.message}` : "invalid";
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? "s" : ""})` : "";
  return new ValidationError(`invalid ${what}: ${summary}${more}`, details);
}

/** Parses or throws a ValidationError listing every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what?: string, prefix?: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationErrorFrom(result.error, what, prefix);
  return result.data;
}
