// Planning: compares the configuration (evaluated with the prior state) to the state and decides an action
// per resource and output; renders a saved plan as `tofu show -json` does.
import { DiagnosticError, errorAt } from "./diagnostics.mjs";
import { Evaluator, UNKNOWN, containsUnknown, resourceReferences, sameValue } from "./evaluate.mjs";
import { RESOURCE_TYPES } from "./resources.mjs";
import { resourcesIn } from "./state-format.mjs";

export const PLAN_FORMAT = "stand-in-tofu-plan/1";

/** Resource addresses in dependency order (a resource after everything it refers to). */
export function dependencyOrder(module) {
  const order = [];
  const state = new Map();
  const visit = (addr, path) => {
    if (state.get(addr) === "done") return;
    const r = module.resources.get(addr);
    if (state.get(addr) === "visiting") {
      throw new DiagnosticError(errorAt("Cycle", `Cycle: ${[...path, addr].join(", ")}`, r.file, [`resource "${r.type}" "${r.name}"`]));
    }
    state.set(addr, "visiting");
    for (const dep of resourceReferences(module, r.config)) visit(dep, [...path, addr]);
    state.set(addr, "done");
    order.push(addr);
  };
  for (const addr of module.resources.keys()) visit(addr, []);
  return order;
}

/**
 * @returns {{ changes: object[], outputs: Record<string, object> }} changes in apply order (no-ops included)
 */
export function computePlan(module, variables, state, { destroy }) {
  const prior = resourcesIn(state);
  const order = dependencyOrder(module);
  const planned = new Map();
  const evaluator = new Evaluator({
    module,
    variables,
    resourceValue: (addr) => (planned.has(addr) ? planned.get(addr) : (prior.get(addr)?.attributes ?? UNKNOWN)),
  });
  const changes = [];
  const deletion = (addr, r) => ({ addr, type: r.type, name: r.name, action: "delete", before: r.attributes, after: null });

  if (destroy) {
    const inOrder = [...order.filter((a) => prior.has(a)), ...[...prior.keys()].filter((a) => !module.resources.has(a))];
    for (const addr of inOrder.reverse()) changes.push(deletion(addr, prior.get(addr)));
  } else {
    for (const [addr, r] of prior) if (!module.resources.has(addr)) changes.push(deletion(addr, r));
    for (const addr of order) {
      const r = module.resources.get(addr);
      const kind = RESOURCE_TYPES[r.type];
      const at = { file: r.file, fallback: [`resource "${r.type}" "${r.name}"`] };
      const config = evaluator.evaluate(r.config, at);
      const invalid = kind.validate(config);
      if (invalid) throw new DiagnosticError(errorAt(invalid.summary, invalid.detail, r.file, [`${invalid.arg} =`, ...at.fallback]));
      const before = prior.get(addr)?.attributes ?? null;
      const { action, after } = kind.plan(before, config);
      planned.set(addr, after);
      changes.push({ addr, type: r.type, name: r.name, action, before, after });
    }
  }

  const outputs = {};
  const priorOutputs = state?.outputs ?? {};
  if (!destroy) {
    for (const [name, o] of module.outputs) {
      const value = evaluator.evaluate(o.config.value ?? null, { file: o.file, fallback: [`output "${name}"`] });
      const before = priorOutputs[name];
      const action = !before ? "create" : sameValue(before.value, value) ? "noop" : "update";
      outputs[name] = { action, before: before?.value ?? null, after: value, sensitive: o.config.sensitive === true };
    }
  }
  for (const [name, before] of Object.entries(priorOutputs)) {
    if (!(name in outputs)) outputs[name] = { action: "delete", before: before.value, after: null, sensitive: before.sensitive === true };
  }
  return { changes, outputs };
}

export function hasChanges(plan) {
  return plan.changes.some((c) => c.action !== "noop") || Object.values(plan.outputs).some((o) => o.action !== "noop");
}

export function changeCounts(changes) {
  const counts = { add: 0, change: 0, remove: 0 };
  for (const c of changes) {
    if (c.action === "create" || c.action === "replace") counts.add++;
    if (c.action === "update") counts.change++;
    if (c.action === "delete" || c.action === "replace") counts.remove++;
  }
  return counts;
}

/** The saved plan file: what apply needs, with unknown values encoded as OpenTofu's `after_unknown`. */
export function serializePlan(plan, { destroy, variables, state, version }) {
  return {
    format: PLAN_FORMAT,
    tofu_version: version,
    destroy,
    variables,
    prior: state ? { lineage: state.lineage, serial: state.serial } : null,
    changes: plan.changes.map((c) => ({ ...c, ...encodeUnknown(c.after) })),
    outputs: Object.fromEntries(
      Object.entries(plan.outputs).map(([name, o]) => [name, { ...o, ...encodeUnknown(o.after) }]),
    ),
  };
}

const ACTIONS = { noop: ["no-op"], create: ["create"], update: ["update"], delete: ["delete"], replace: ["delete", "create"] };

/** `tofu show -json PLANFILE` for a saved plan. */
export function planJson(saved) {
  const live = saved.changes.filter((c) => c.action !== "delete");
  return {
    format_version: "1.2",
    terraform_version: saved.tofu_version,
    variables: Object.fromEntries(Object.entries(saved.variables).map(([k, value]) => [k, { value }])),
    planned_values: {
      outputs: Object.fromEntries(
        Object.entries(saved.outputs)
          .filter(([, o]) => o.action !== "delete")
          .map(([name, o]) => [name, { sensitive: o.sensitive, ...(o.after_unknown ? {} : { value: o.after }) }]),
      ),
      root_module: {
        resources: live.map((c) => ({
          address: c.addr,
          mode: "managed",
          type: c.type,
          name: c.name,
          provider_name: providerName(c.type),
          schema_version: 0,
          values: c.after,
          sensitive_values: {},
        })),
      },
    },
    resource_changes: saved.changes.map((c) => ({
      address: c.addr,
      mode: "managed",
      type: c.type,
      name: c.name,
      provider_name: providerName(c.type),
      change: {
        actions: ACTIONS[c.action],
        before: c.before,
        after: c.after,
        after_unknown: c.after_unknown,
        before_sensitive: false,
        after_sensitive: false,
      },
    })),
    output_changes: Object.fromEntries(
      Object.entries(saved.outputs).map(([name, o]) => [
        name,
        {
          actions: ACTIONS[o.action],
          before: o.before,
          after: o.after,
          after_unknown: o.after_unknown,
          before_sensitive: o.sensitive,
          after_sensitive: o.sensitive,
        },
      ]),
    ),
    errored: false,
  };
}

function providerName(type) {
  return RESOURCE_TYPES[type]?.provider.replace(/^provider\["(.*)"\]$/, "$1") ?? "";
}

function encodeUnknown(value) {
  if (!containsUnknown(value)) return { after: value ?? null, after_unknown: typeof value === "object" && value !== null ? {} : false };
  if (value === UNKNOWN) return { after: null, after_unknown: true };
  const after = Array.isArray(value) ? [] : {};
  const mask = Array.isArray(value) ? [] : {};
  for (const [k, v] of Object.entries(value)) {
    const enc = encodeUnknown(v);
    after[k] = enc.after;
    if (enc.after_unknown === true || (typeof enc.after_unknown === "object" && containsTrue(enc.after_unknown))) mask[k] = enc.after_unknown;
  }
  return { after, after_unknown: mask };
}

function containsTrue(mask) {
  return Object.values(mask).some((v) => v === true || (typeof v === "object" && containsTrue(v)));
}
