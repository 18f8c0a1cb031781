import { ConfigError } from "../../../src/errors/porch-error.js";

/**
 * An error the fake answers on the wire, shaped like AWS's: `code` is the JSON `__type` or the Query
 * `<Code>`, which the SDK turns into the exception's `name`. Never leaves the fake as a thrown error.
 */
export class AwsWireError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Further members of the error shape, e.g. ConflictException's `resourceIds`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AwsWireError";
  }
}

/** The fake was started with options AWS itself would not accept (e.g. a non-https OIDC provider URL). */
export function fakeSetupError(field: string, message: string): ConfigError {
  return new ConfigError(`fake AWS option ${field}: ${message}`, "fake_aws_setup_invalid");
}

/** An action the fake does not model: answered like AWS answers an unknown operation. */
export function unknownOperation(service: string, action: string, implemented: string): AwsWireError {
  return new AwsWireError("UnknownOperationException", `The fake ${service} does not implement ${action} (it implements ${implemented}).`);
}
