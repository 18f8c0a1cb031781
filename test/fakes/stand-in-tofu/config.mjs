// Loads the root module: every `.tf`/`.tofu` file parsed with @cdktf/hcl2json (a real HCL parser), primary
// files first, then override files (`override.tf`, `*_override.tf`) merged in lexical order as OpenTofu does.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DiagnosticError, errorAt, rangeAt } from "./diagnostics.mjs";
import { RESOURCE_TYPES } from "./resources.mjs";

const CONFIG_FILE = /\.(tf|tofu)$/;
const OVERRIDE_FILE = /(^|_)override\.(tf|tofu)$/;
const PARSE_CACHE_DIR = path.join(tmpdir(), "stand-in-tofu-hcl-cache-v1");
const SUPPORTED_BLOCKS = new Set(["terraform", "variable", "locals", "output", "resource", "provider"]);

/**
 * @typedef {{ name: string, text: string }} SourceFile
 * @typedef {{ type: string, name: string, addr: string, impliedProvider: string, config: object, file: SourceFile }} ResourceConfig
 */

export async function loadModule(dir) {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && CONFIG_FILE.test(e.name))
    .map((e) => e.name)
    .sort();
  const module = {
    dir,
    files: new Map(),
    variables: new Map(),
    locals: new Map(),
    outputs: new Map(),
    /** @type {Map<string, ResourceConfig>} */
    resources: new Map(),
    backend: null,
  };
  const parsed = [];
  for (const name of names) {
    const file = { name, text: await readFile(path.join(dir, name), "utf8") };
    module.files.set(name, file);
    parsed.push({ file, body: await parseHcl(file), override: OVERRIDE_FILE.test(name) });
  }
  const diagnostics = [];
  for (const { file, body } of parsed.filter((p) => !p.override)) addPrimary(module, file, body, diagnostics);
  for (const { file, body } of parsed.filter((p) => p.override)) mergeOverride(module, file, body, diagnostics);
  if (diagnostics.length > 0) throw new DiagnosticError(...diagnostics);
  return module;
}

/**
 * Parses one HCL file. Loading hcl2json's WebAssembly costs a few hundred milliseconds per process, so
 * successful parses are cached on disk by content: tests run many short tofu commands over the same files.
 */
export async function parseHcl(file) {
  const cacheFile = path.join(PARSE_CACHE_DIR, `${createHash("sha256").update(`${file.name}\0${file.text}`).digest("hex")}.json`);
  try {
    return JSON.parse(await readFile(cacheFile, "utf8"));
  } catch {
    // not cached yet
  }
  const { parse } = await import("@cdktf/hcl2json");
  let parsed;
  try {
    parsed = await parse(file.name, file.text);
  } catch (err) {
    throw new DiagnosticError(parseErrorDiagnostic(file, err instanceof Error ? err.message : String(err)));
  }
  await mkdir(PARSE_CACHE_DIR, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(parsed));
  await rename(tmp, cacheFile);
  return parsed;
}

// hcl2json reports "parse config: [main.tf:2,7-3,1: Summary; Detail.]"
function parseErrorDiagnostic(file, message) {
  const match = /:(\d+),(\d+)-(?:\d+,)?\d+: ([^;\]]+);?\s*([^\]]*)/.exec(message);
  if (!match) return { severity: "error", summary: "Invalid configuration syntax", detail: message };
  const [, line, column, summary, detail] = match;
  const lines = file.text.split("\n");
  const startByte = lines.slice(0, Number(line) - 1).reduce((n, l) => n + l.length + 1, 0) + Number(column) - 1;
  return { severity: "error", summary: summary.trim(), detail: detail.trim(), ...rangeAt(file, startByte, startByte + 1) };
}

function addPrimary(module, file, body, diagnostics) {
  for (const [blockType, content] of Object.entries(body)) {
    if (!SUPPORTED_BLOCKS.has(blockType)) {
      diagnostics.push(
        errorAt(
          "Unsupported block type",
          `The stand-in tofu does not support "${blockType}" blocks; it handles terraform, variable, locals, output and resource blocks.`,
          file,
          [`${blockType} `, blockType],
        ),
      );
      continue;
    }
    if (blockType === "terraform") {
      for (const block of content) addBackend(module, file, block, diagnostics, false);
    } else if (blockType === "variable" || blockType === "output") {
      const target = blockType === "variable" ? module.variables : module.outputs;
      for (const [name, blocks] of Object.entries(content)) {
        if (target.has(name)) {
          const summary = blockType === "variable" ? "Duplicate variable declaration" : "Duplicate output definition";
          diagnostics.push(errorAt(summary, `A ${blockType} named "${name}" was already declared. Names must be unique within a module.`, file, [`${blockType} "${name}"`]));
          continue;
        }
        target.set(name, { name, config: { ...blocks[0] }, file });
      }
    } else if (blockType === "locals") {
      for (const block of content) {
        for (const [name, expr] of Object.entries(block)) {
          if (module.locals.has(name)) {
            diagnostics.push(errorAt("Duplicate local value definition", `A local value named "${name}" was already defined. Local value names must be unique within a module.`, file, [`${name} =`, name]));
            continue;
          }
          module.locals.set(name, { name, expr, file });
        }
      }
    } else if (blockType === "resource") {
      for (const [type, byName] of Object.entries(content)) {
        for (const [name, blocks] of Object.entries(byName)) addResource(module, file, type, name, blocks[0], diagnostics);
      }
    }
  }
}

function addResource(module, file, type, name, config, diagnostics) {
  const addr = `${type}.${name}`;
  const header = [`resource "${type}" "${name}"`];
  if (module.resources.has(addr)) {
    diagnostics.push(errorAt(`Duplicate resource "${type}" configuration`, `A ${type} resource named "${name}" was already declared. Resource names must be unique per type in each module.`, file, header));
    return;
  }
  const kind = RESOURCE_TYPES[type];
  if (!kind) {
    diagnostics.push(
      errorAt("Unsupported resource type", `The stand-in tofu implements only ${Object.keys(RESOURCE_TYPES).join(" and ")} resources, not "${type}".`, file, header),
    );
    return;
  }
  for (const arg of Object.keys(config)) {
    if (!kind.arguments.includes(arg)) {
      diagnostics.push(errorAt("Unsupported argument", `An argument named "${arg}" is not expected here.`, file, [`${arg} =`, arg]));
    }
  }
  module.resources.set(addr, { type, name, addr, impliedProvider: kind.impliedProvider, config: { ...config }, file });
}

function addBackend(module, file, terraformBlock, diagnostics, isOverride) {
  const backends = terraformBlock.backend ? Object.entries(terraformBlock.backend) : [];
  for (const [type, blocks] of backends) {
    if (module.backend && !isOverride) {
      diagnostics.push(
        errorAt(
          "Duplicate backend configuration",
          `A module may have only one backend configuration. The backend was previously configured at ${module.backend.file.name}.`,
          file,
          [`backend "${type}"`],
        ),
      );
      continue;
    }
    module.backend = { type, config: { ...blocks[0] }, file };
  }
}

function mergeOverride(module, file, body, diagnostics) {
  for (const [blockType, content] of Object.entries(body)) {
    if (blockType === "terraform") {
      for (const block of content) addBackend(module, file, block, diagnostics, true);
    } else if (blockType === "variable" || blockType === "output") {
      const target = blockType === "variable" ? module.variables : module.outputs;
      for (const [name, blocks] of Object.entries(content)) {
        const base = target.get(name);
        if (!base) {
          const summary = blockType === "variable" ? "Missing base variable declaration to override" : "Missing base output definition to override";
          diagnostics.push(errorAt(summary, `There is no ${blockType} named "${name}". An override file can only override a block defined in a primary configuration file.`, file, [`${blockType} "${name}"`]));
          continue;
        }
        Object.assign(base.config, blocks[0]);
      }
    } else if (blockType === "locals") {
      for (const block of content) {
        for (const [name, expr] of Object.entries(block)) {
          if (!module.locals.has(name)) {
            diagnostics.push(errorAt("Missing base local value definition to override", `There is no local value named "${name}".`, file, [`${name} =`]));
            continue;
          }
          module.locals.set(name, { name, expr, file });
        }
      }
    } else if (blockType === "resource") {
      for (const [type, byName] of Object.entries(content)) {
        for (const [name, blocks] of Object.entries(byName)) {
          const base = module.resources.get(`${type}.${name}`);
          if (!base) {
            diagnostics.push(errorAt("Missing resource to override", `There is no ${type} resource named "${name}". An override file can only override a resource block defined in a primary configuration file.`, file, [`resource "${type}" "${name}"`]));
            continue;
          }
          Object.assign(base.config, blocks[0]);
        }
      }
    }
  }
}
