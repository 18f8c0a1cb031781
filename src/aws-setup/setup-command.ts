import { readFile, writeFile } from "node:fs/promises";
import type { IAMClient } from "@aws-sdk/client-iam";
import { ConfigError, ValidationError } from "../errors/porch-error.js";
import { applyIamDocuments, type IamSetupResult } from "./apply-iam.js";
import { renderIamDocuments } from "./iam-documents.js";
import type { IamInputs } from "./iam-inputs.js";
import { runnerConfigYaml, type RunnerJobOptions } from "./runner-config-file.js";

export interface SetupOptions {
  inputs: IamInputs;
  job: RunnerJobOptions;
  /** Where runner-config.yaml goes. */
  outputPath: string;
  dryRun: boolean;
}

export interface SetupResult {
  iam: IamSetupResult;
  runnerConfig: { path: string; status: "written" | "unchanged" | "would write" };
}

/** `porch aws setup`: the IAM documents applied idempotently, then a ready runner-config.yaml. */
export async function runSetup(iam: IAMClient, opts: SetupOptions): Promise<SetupResult> {
  if (!opts.inputs.bucket) {
    throw new ValidationError("porch aws setup needs --bucket: the serverless-ecs runner keeps OpenTofu state in S3", [{ path: "--bucket", message: "is required" }]);
  }
  if (opts.job.subnets.length === 0) {
    throw new ValidationError("porch aws setup needs at least one --subnet for the runner's tasks", [{ path: "--subnet", message: "is required" }]);
  }
  const docs = renderIamDocuments(opts.inputs);
  // Rendered before touching AWS, so an invalid configuration stops the run before any change.
  const yaml = runnerConfigYaml(opts.inputs, docs, opts.job);
  const iamResult = await applyIamDocuments(iam, docs, { dryRun: opts.dryRun });
  const current = await readFile(opts.outputPath, "utf8").catch(() => undefined);
  if (current === yaml) return { iam: iamResult, runnerConfig: { path: opts.outputPath, status: "unchanged" } };
  if (opts.dryRun) return { iam: iamResult, runnerConfig: { path: opts.outputPath, status: "would write" } };
  try {
    await writeFile(opts.outputPath, yaml);
  } catch (err) {
    throw new ConfigError(`cannot write ${opts.outputPath}: ${(err as Error).message}; pass --output with a writable path`, "aws_setup_output_unwritable", err);
  }
  return { iam: iamResult, runnerConfig: { path: opts.outputPath, status: "written" } };
}

export function formatSetupResult(result: SetupResult, dryRun: boolean): string {
  const lines: string[] = [];
  const { changes, unchanged } = result.iam;
  if (changes.length === 0) {
    lines.push(`No changes: the OIDC provider, the roles and their policies are already set up (${unchanged.length} items checked).`);
  } else {
    lines.push(dryRun ? `Dry run: ${changes.length} change(s) would be made; nothing was changed.` : `Made ${changes.length} change(s):`);
    for (const change of changes) {
      lines.push(`  ${dryRun ? "would " : ""}${change.summary}`);
      for (const d of change.detail) lines.push(`      ${d}`);
    }
  }
  const rc = result.runnerConfig;
  lines.push(rc.status === "unchanged" ? `${rc.path} is up to date.` : rc.status === "would write" ? `would write ${rc.path}` : `wrote ${rc.path}`);
  return `${lines.join("\n")}\n`;
}
