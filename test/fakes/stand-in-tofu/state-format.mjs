// OpenTofu's state file format, version 4.
import { randomUUID } from "node:crypto";
import { RESOURCE_TYPES } from "./resources.mjs";

export function emptyState(version) {
  return { version: 4, terraform_version: version, serial: 0, lineage: randomUUID(), outputs: {}, resources: [], check_results: null };
}

/** addr → { type, name, attributes } for the managed resources in `state`. */
export function resourcesIn(state) {
  const map = new Map();
  for (const r of state?.resources ?? []) {
    if (r.mode !== "managed") continue;
    map.set(`${r.type}.${r.name}`, { type: r.type, name: r.name, attributes: r.instances?.[0]?.attributes ?? {} });
  }
  return map;
}

/** The next state to persist: `resources` (addr → entry) and `outputs` replace those of `state`, serial bumped. */
export function nextState(state, resources, outputs, version) {
  return {
    version: 4,
    terraform_version: version,
    serial: state.serial + 1,
    lineage: state.lineage,
    outputs,
    resources: [...resources.values()].map((r) => ({
      mode: "managed",
      type: r.type,
      name: r.name,
      provider: RESOURCE_TYPES[r.type]?.provider ?? "provider[\"registry.opentofu.org/hashicorp/unknown\"]",
      instances: [{ schema_version: 0, attributes: r.attributes, sensitive_attributes: [] }],
    })),
    check_results: null,
  };
}

/** The HCL type of a JSON value, in the form `tofu output -json` reports it. */
export function typeOf(value) {
  if (value === null || value === undefined) return "dynamic";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return ["tuple", value.map(typeOf)];
  return ["object", Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeOf(v)]))];
}
