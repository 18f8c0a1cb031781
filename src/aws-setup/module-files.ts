import { InternalError } from "../errors/porch-error.js";
import {
  DOCUMENT_SPECS,
  LIST_VARS,
  POLICY_VAR_NAMES,
  type ConditionRef,
  type DocumentSpec,
  type PolicyPart,
  type PolicyVarName,
  type PolicyVars,
} from "./policy-parts.js";

/**
 * The generated files of the Terraform module `terraform/modules/serverless-ecs-runner`: one template
 * per policy part (`policies/<part>.json.tftpl`, a JSON list of statements) and `policies.tf`, which
 * assembles the documents exactly as renderIamDocuments does. Regenerate with
 * `npx tsx src/aws-setup/write-module-files.ts`; a test fails when the committed files drift.
 */
export const MODULE_DIR = "terraform/modules/serverless-ecs-runner";
export const POLICIES_DIR = "policies";

const LIST_MARKER = (name: string) => `@@porch-list:${name}@@`;

function placeholderVars(): PolicyVars {
  const sample = {} as Record<PolicyVarName, string | string[]>;

  for (const name of POLICY_VAR_NAMES) sample[name] = LIST_VARS.has(name) ? [LIST_MARKER(name)] : `\${${name}}`;
  return sample as unknown as PolicyVars;
}

/** A Terraform template (for `templatefile`) that renders to the part's statements as a JSON list. */
export function partTemplate(part: PolicyPart): string {
  const json = JSON.stringify(part.statements(placeholderVars()), null, 2);
  if (json.includes("%{")) throw new InternalError(`policy part ${part.file} contains '%{', which a Terraform template would read as a directive`);
  const text = json.replace(/\[\s*"@@porch-list:(\w+)@@"\s*\]/g, (_m, name: string) => `\${jsonencode(${name})}`);
  if (text.includes("@@porch-list:")) throw new InternalError(`policy part ${part.file} uses a list variable inside a string`);
  return `${text}\n`;
}

/** Names of the variables a template interpolates. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const m of template.matchAll(/\$\{(?:jsonencode\((\w+)\)|(\w+))\}/g)) names.add((m[1] ?? m[2])!);
  return [...names].sort();
}

function conditionHcl(ref: ConditionRef): string {
  return ref.startsWith("!") ? `!local.policy_conditions.${ref.slice(1)}` : `local.policy_conditions.${ref}`;
}

function documentLocals(spec: DocumentSpec): string {
  const path = (part: PolicyPart) => `"\${path.module}/${POLICIES_DIR}/${part.file}"`;
  const items = spec.parts.map(({ part, when }) => {
    const render = `templatefile(${path(part)}, local.${spec.varsLocal})`;
    if (!when || when.length === 0) return `    jsondecode(${render}),`;
    // Both branches are strings: a conditional between two differently shaped lists would not type-check.
    return `    jsondecode(${when.map(conditionHcl).join(" && ")} ? ${render} : "[]"),`;
  });
  const statements = `${spec.local}_statements`;
  const document = `jsonencode({ Version = "2012-10-17", Statement = local.${statements} })`;
  return [
    `  ${statements} = concat(`,
    ...items,
    "  )",
    spec.optional ? `  ${spec.local} = length(local.${statements}) > 0 ? ${document} : null` : `  ${spec.local} = ${document}`,
  ].join("\n");
}

export function policiesTf(): string {
  const header = [
    "# Generated from src/aws-setup/policy-parts.ts by `npx tsx src/aws-setup/write-module-files.ts`: do not edit.",
    "# `porch aws iam` renders the same parts, so this module and the CLI grant exactly the same permissions.",
  ].join("\n");
  const blocks = Object.values(DOCUMENT_SPECS).map((spec) => documentLocals(spec));
  return `${header}\n\nlocals {\n${blocks.join("\n\n")}\n}\n`;
}

export function allParts(): PolicyPart[] {
  const parts = new Map<string, PolicyPart>();
  for (const spec of Object.values(DOCUMENT_SPECS) as DocumentSpec[]) for (const { part } of spec.parts) parts.set(part.file, part);
  return [...parts.values()];
}

/** Relative path inside the module -> file content. */
export function moduleGeneratedFiles(): Record<string, string> {
  const files: Record<string, string> = { "policies.tf": policiesTf() };
  for (const part of allParts()) files[`${POLICIES_DIR}/${part.file}`] = partTemplate(part);
  return files;
}

/** For each module local of template variables, the variables its templates need. */
export function requiredTemplateVariables(): Record<DocumentSpec["varsLocal"], string[]> {
  const out: Record<string, Set<string>> = { trust_policy_vars: new Set(), permission_policy_vars: new Set() };
  for (const spec of Object.values(DOCUMENT_SPECS) as DocumentSpec[]) {
    for (const { part } of spec.parts) for (const name of templateVariables(partTemplate(part))) out[spec.varsLocal]!.add(name);
  }
  return { trust_policy_vars: [...out.trust_policy_vars!].sort(), permission_policy_vars: [...out.permission_policy_vars!].sort() };
}
