// The working directory's `.terraform/terraform.tfstate`, where init records the backend the other commands
// use (as OpenTofu does), and the backend settings taken from the configuration.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { DiagnosticError, errorAt } from "./diagnostics.mjs";

const DATA_DIR = ".terraform";
const BACKEND_FILE = "terraform.tfstate";

/** The backend the configuration asks for (implicitly `local`), with -backend-config KEY=VALUE pairs merged. */
export function configuredBackend(module, backendConfigArgs = []) {
  const declared = module.backend ?? { type: "local", config: {}, file: undefined };
  const config = literalConfig(declared.config, declared.file, declared.type);
  for (const pair of backendConfigArgs) {
    const eq = pair.indexOf("=");
    if (eq === -1) {
      throw new DiagnosticError({ severity: "error", summary: "Invalid backend configuration argument", detail: `The stand-in tofu accepts -backend-config only as KEY=VALUE, got "${pair}".` });
    }
    config[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { type: declared.type, config, declared: module.backend !== null };
}

// Backend settings are plain values; the stand-in does not evaluate variables in them.
function literalConfig(value, file, type) {
  if (typeof value === "string") {
    if (/(^|[^$])\$\{/.test(value)) {
      throw new DiagnosticError(errorAt("Variables not allowed", "The stand-in tofu accepts only literal values in a backend block.", file, [value, `backend "${type}"`]));
    }
    return value.replaceAll("$${", "${").replaceAll("%%{", "%{");
  }
  if (Array.isArray(value)) return value.map((v) => literalConfig(v, file, type));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literalConfig(v, file, type)]));
  }
  return value;
}

export async function readInitializedBackend(cwd) {
  try {
    const saved = JSON.parse(await readFile(path.join(cwd, DATA_DIR, BACKEND_FILE), "utf8"));
    return saved.backend ?? null;
  } catch (err) {
    if (err.code === "ENOENT") return null;
    throw err;
  }
}

export async function saveInitializedBackend(cwd, backend) {
  await mkdir(path.join(cwd, DATA_DIR), { recursive: true });
  const content = { version: 3, terraform_version: "stand-in", backend: { type: backend.type, config: backend.config } };
  await writeFile(path.join(cwd, DATA_DIR, BACKEND_FILE), `${JSON.stringify(content, null, 2)}\n`);
}

export function sameBackend(a, b) {
  return a?.type === b?.type && JSON.stringify(a?.config) === JSON.stringify(b?.config);
}

/** The backend a non-init command must use; fails like OpenTofu when init has not run for it. */
export async function backendForCommand(module, cwd) {
  const wanted = configuredBackend(module);
  const initialized = await readInitializedBackend(cwd);
  if (!initialized) {
    if (!wanted.declared) return wanted;
    throw new DiagnosticError({
      severity: "error",
      summary: "Backend initialization required, please run \"tofu init\"",
      detail: `Reason: Initial configuration of the requested backend "${wanted.type}"`,
    });
  }
  if (initialized.type !== wanted.type) {
    throw new DiagnosticError({
      severity: "error",
      summary: "Backend initialization required, please run \"tofu init\"",
      detail: `Reason: Backend type changed from "${initialized.type}" to "${wanted.type}"`,
    });
  }
  return initialized;
}
