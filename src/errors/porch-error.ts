/**
 * One failure hierarchy for all of porch. The category alone decides whether a caller retries
 * (`transient`), shows the message to the user as something to fix (`user`), or reports a bug
 * (`internal`). Nothing should decide retries by matching message text.
 */
export type ErrorCategory = "user" | "transient" | "internal";

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `runner_configuration.job.subnets`. */
  path: string;
  message: string;
}

export interface PorchErrorOptions {
  /** Machine-readable code, stable across releases, e.g. `runner_type_unsupported`. */
  code: string;
  category: ErrorCategory;
  /** HTTP status when the error crosses the API; defaults by category. */
  status?: number;
  details?: FieldProblem[];
  cause?: unknown;
}

export class PorchError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly status: number;
  readonly details: FieldProblem[];

  constructor(message: string, opts: PorchErrorOptions) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.category = opts.category;
    this.status = opts.status ?? defaultStatus(opts.category);
    this.details = opts.details ?? [];
  }

  get retryable(): boolean {
    return this.category === "transient";
  }

  toJSON(): { category: ErrorCategory; code: string; message: string } {
    return { category: this.category, code: this.code, message: this.message };
  }
}

function defaultStatus(category: ErrorCategory): number {
  switch (category) {
    case "user":
      return 400;
    case "transient":
      return 503;
    case "internal":
      return 500;
  }
}

/** Bad input: names every offending field. */
export class ValidationError extends PorchError {
  constructor(message: string, details: FieldProblem[], code = "validation_failed") {
    super(message, { code, category: "user", status: 400, details });
  }
}

export class NotFoundError extends PorchError {
  constructor(kind: string, id: string) {
    super(`${kind} '${id}' was not found`, { code: "not_found", category: "user", status: 404 });
  }
}

export class ConflictError extends PorchError {
  constructor(message: string, code = "conflict") {
    super(message, { code, category: "user", status: 409 });
  }
}

export class UnauthorizedError extends PorchError {
  constructor(message = "a valid bearer token is required (Authorization: Bearer <token>)") {
    super(message, { code: "unauthorized", category: "user", status: 401 });
  }
}

export class ForbiddenError extends PorchError {
  constructor(message: string) {
    super(message, { code: "forbidden", category: "user", status: 403 });
  }
}

/** A problem with the user's own setup (runner config, IAM, network): not retried. */
export class ConfigError extends PorchError {
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { code, category: "user", status: 400, cause });
  }
}

/** Worth retrying: throttling, network blips, capacity. */
export class TransientError extends PorchError {
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { code, category: "transient", status: 503, cause });
  }
}

export class InternalError extends PorchError {
  constructor(message: string, code = "internal", cause?: unknown) {
    super(message, { code, category: "internal", status: 500, cause });
  }
}

export function isPorchError(err: unknown): err is PorchError {
  return err instanceof PorchError;
}

/** Wraps anything thrown into a PorchError, keeping PorchErrors as they are. */
export function toPorchError(err: unknown): PorchError {
  if (err instanceof PorchError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new InternalError(message, "internal", err);
}
