import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The compiled runner program. When porch itself runs from TypeScript sources (tests), the compiled
 * copy in dist/ is used, so the child starts as fast as it does in production.
 */
export function runnerProgramPath(): string {
  const here = fileURLToPath(new URL("../../runner/main.js", import.meta.url));
  if (existsSync(here)) return here;
  const fromDist = here.replace(/([/\\])src([/\\])runner([/\\])main\.js$/, "$1dist$2runner$3main.js");
  if (existsSync(fromDist)) return fromDist;
  throw new Error(`the runner program was not found at ${here} or ${fromDist}; run 'npm run build' first`);
}
