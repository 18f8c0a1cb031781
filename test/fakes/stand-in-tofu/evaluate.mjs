// Evaluates the small expression language the stand-in supports: literals, lists/objects of them,
// `var.x`, `local.x`, `<type>.<name>.<attr>` resource references and "${...}" interpolation. hcl2json hands
// every expression over as template text ("${var.x}"), with `$${` and `%%{` escapes kept as written.
import { DiagnosticError, errorAt } from "./diagnostics.mjs";

/** A value only known after apply. */
export const UNKNOWN = Symbol("unknown");

const UNSUPPORTED_DETAIL =
  'The stand-in tofu evaluates only literals, var.*, local.*, resource attribute references and "${...}" interpolation.';

export class Evaluator {
  /**
   * @param {object} opts
   * @param {object} opts.module from loadModule
   * @param {Record<string, unknown>} opts.variables input variable values
   * @param {(addr: string) => unknown} opts.resourceValue a resource's attributes (may hold UNKNOWN)
   */
  constructor({ module, variables, resourceValue }) {
    this.module = module;
    this.variables = variables;
    this.resourceValue = resourceValue;
    this.localValues = new Map();
    this.localsInProgress = new Set();
  }

  /**
   * @param {unknown} value a parsed HCL value
   * @param {{ file: object, fallback: string[] }} at where the value was written, for diagnostics
   */
  evaluate(value, at) {
    if (typeof value === "string") return this.template(value, at);
    if (Array.isArray(value)) return value.map((v) => this.evaluate(v, at));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.evaluate(v, at)]));
    }
    return value;
  }

  template(text, at) {
    const parts = splitTemplate(text, at);
    if (parts.length === 1 && "expr" in parts[0]) return this.expression(parts[0].expr, at);
    let out = "";
    for (const part of parts) {
      if ("literal" in part) {
        out += part.literal;
        continue;
      }
      const v = this.expression(part.expr, at);
      if (v === UNKNOWN) return UNKNOWN;
      if (v === null || typeof v === "object") {
        throw new DiagnosticError(
          errorAt("Invalid template interpolation value", `Cannot include the given value in a string template: ${v === null ? "the value is null" : "string required"}.`, at.file, [part.expr, ...at.fallback]),
        );
      }
      out += String(v);
    }
    return out;
  }

  expression(text, at) {
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    if (text === "true" || text === "false") return text === "true";
    if (text === "null") return null;
    if (/^"(?:[^"\\$%]|\\.)*"$/.test(text)) return JSON.parse(text);
    const steps = parseTraversal(text);
    if (!steps) throw new DiagnosticError(errorAt("Unsupported expression", UNSUPPORTED_DETAIL, at.file, [text, ...at.fallback]));
    return this.resolve(steps, text, at);
  }

  resolve(steps, text, at) {
    const fail = (summary, detail) => new DiagnosticError(errorAt(summary, detail, at.file, [text, ...at.fallback]));
    const [root, second] = steps;
    const name = typeof second === "string" ? second : undefined;
    let value;
    let rest;
    if (root === "var") {
      if (!name || !this.module.variables.has(name)) {
        throw fail("Reference to undeclared input variable", `An input variable with the name "${name}" has not been declared. This variable can be declared with a variable "${name}" {} block.`);
      }
      value = this.variables[name];
      rest = steps.slice(2);
    } else if (root === "local") {
      if (!name || !this.module.locals.has(name)) {
        throw fail("Reference to undeclared local value", `A local value with the name "${name}" has not been declared.`);
      }
      value = this.local(name);
      rest = steps.slice(2);
    } else if (root === "path" && ["module", "root", "cwd"].includes(name)) {
      return ".";
    } else if (root === "terraform" && name === "workspace") {
      return "default";
    } else if (["data", "module", "count", "each", "self"].includes(root)) {
      throw fail("Unsupported expression", `References to ${root}.* are not supported. ${UNSUPPORTED_DETAIL}`);
    } else if (name) {
      const addr = `${root}.${name}`;
      if (!this.module.resources.has(addr)) {
        throw fail("Reference to undeclared resource", `A managed resource "${root}" "${name}" has not been declared in the root module.`);
      }
      value = this.resourceValue(addr);
      rest = steps.slice(2);
    } else {
      throw fail("Invalid reference", "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.");
    }
    for (const step of rest) {
      if (value === UNKNOWN) return UNKNOWN;
      if (value && typeof value === "object" && step in value) {
        value = value[step];
      } else {
        throw fail("Unsupported attribute", `This object does not have an attribute named "${step}".`);
      }
    }
    return value;
  }

  local(name) {
    if (this.localValues.has(name)) return this.localValues.get(name);
    const local = this.module.locals.get(name);
    if (this.localsInProgress.has(name)) {
      throw new DiagnosticError(errorAt("Cycle in local values", `The local value "${name}" refers to itself.`, local.file, [`${name} =`]));
    }
    this.localsInProgress.add(name);
    const value = this.evaluate(local.expr, { file: local.file, fallback: [`${name} =`, name] });
    this.localsInProgress.delete(name);
    this.localValues.set(name, value);
    return value;
  }
}

/** Addresses of the resources `value` refers to, directly or through locals. */
export function resourceReferences(module, value, seenLocals = new Set()) {
  const found = new Set();
  for (const expr of expressionsIn(value)) {
    const steps = parseTraversal(expr);
    if (!steps || typeof steps[1] !== "string") continue;
    const [root, name] = steps;
    if (root === "local" && module.locals.has(name) && !seenLocals.has(name)) {
      seenLocals.add(name);
      for (const addr of resourceReferences(module, module.locals.get(name).expr, seenLocals)) found.add(addr);
    } else if (module.resources.has(`${root}.${name}`)) {
      found.add(`${root}.${name}`);
    }
  }
  return found;
}

function* expressionsIn(value) {
  if (typeof value === "string") {
    let parts;
    try {
      parts = splitTemplate(value, { file: undefined, fallback: [] });
    } catch {
      return;
    }
    for (const part of parts) if ("expr" in part) yield part.expr;
  } else if (Array.isArray(value)) {
    for (const v of value) yield* expressionsIn(v);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) yield* expressionsIn(v);
  }
}

export function containsUnknown(value) {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

export function sameValue(a, b) {
  if (containsUnknown(a) || containsUnknown(b)) return false;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  return value ?? null;
}

/** Splits template text into literal and `${...}` parts, honouring the `$${` and `%%{` escapes. */
function splitTemplate(text, at) {
  const parts = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      literal += text[i + 1] + "{";
      i += 3;
    } else if (text.startsWith("${", i)) {
      const end = closingBrace(text, i + 2);
      if (end === -1) throw new DiagnosticError(errorAt("Unterminated template string", "No closing marker was found for the interpolation sequence.", at.file, at.fallback));
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({ expr: text.slice(i + 2, end).replace(/^~/, "").replace(/~$/, "").trim() });
      i = end + 1;
    } else if (text.startsWith("%{", i)) {
      throw new DiagnosticError(errorAt("Unsupported expression", `Template directives (%{...}) are not supported. ${UNSUPPORTED_DETAIL}`, at.file, [text, ...at.fallback]));
    } else {
      literal += text[i++];
    }
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return parts;
}

function closingBrace(text, from) {
  let depth = 1;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

/** `a.b["c"][0]` → ["a", "b", "c", 0]; null when `text` is not a plain traversal. */
function parseTraversal(text) {
  const first = /^[A-Za-z_][\w-]*/.exec(text);
  if (!first) return null;
  const steps = [first[0]];
  let rest = text.slice(first[0].length);
  while (rest.length > 0) {
    const m = /^\.([A-Za-z_][\w-]*)|^\[(\d+)\]|^\["([^"\\]*)"\]/.exec(rest);
    if (!m) return null;
    steps.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
    rest = rest.slice(m[0].length);
  }
  return steps;
}
