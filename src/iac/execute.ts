import { rm } from "node:fs/promises";
import path from "node:path";
import type { ChangeCounts, Diagnostic, Failure, OutputValue } from "../jobs/protocol.js";
import { toPorchError } from "../errors/porch-error.js";
import { parseVersionOutput, type IacBinaryInfo } from "./binary-version.js";
import { failureFromDiagnostics, parseHumanDiagnostics } from "./diagnostics.js";
import { removeInputsFile, writeGeneratedFiles } from "./generated-files.js";
import { parseOutputs } from "./outputs.js";
import { summarizePlan, type PlanSummary } from "./plan-summary.js";
import { runTofu, type TofuExit } from "./tofu-process.js";
import type { IacLog, IacRunOptions, IacRunResult } from "./types.js";
import { UiStream } from "./ui-stream.js";

const DEFAULT_LOCK_TIMEOUT = "120s";
/** The job protocol's limit for one log line. */
const MAX_LOG_TEXT = 65_536;
const FAILURE_CONTEXT_LINES = 20;
const PLAN_FILE = "porch.tfplan";

type StepResult = { ok: true; stdout: string } | { ok: false; failure: Failure };

/**
 * Runs OpenTofu non-interactively for one deployment job: init, plan (saved), show, then apply of that
 * plan unless it is plan-only or has nothing to do, then the outputs. Never throws: every failure is
 * reported in the result.
 */
export async function runIac(opts: IacRunOptions): Promise<IacRunResult> {
  const run = new IacRun(opts);
  try {
    return await run.execute();
  } catch (err) {
    return run.result("failed", toPorchError(err).toJSON());
  } finally {
    await run.cleanUp();
  }
}

class IacRun {
  private readonly diagnostics: Diagnostic[] = [];
  private plan: PlanSummary | null = null;
  private changes: ChangeCounts | null = null;
  private outputs: Record<string, OutputValue> = {};
  private readonly env: NodeJS.ProcessEnv;
  private readonly planFile: string;
  private readonly lockTimeout: string;
  private readonly command: string;
  private readonly log: IacLog;

  constructor(private readonly opts: IacRunOptions) {
    this.env = { ...opts.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
    this.planFile = path.join(opts.moduleDir, PLAN_FILE);
    this.lockTimeout = opts.lockTimeout ?? DEFAULT_LOCK_TIMEOUT;
    this.command = path.basename(opts.binary);
    this.log = (text, stream) => opts.log(text.length > MAX_LOG_TEXT ? `${text.slice(0, MAX_LOG_TEXT - 15)} …(truncated)` : text, stream);
  }

  async execute(): Promise<IacRunResult> {
    const { mode } = this.opts;
    if (this.cancelRequested("preparing the module")) return this.result("cancelled", null);
    await writeGeneratedFiles(this.opts.moduleDir, { ...this.opts, log: this.log });
    const binary = await this.probeBinary();

    const initArgs = ["init", "-input=false", "-no-color", "-reconfigure", ...(binary.supportsInitJson ? ["-json"] : [])];
    if (this.cancelRequested("init")) return this.result("cancelled", null);
    const init = await this.step(initArgs);
    if (!init.ok) return this.stopped(init);

    const planArgs = ["plan", "-input=false", "-json", `-lock-timeout=${this.lockTimeout}`, `-out=${this.planFile}`];
    if (this.cancelRequested("plan")) return this.result("cancelled", null);
    const plan = await this.step(mode === "destroy" ? [...planArgs, "-destroy"] : planArgs);
    if (!plan.ok) return this.stopped(plan);

    if (this.cancelRequested("show")) return this.result("cancelled", null);
    const show = await this.step(["show", "-json", this.planFile], { collectStdout: true });
    if (!show.ok) return this.stopped(show);
    this.plan = summarizePlan(show.stdout);

    if (mode === "plan_only") {
      this.changes = this.plan.counts;
      return this.result("succeeded", null);
    }
    if (this.plan.no_changes) {
      this.log("No changes: the infrastructure matches the configuration, so apply is skipped.", "system");
      this.changes = { add: 0, change: 0, destroy: 0 };
    } else {
      if (this.cancelRequested("apply")) return this.result("cancelled", null);
      const apply = await this.step(["apply", "-input=false", "-json", `-lock-timeout=${this.lockTimeout}`, this.planFile]);
      if (!apply.ok) return this.stopped(apply);
      this.changes ??= this.plan.counts;
    }

    if (this.cancelRequested("output")) return this.result("cancelled", null);
    const output = await this.step(["output", "-json"], { collectStdout: true });
    if (!output.ok) return this.stopped(output);
    this.outputs = parseOutputs(output.stdout);
    return this.result("succeeded", null);
  }

  result(status: IacRunResult["status"], error: Failure | null): IacRunResult {
    return {
      status,
      outputs: this.outputs,
      changes: this.changes,
      planned_changes: this.plan?.planned_changes ?? [],
      no_changes: this.plan?.no_changes ?? false,
      diagnostics: this.diagnostics,
      error,
    };
  }

  async cleanUp(): Promise<void> {
    await Promise.all([rm(this.planFile, { force: true }), removeInputsFile(this.opts.moduleDir)]).catch(() => undefined);
  }

  private cancelRequested(nextStep: string): boolean {
    if (!this.opts.signal?.aborted) return false;
    this.log(`Cancelled: stopping before ${nextStep}.`, "system");
    return true;
  }

  private stopped(step: { ok: false; failure: Failure }): IacRunResult {
    return this.opts.signal?.aborted ? this.result("cancelled", null) : this.result("failed", step.failure);
  }

  private async probeBinary(): Promise<IacBinaryInfo> {
    const exit = await runTofu({
      binary: this.opts.binary,
      args: ["version"],
      cwd: this.opts.moduleDir,
      env: this.env,
      onStderrLine: () => undefined,
    });
    const info = parseVersionOutput(exit.stdout);
    const described = info.product ? `${info.product} v${info.version}` : "an unrecognized version";
    this.log(`Using ${described} at ${this.opts.binary}`, "system");
    return info;
  }

  /** Runs one command, streaming its output through the log as it arrives. */
  private async step(args: string[], how: { collectStdout?: boolean } = {}): Promise<StepResult> {
    this.log(`$ ${this.command} ${args.join(" ")}`, "system");
    // What was logged (rendered, so without sensitive values) is kept as context for a failure message.
    const recent: string[] = [];
    const ui = new UiStream((text, stream) => {
      recent.push(text);
      if (recent.length > 200) recent.shift();
      this.log(text, stream);
    });
    const exit = await runTofu({
      binary: this.opts.binary,
      args,
      cwd: this.opts.moduleDir,
      env: this.env,
      signal: this.opts.signal,
      onInterrupt: () =>
        this.log("Cancellation requested: sent one interrupt to OpenTofu; waiting for it to stop at a safe point and release the state lock.", "system"),
      onStderrLine: (line) => ui.handleLine(line, "stderr"),
      ...(how.collectStdout ? {} : { onStdoutLine: (line: string) => ui.handleLine(line, "stdout") }),
    });
    this.diagnostics.push(...ui.diagnostics);
    if (ui.applied) this.changes = ui.applied;
    if (exit.exitCode === 0) return { ok: true, stdout: exit.stdout };
    return { ok: false, failure: this.failureOf(args[0] as string, exit, ui.diagnostics, recent) };
  }

  private failureOf(command: string, exit: TofuExit, diagnostics: Diagnostic[], recent: string[]): Failure {
    let errors = diagnostics.filter((d) => d.severity === "error");
    if (errors.length === 0) {
      const human = parseHumanDiagnostics(recent);
      this.diagnostics.push(...human);
      errors = human.filter((d) => d.severity === "error");
    }
    if (errors.length > 0) return failureFromDiagnostics(errors);
    const context = recent.filter((l) => l.trim() !== "").slice(-FAILURE_CONTEXT_LINES).join("\n");
    const tail = context ? `; last output:\n${context}` : "";
    if (exit.exitSignal) {
      return { category: "internal", code: "iac_crashed", message: `'${this.command} ${command}' was killed by ${exit.exitSignal}${tail}` };
    }
    if (exit.exitCode === 1) {
      return { category: "user", code: "iac_error", message: `'${this.command} ${command}' failed (exit code 1)${tail}` };
    }
    return { category: "internal", code: "iac_crashed", message: `'${this.command} ${command}' exited with code ${exit.exitCode}${tail}` };
  }
}
