#!/usr/bin/env node
// Copies the built modules the runner program reaches from its entry file, and only the node_modules
// it imports (with their dependencies, as pinned in package-lock.json), so the runner image carries
// neither the orchestrator's code nor its dependencies (AWS SDKs, fastify, database drivers, ...).
//
//   node docker/runner/select-runner-deps.mjs <project-dir> <entry.js> <out-dir>
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const [projectDir = ".", entry = "dist/runner/main.js", outDir = "/runtime"] = process.argv.slice(2);
const root = resolve(projectDir);
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const lockPackages = lock.packages ?? {};

const IMPORT_PATTERN = /(?:^|[\s;])(?:import|export)\s[^"'`]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Local modules reachable from the entry file, and the bare package names they import. */
function reachable(entryFile) {
  const seen = new Set();
  const packages = new Set();
  const queue = [resolve(root, entryFile)];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(IMPORT_PATTERN)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith(".")) {
        const target = resolve(dirname(file), specifier);
        if (existsSync(target)) queue.push(target);
        else throw new Error(`${file} imports ${specifier}, which does not exist (was the project built?)`);
      } else if (!specifier.startsWith("node:") && !isBuiltin(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  }
  return { files: [...seen], packages };
}

/** Node's lookup: node_modules next to the requiring package first, then each parent's. */
function locate(name, fromPath) {
  let base = fromPath;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (lockPackages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut === -1 ? "" : base.slice(0, cut);
  }
}

function closure(names) {
  const selected = new Set();
  const queue = [...names].map((name) => ({ name, from: "" }));
  while (queue.length > 0) {
    const { name, from } = queue.pop();
    const path = locate(name, from);
    if (!path) {
      throw new Error(`the runner needs '${name}' but package-lock.json does not contain it; add it to "dependencies"`);
    }
    if (selected.has(path)) continue;
    const meta = lockPackages[path];
    if (meta.dev) throw new Error(`the runner imports '${name}', a devDependency; move it to "dependencies"`);
    // The build stage runs on the build machine's platform; a package with install scripts may carry
    // a native binary for the wrong one.
    if (meta.hasInstallScript) throw new Error(`'${name}' has install scripts (native code?); build the runner's node_modules on the target platform`);
    selected.add(path);
    for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies, ...meta.peerDependencies })) {
      const optional = meta.optionalDependencies?.[dep] !== undefined || meta.peerDependenciesMeta?.[dep]?.optional;
      if (optional && !locate(dep, path)) continue;
      queue.push({ name: dep, from: path });
    }
  }
  return [...selected].sort();
}

const { files, packages: direct } = reachable(entry);
const paths = closure(direct);
mkdirSync(outDir, { recursive: true });
for (const file of files) cpSync(file, join(outDir, relative(root, file)));
for (const path of paths) {
  if (!existsSync(join(root, path))) continue; // optional platform packages not installed here
  cpSync(join(root, path), join(outDir, path), { recursive: true, dereference: true });
}
console.log(`copied ${files.length} module(s); runner imports ${[...direct].sort().join(", ") || "no packages"}; copied ${paths.length} package(s) to ${outDir}/node_modules`);
