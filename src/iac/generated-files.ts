import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderBackend, type BackendSettings } from "./backend.js";
import { findDeclaredBackend } from "./module-backend-scan.js";
import type { IacLog } from "./types.js";

/**
 * OpenTofu's override files may replace a backend, but its documentation does not say an override may add
 * one to a module that has none; so porch writes a plain file when the module declares no backend and an
 * override file when it does. The `zz_` prefix makes porch's files sort last: later override files and
 * later `*.auto.tfvars.json` files win.
 */
export const BACKEND_FILE = "zz_porch_backend.tf";
export const BACKEND_OVERRIDE_FILE = "zz_porch_backend_override.tf";
export const INPUTS_FILE = "zz_porch_inputs.auto.tfvars.json";

const GENERATED = [BACKEND_FILE, BACKEND_OVERRIDE_FILE, INPUTS_FILE];

export async function writeGeneratedFiles(
  moduleDir: string,
  settings: BackendSettings & { inputs: Record<string, unknown>; log: IacLog },
): Promise<void> {
  const backend = renderBackend(settings);
  await removeGeneratedFiles(moduleDir);
  const declaredIn = await findDeclaredBackend(moduleDir, GENERATED);
  if (declaredIn) {
    settings.log(`The module declares its own backend (in ${declaredIn}); porch replaces it with the environment's state storage.`, "system");
  }
  await writeFile(path.join(moduleDir, declaredIn ? BACKEND_OVERRIDE_FILE : BACKEND_FILE), backend.hcl);
  settings.log(`State storage: ${backend.location}`, "system");
  if (Object.keys(settings.inputs).length > 0) {
    await writeFile(path.join(moduleDir, INPUTS_FILE), `${JSON.stringify(settings.inputs, null, 2)}\n`, { mode: 0o600 });
  }
}

/** The inputs file may hold secrets, so it does not outlive the run. */
export async function removeInputsFile(moduleDir: string): Promise<void> {
  await rm(path.join(moduleDir, INPUTS_FILE), { force: true });
}

async function removeGeneratedFiles(moduleDir: string): Promise<void> {
  await Promise.all(GENERATED.map((name) => rm(path.join(moduleDir, name), { force: true })));
}
