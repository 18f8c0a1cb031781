import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";

/**
 * `--config @runner-config.yaml` (or a path without @, or inline JSON/YAML). Accepts the seed's
 * YAML form (top-level runner_configuration + state_storage_configuration) and JSON.
 */
export function readConfigArg(arg: string): Record<string, unknown> {
  const text = arg.startsWith("@") ? readFileSync(arg.slice(1), "utf8") : /^\s*[{[]/.test(arg) || arg.includes("\n") ? arg : readFileSync(arg, "utf8");
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new Error(`--config is not valid YAML or JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("--config must hold an object (key: value pairs)");
  return parsed as Record<string, unknown>;
}
