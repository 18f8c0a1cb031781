import { compiledPath } from "../../util/compiled-path.js";

/** The runner program: the single-file bundle (npm run build) starts in about half the CPU time of the module tree. */
export function runnerProgramPath(): string {
  try {
    return compiledPath(import.meta.url, "../../runner-bundle/porch-runner.mjs", "the runner program's bundle");
  } catch {
    return compiledPath(import.meta.url, "../../runner/main.js", "the runner program");
  }
}

export function spawnerProcessPath(): string {
  return compiledPath(import.meta.url, "./spawner-process.js", "the local driver's spawner");
}
