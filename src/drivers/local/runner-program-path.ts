import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The compiled runner program. When porch itself runs from TypeScript sources (tests), the compiled
 * copy in dist/ is used, so the child starts as fast as it does in production.
 */
export function runnerProgramPath(): string {
  // The single-file bundle (npm run build) starts in about half the CPU time of the module tree.
  try {
    return compiled("../../runner-bundle/porch-runner.mjs", "the runner program's bundle");
  } catch {
    return compiled("../../runner/main.js", "the runner program");
  }
}

export function spawnerProcessPath(): string {
  return compiled("./spawner-process.js", "the local driver's spawner");
}

function compiled(relative: string, what: string): string {
  const here = fileURLToPath(new URL(relative, import.meta.url));
  if (existsSync(here)) return here;
  // The last `/src/` of the path is this repository's (a checkout may itself live under some /src/).
  const fromDist = here.replace(/([/\\])src([/\\])(?!.*[/\\]src[/\\])/, "$1dist$2");
  if (existsSync(fromDist)) return fromDist;
  throw new Error(`${what} was not found at ${here} or ${fromDist}; run 'npm run build' first`);
}
