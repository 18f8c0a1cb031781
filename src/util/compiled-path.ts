import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * A compiled file that porch starts as a process or thread of its own (runner program, spawner, the
 * embedded store's worker), relative to the calling module (`import.meta.url`). When porch itself runs
 * from its TypeScript sources (tests), the compiled copy in dist/ is used: Node.js cannot start a .ts file.
 */
export function compiledPath(from: string, relative: string, what: string): string {
  const here = fileURLToPath(new URL(relative, from));
  if (existsSync(here)) return here;
  // The last `/src/` of the path is this repository's (a checkout may itself live under some /src/).
  const fromDist = here.replace(/([/\\])src([/\\])(?!.*[/\\]src[/\\])/, "$1dist$2");
  if (existsSync(fromDist)) return fromDist;
  throw new Error(`${what} was not found at ${here} or ${fromDist}; run 'npm run build' first`);
}
