import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { MODULE_DIR, moduleGeneratedFiles } from "./module-files.js";

/** Writes the module's generated files; returns the paths written. */
export function writeModuleFiles(moduleDir: string): string[] {
  const written: string[] = [];
  for (const [relative, content] of Object.entries(moduleGeneratedFiles())) {
    const path = join(moduleDir, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    written.push(path);
  }
  return written;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const path of writeModuleFiles(resolve(process.argv[2] ?? MODULE_DIR))) console.log(`wrote ${path}`);
}
