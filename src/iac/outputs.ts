import * as z from "zod/mini";
import type { OutputValue } from "../jobs/protocol.js";
import { InternalError } from "../errors/porch-error.js";

const outputsSchema = z.record(
  z.string(),
  z.object({ sensitive: z._default(z.boolean(), false), type: z.optional(z.unknown()), value: z.unknown() }),
);

/** Parses `tofu output -json`; sensitive values are kept, flagged, for the caller to hide. */
export function parseOutputs(text: string): Record<string, OutputValue> {
  let json: unknown;
  try {
    json = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (err) {
    throw new InternalError(`'tofu output -json' did not return JSON: ${(err as Error).message}`, "iac_output_invalid", err);
  }
  const parsed = outputsSchema.safeParse(json);
  if (!parsed.success) {
    throw new InternalError(`'tofu output -json' returned outputs in an unexpected shape: ${parsed.error.message}`, "iac_output_invalid");
  }
  const outputs: Record<string, OutputValue> = {};
  for (const [name, o] of Object.entries(parsed.data)) {
    outputs[name] = { value: o.value, sensitive: o.sensitive, ...(o.type !== undefined ? { type: o.type } : {}) };
  }
  return outputs;
}
