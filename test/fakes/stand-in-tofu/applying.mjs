// Applying planned changes one resource at a time, persisting state after each so an interrupt keeps what
// was done. On interrupt the stand-in stops before the next resource (a sleeping time_sleep stops at once).
import { DiagnosticError, errorAt } from "./diagnostics.mjs";
import { Evaluator } from "./evaluate.mjs";
import { changeCounts } from "./planning.mjs";
import { RESOURCE_TYPES } from "./resources.mjs";
import { nextState, resourcesIn, typeOf } from "./state-format.mjs";

/**
 * @param {object} opts
 * @param {object[]} opts.changes planned changes in apply order
 * @param {boolean} opts.destroy
 * @returns {Promise<{ state: object, outputs: Record<string, object>, counts: object, diagnostics: object[] }>}
 */
export async function applyChanges({ module, variables, state, changes, destroy, ctx, persist }) {
  const resources = resourcesIn(state);
  const evaluator = new Evaluator({ module, variables, resourceValue: (addr) => resources.get(addr)?.attributes ?? null });
  const done = [];
  let current = state;
  // Like OpenTofu, the serial only moves when the content changes, so a no-op apply keeps other plans fresh.
  const save = async (outputs) => {
    const candidate = nextState(current, resources, outputs, ctx.version);
    const unchanged = JSON.stringify([candidate.resources, candidate.outputs]) === JSON.stringify([current.resources, current.outputs]);
    if (unchanged && current.serial > 0) return;
    current = candidate;
    await persist(current);
  };

  for (const change of changes.filter((c) => c.action !== "noop")) {
    if (ctx.signal.aborted) {
      await save(current.outputs);
      return { state: current, outputs: current.outputs, counts: changeCounts(done), diagnostics: [haltedDiagnostic()] };
    }
    const failure = await applyOne(change, { module, evaluator, resources, ctx });
    if (failure) {
      await save(current.outputs);
      return { state: current, outputs: current.outputs, counts: changeCounts(done), diagnostics: [failure] };
    }
    done.push(change);
    await save(current.outputs);
  }

  const outputs = destroy ? {} : evaluateOutputs(module, evaluator);
  await save(outputs);
  return { state: current, outputs, counts: changeCounts(done), diagnostics: [] };
}

async function applyOne(change, { module, evaluator, resources, ctx }) {
  const kind = RESOURCE_TYPES[change.type];
  const resource = { addr: change.addr, type: change.type, name: change.name, impliedProvider: kind.impliedProvider };
  const prior = resources.get(change.addr)?.attributes ?? null;
  const steps = change.action === "replace" ? ["delete", "create"] : [change.action];
  for (const step of steps) {
    const started = Date.now();
    const elapsed = () => Math.floor((Date.now() - started) / 1000);
    ctx.ui.applyStart(resource, step, step === "create" ? undefined : prior?.id);
    const progress = setInterval(() => ctx.ui.applyProgress(resource, step, elapsed()), ctx.progressIntervalMs);
    try {
      if (ctx.failApply.has(change.addr)) {
        throw new DiagnosticError({
          severity: "error",
          summary: "Stand-in apply failure",
          detail: `STAND_IN_TOFU_FAIL_APPLY asked the stand-in tofu to fail applying ${change.addr}.`,
        });
      }
      if (step === "delete") {
        await kind.delete(prior, ctx.signal);
        resources.delete(change.addr);
        ctx.ui.applyComplete(resource, step, undefined, elapsed());
        continue;
      }
      const r = module.resources.get(change.addr);
      const config = evaluator.evaluate(r.config, { file: r.file, fallback: [`resource "${r.type}" "${r.name}"`] });
      const attributes = step === "create" ? await kind.create(config, ctx.signal) : await kind.update(prior, config, ctx.signal);
      resources.set(change.addr, { type: change.type, name: change.name, attributes });
      ctx.ui.applyComplete(resource, step, attributes.id, elapsed());
    } catch (err) {
      if (ctx.signal.aborted) {
        // A provider takes a moment to stop; a second interrupt in that window makes the stand-in exit at once.
        await new Promise((resolve) => setTimeout(resolve, ctx.stopDelayMs));
        ctx.ui.applyErrored(resource, step, elapsed());
        return haltedDiagnostic();
      }
      ctx.ui.applyErrored(resource, step, elapsed());
      if (err instanceof DiagnosticError) return err.diagnostics[0];
      const r = module.resources.get(change.addr);
      return errorAt(`Error applying ${change.addr}`, String(err?.message ?? err), r?.file, [`resource "${change.type}" "${change.name}"`]);
    } finally {
      clearInterval(progress);
    }
  }
  return null;
}

function evaluateOutputs(module, evaluator) {
  const outputs = {};
  for (const [name, o] of module.outputs) {
    const value = evaluator.evaluate(o.config.value ?? null, { file: o.file, fallback: [`output "${name}"`] });
    outputs[name] = { value, type: typeOf(value), ...(o.config.sensitive === true ? { sensitive: true } : {}) };
  }
  return outputs;
}

function haltedDiagnostic() {
  return { severity: "error", summary: "execution halted", detail: "The operation was interrupted; changes made before the interrupt are saved in the state." };
}
