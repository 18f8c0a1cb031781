import { AwsWireError } from "../aws-error.js";

export interface WireTag {
  key?: string;
  value?: string;
}

const MAX_TAGS = 50;

/** Validates an ECS `tags` list the way ECS does and returns it as a map (later keys win). */
export function readTags(raw: unknown, existing: Record<string, string> = {}): Record<string, string> {
  if (raw === undefined) return { ...existing };
  if (!Array.isArray(raw)) throw new AwsWireError("InvalidParameterException", "tags must be a list of {key, value}.");
  const tags = { ...existing };
  for (const tag of raw as WireTag[]) {
    const key = tag?.key;
    const value = tag?.value ?? "";
    if (typeof key !== "string" || key.length < 1 || key.length > 128) {
      throw new AwsWireError("InvalidParameterException", `Tag keys must be 1 to 128 characters long; got '${String(key)}'.`);
    }
    if (typeof value !== "string" || value.length > 256) {
      throw new AwsWireError("InvalidParameterException", `Tag values must be at most 256 characters long (key '${key}').`);
    }
    if (key.toLowerCase().startsWith("aws:")) {
      throw new AwsWireError("InvalidParameterException", `Tag key '${key}' uses the reserved prefix 'aws:'.`);
    }
    tags[key] = value;
  }
  if (Object.keys(tags).length > MAX_TAGS) {
    throw new AwsWireError("InvalidParameterException", `A resource can have at most ${MAX_TAGS} tags; this request would give it ${Object.keys(tags).length}.`);
  }
  return tags;
}

export function wireTags(tags: Record<string, string>): WireTag[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}
