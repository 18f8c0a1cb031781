// The stand-in's CLI commands, following OpenTofu's documented flags, output and exit codes.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { boolFlag, parseFlags } from "./args.mjs";
import { applyChanges } from "./applying.mjs";
import { loadModule } from "./config.mjs";
import { DiagnosticError, isDiagnosticError } from "./diagnostics.mjs";
import { parseDuration } from "./durations.mjs";
import { PLAN_FORMAT, changeCounts, computePlan, hasChanges, planJson, serializePlan } from "./planning.mjs";
import { RESOURCE_TYPES } from "./resources.mjs";
import { acquireLock, openStateStore } from "./state-store.mjs";
import { emptyState } from "./state-format.mjs";
import { Ui } from "./ui.mjs";
import { resolveVariables } from "./variables.mjs";
import { backendForCommand, configuredBackend, readInitializedBackend, sameBackend, saveInitializedBackend } from "./working-dir.mjs";

const COMMON = ["input", "no-color", "json", "lock", "lock-timeout", "compact-warnings"];
const PLAN_FLAGS = [...COMMON, "var", "var-file", "refresh", "parallelism", "destroy"];

/**
 * @typedef {object} Context
 * @property {string} cwd
 * @property {NodeJS.ProcessEnv} env
 * @property {AbortSignal} signal aborted on the first interrupt
 * @property {string} version
 * @property {string} platform
 * @property {Set<string>} failApply
 * @property {number} progressIntervalMs
 * @property {number} stopDelayMs how long an interrupted resource takes to stop
 */

export const COMMANDS = { version, init, plan, show, apply, destroy, output };

async function version(argv, ctx) {
  const { flags } = parseFlags(argv, ["json"]);
  if (boolFlag(flags, "json")) {
    const info = { terraform_version: ctx.version, platform: ctx.platform, provider_selections: {}, terraform_outdated: false };
    process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
  } else {
    process.stdout.write(`OpenTofu v${ctx.version}\non ${ctx.platform}\n(stand-in for tests, see test/fakes/stand-in-tofu/README.md)\n`);
  }
  return 0;
}

async function init(argv, ctx) {
  const initFlags = ["reconfigure", "migrate-state", "force-copy", "upgrade", "backend-config", "get", "backend"];
  // `init -json` exists since OpenTofu 1.7.
  const [major, minor] = ctx.version.split(".").map(Number);
  const common = major > 1 || (major === 1 && minor >= 7) ? COMMON : COMMON.filter((f) => f !== "json");
  const { flags } = parseFlags(argv, [...common, ...initFlags]);
  const ui = newUi(flags, ctx);
  return run(ui, async () => {
    ui.log("Initializing the backend...");
    const module = await loadModule(ctx.cwd);
    const backend = configuredBackend(module, flags.get("backend-config") ?? []);
    const previous = await readInitializedBackend(ctx.cwd);
    if (previous && !sameBackend(previous, backend) && !boolFlag(flags, "reconfigure") && !boolFlag(flags, "migrate-state")) {
      throw new DiagnosticError({
        severity: "error",
        summary: "Backend configuration changed",
        detail:
          "A change in the backend configuration has been detected, which may require migrating existing state.\n\n" +
          'If you wish to attempt automatic migration of the state, use "tofu init -migrate-state".\n' +
          'If you wish to store the current configuration with no changes to the state, use "tofu init -reconfigure".',
      });
    }
    const store = await openStateStore(backend, ctx);
    await store.verify();
    await saveInitializedBackend(ctx.cwd, backend);
    if (backend.declared) {
      ui.log(`Successfully configured the backend "${backend.type}"! OpenTofu will automatically use this backend unless the backend configuration changes.`);
    }
    ui.log("Initializing provider plugins...");
    ui.log("- The stand-in tofu implements terraform_data and time_sleep itself; nothing to install.");
    ui.log("OpenTofu has been successfully initialized!");
    return 0;
  });
}

async function plan(argv, ctx) {
  const { flags } = parseFlags(argv, [...PLAN_FLAGS, "out", "detailed-exitcode"]);
  const ui = newUi(flags, ctx);
  return run(ui, async () => {
    const { module, store, variables } = await prepare(flags, ctx, ui);
    const destroy = boolFlag(flags, "destroy");
    return withLock(store, "OperationTypePlan", flags, ctx, async () => {
      const state = await store.read();
      const planned = computePlan(module, variables, state, { destroy });
      if (ctx.signal.aborted) throw new DiagnosticError(cancelled());
      renderPlan(ui, planned);
      const out = flags.get("out");
      if (typeof out === "string") {
        const saved = serializePlan(planned, { destroy, variables, state, version: ctx.version });
        await writeFile(path.resolve(ctx.cwd, out), JSON.stringify(saved));
      }
      return boolFlag(flags, "detailed-exitcode") && hasChanges(planned) ? 2 : 0;
    });
  });
}

async function show(argv, ctx) {
  const { flags, positional } = parseFlags(argv, ["json", "no-color"]);
  const json = boolFlag(flags, "json");
  const ui = new Ui({ json: false, version: ctx.version });
  return run(ui, async () => {
    const [planPath] = positional;
    if (!planPath) {
      const module = await loadModule(ctx.cwd);
      const store = await openStateStore(await backendForCommand(module, ctx.cwd), ctx);
      const state = await store.read();
      const shown = { format_version: "1.0", terraform_version: ctx.version, values: { outputs: state?.outputs ?? {}, root_module: { resources: state?.resources ?? [] } } };
      process.stdout.write(json ? `${JSON.stringify(shown)}\n` : `${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    const saved = await readPlanFile(path.resolve(ctx.cwd, planPath));
    const rendered = planJson(saved);
    process.stdout.write(json ? `${JSON.stringify(rendered)}\n` : `${JSON.stringify(rendered, null, 2)}\n`);
    return 0;
  });
}

async function apply(argv, ctx, forceDestroy = false) {
  const { flags, positional } = parseFlags(argv, [...PLAN_FLAGS, "auto-approve"]);
  const ui = newUi(flags, ctx);
  return run(ui, async () => {
    const [planPath] = positional;
    if (planPath) return applySavedPlan(path.resolve(ctx.cwd, planPath), flags, ctx, ui);
    if (!boolFlag(flags, "auto-approve")) {
      throw new DiagnosticError({
        severity: "error",
        summary: "Apply not approved",
        detail: "The stand-in tofu cannot ask for approval: pass -auto-approve or apply a saved plan file.",
      });
    }
    const { module, store, variables } = await prepare(flags, ctx, ui);
    const destroy = forceDestroy || boolFlag(flags, "destroy");
    return withLock(store, "OperationTypeApply", flags, ctx, async () => {
      const state = await store.read();
      const planned = computePlan(module, variables, state, { destroy });
      renderPlan(ui, planned);
      const result = await applyChanges({
        module,
        variables,
        state: state ?? emptyState(ctx.version),
        changes: planned.changes,
        destroy,
        ctx: { ...ctx, ui },
        persist: (s) => store.write(s),
      });
      return finishApply(ui, result, destroy);
    });
  });
}

function destroy(argv, ctx) {
  return apply(argv, ctx, true);
}

async function applySavedPlan(planPath, flags, ctx, ui) {
  if (flags.has("var") || flags.has("var-file")) {
    throw new DiagnosticError({
      severity: "error",
      summary: "Can't set variables when applying a saved plan",
      detail: "The -var and -var-file options cannot be used when applying a saved plan file, because a saved plan includes the variable values that were set when it was created.",
    });
  }
  const saved = await readPlanFile(planPath);
  const module = await loadModule(ctx.cwd);
  const store = await openStateStore(await backendForCommand(module, ctx.cwd), ctx);
  return withLock(store, "OperationTypeApply", flags, ctx, async () => {
    const state = await store.read();
    const now = state ? { lineage: state.lineage, serial: state.serial } : null;
    if (JSON.stringify(now) !== JSON.stringify(saved.prior)) {
      throw new DiagnosticError({
        severity: "error",
        summary: "Saved plan is stale",
        detail: "The given plan file can no longer be applied because the state was changed by another operation after the plan was created.",
      });
    }
    const result = await applyChanges({
      module,
      variables: saved.variables,
      state: state ?? emptyState(ctx.version),
      changes: saved.changes,
      destroy: saved.destroy,
      ctx: { ...ctx, ui },
      persist: (s) => store.write(s),
    });
    return finishApply(ui, result, saved.destroy);
  });
}

function finishApply(ui, result, destroy) {
  if (result.diagnostics.length > 0) throw new DiagnosticError(...result.diagnostics);
  ui.changeSummary(destroy ? "destroy" : "apply", result.counts);
  ui.outputs(
    Object.fromEntries(Object.entries(result.outputs).map(([name, o]) => [name, { sensitive: o.sensitive === true, type: o.type, value: o.value }])),
  );
  return 0;
}

async function output(argv, ctx) {
  const { flags, positional } = parseFlags(argv, ["json", "no-color", "raw", "state"]);
  const ui = new Ui({ json: false, version: ctx.version });
  return run(ui, async () => {
    // Like OpenTofu, output reads the backend recorded by init rather than the configuration.
    const backend = (await readInitializedBackend(ctx.cwd)) ?? (await backendForCommand(await loadModule(ctx.cwd), ctx.cwd));
    const store = await openStateStore(backend, ctx);
    const outputs = (await store.read())?.outputs ?? {};
    const [name] = positional;
    const json = boolFlag(flags, "json");
    if (name) {
      if (!(name in outputs)) {
        throw new DiagnosticError({ severity: "error", summary: `Output "${name}" not found`, detail: "The output variable requested could not be found in the state file." });
      }
      const value = outputs[name].value;
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${typeof value === "string" && boolFlag(flags, "raw") ? value : JSON.stringify(value)}\n`);
      return 0;
    }
    if (json) {
      const shown = Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { sensitive: o.sensitive === true, type: o.type, value: o.value }]));
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    for (const [k, o] of Object.entries(outputs)) process.stdout.write(`${k} = ${o.sensitive ? "<sensitive>" : JSON.stringify(o.value)}\n`);
    return 0;
  });
}

function newUi(flags, ctx) {
  const ui = new Ui({ json: boolFlag(flags, "json"), version: ctx.version });
  ui.version();
  return ui;
}

async function prepare(flags, ctx, ui) {
  const module = await loadModule(ctx.cwd);
  const store = await openStateStore(await backendForCommand(module, ctx.cwd), ctx);
  const { values, warnings } = await resolveVariables(module, { env: ctx.env, varFiles: flags.get("var-file") ?? [], vars: flags.get("var") ?? [] });
  for (const w of warnings) ui.diagnostic(w);
  return { module, store, variables: values };
}

async function withLock(store, operation, flags, ctx, fn) {
  if (!boolFlag(flags, "lock", true)) return fn();
  const timeout = parseDuration(flags.get("lock-timeout") ?? "0s");
  if (timeout === null) {
    throw new DiagnosticError({ severity: "error", summary: "Invalid lock timeout", detail: `-lock-timeout must be a duration like "120s", got "${flags.get("lock-timeout")}".` });
  }
  const lock = await acquireLock(store, operation, timeout, ctx.signal);
  try {
    return await fn();
  } finally {
    await store.unlock(lock);
  }
}

function renderPlan(ui, planned) {
  const changing = planned.changes.filter((c) => c.action !== "noop");
  for (const c of changing) {
    ui.plannedChange({ addr: c.addr, type: c.type, name: c.name, impliedProvider: RESOURCE_TYPES[c.type].impliedProvider }, c.action);
  }
  if (!hasChanges(planned) && !ui.json) {
    ui.log("No changes. Your infrastructure matches the configuration.");
    return;
  }
  ui.changeSummary("plan", changeCounts(changing));
  const outputChanges = Object.entries(planned.outputs).filter(([, o]) => o.action !== "noop");
  if (ui.json && outputChanges.length > 0) {
    ui.outputs(Object.fromEntries(outputChanges.map(([name, o]) => [name, { sensitive: o.sensitive, action: o.action }])));
  }
}

async function readPlanFile(planPath) {
  let saved;
  try {
    saved = JSON.parse(await readFile(planPath, "utf8"));
  } catch (err) {
    throw new DiagnosticError({ severity: "error", summary: "Failed to load plan file", detail: `Couldn't load the plan file ${planPath}: ${err.message}` });
  }
  if (saved?.format !== PLAN_FORMAT) {
    throw new DiagnosticError({ severity: "error", summary: "Failed to load plan file", detail: `${planPath} is not a plan file written by the stand-in tofu.` });
  }
  return saved;
}

function cancelled() {
  return { severity: "error", summary: "Operation cancelled", detail: "The operation was interrupted before it finished." };
}

/** Runs a command body: diagnostics it throws are printed and make the exit code 1. */
async function run(ui, body) {
  try {
    return await body();
  } catch (err) {
    if (!isDiagnosticError(err)) throw err;
    for (const d of err.diagnostics) ui.diagnostic(d);
    return 1;
  }
}
