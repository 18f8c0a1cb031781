// Command-line flags in OpenTofu's style: `-name`, `-name=value`, and `-var`/`-var-file`/`-backend-config`
// also as `-var VALUE`. An undeclared flag fails like OpenTofu's ("flag provided but not defined").
import { DiagnosticError } from "./diagnostics.mjs";

const REPEATABLE = new Set(["var", "var-file", "backend-config"]);

/**
 * @param {string[]} argv arguments after the command name
 * @param {string[]} allowed flag names this command accepts
 */
export function parseFlags(argv, allowed) {
  const flags = new Map();
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq === -1 ? body : body.slice(0, eq);
    if (!allowed.includes(name)) {
      throw new DiagnosticError({
        severity: "error",
        summary: "Failed to parse command-line flags",
        detail: `flag provided but not defined: -${name}`,
      });
    }
    let value = eq === -1 ? true : body.slice(eq + 1);
    if (value === true && REPEATABLE.has(name) && i + 1 < argv.length) value = argv[++i];
    if (REPEATABLE.has(name)) {
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else {
      flags.set(name, value);
    }
  }
  return { flags, positional };
}

/** `-flag`, `-flag=true` → true; `-flag=false` → false; absent → fallback. */
export function boolFlag(flags, name, fallback = false) {
  if (!flags.has(name)) return fallback;
  const value = flags.get(name);
  return value === true || value === "true" || value === "1";
}
