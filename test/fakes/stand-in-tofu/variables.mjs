// Input variable values, by OpenTofu's precedence (later wins): default, TF_VAR_* environment variables,
// terraform.tfvars(.json), *.auto.tfvars(.json) in lexical order, then -var-file / -var in command-line order.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { DiagnosticError, errorAt, warningAt } from "./diagnostics.mjs";
import { parseHcl } from "./config.mjs";

/**
 * @returns {Promise<{ values: Record<string, unknown>, warnings: object[] }>}
 */
export async function resolveVariables(module, { env, varFiles = [], vars = [] }) {
  const values = {};
  const warnings = [];
  const assign = (name, value, sourceFile) => {
    const decl = module.variables.get(name);
    if (!decl) {
      warnings.push(
        warningAt(
          "Value for undeclared variable",
          `The root module does not declare a variable named "${name}" but a value was found in ${sourceFile ? `file "${sourceFile.name}"` : "the command line"}. If you meant to use this value, add a "variable" block to the configuration.`,
          sourceFile,
          [`"${name}"`, name],
        ),
      );
      return;
    }
    values[name] = convert(value, decl.config.type);
  };

  for (const [name, decl] of module.variables) {
    if ("default" in decl.config) values[name] = decl.config.default;
    const fromEnv = env[`TF_VAR_${name}`];
    if (fromEnv !== undefined) values[name] = convert(fromEnv, decl.config.type);
  }

  const entries = await readdir(module.dir);
  const autoFiles = entries.filter((n) => /\.auto\.tfvars(\.json)?$/.test(n)).sort();
  const defaultFiles = ["terraform.tfvars", "terraform.tfvars.json"].filter((n) => entries.includes(n));
  for (const name of [...defaultFiles, ...autoFiles, ...varFiles]) {
    const file = { name, text: await readFile(path.resolve(module.dir, name), "utf8") };
    for (const [k, v] of Object.entries(await parseVarsFile(file))) assign(k, v, file);
  }
  for (const assignment of vars) {
    const eq = assignment.indexOf("=");
    if (eq === -1) {
      throw new DiagnosticError({ severity: "error", summary: "Invalid -var option", detail: `The given -var option "${assignment}" is not correctly specified. It must be a variable name and value separated by an equals sign, like -var="key=value".` });
    }
    assign(assignment.slice(0, eq), assignment.slice(eq + 1), undefined);
  }

  const missing = [...module.variables.values()].filter((d) => !(d.name in values));
  if (missing.length > 0) {
    throw new DiagnosticError(
      ...missing.map((d) =>
        errorAt(
          "No value for required variable",
          `The root module input variable "${d.name}" is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.`,
          d.file,
          [`variable "${d.name}"`],
        ),
      ),
    );
  }
  return { values, warnings };
}

async function parseVarsFile(file) {
  if (file.name.endsWith(".json")) {
    try {
      return JSON.parse(file.text);
    } catch (err) {
      throw new DiagnosticError(errorAt("Invalid JSON in variables file", err.message, file, []));
    }
  }
  const parsed = await parseHcl(file);
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === "string" ? v.replaceAll("$${", "${") : v]));
}

// Only the primitive conversions OpenTofu applies to values given as strings (environment, -var).
function convert(value, type) {
  if (typeof value !== "string") return value;
  if (type === "${number}" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  if (type === "${bool}" && (value === "true" || value === "false")) return value === "true";
  return value;
}
