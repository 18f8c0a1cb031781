import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import type { ApiClient } from "./api-client.js";
import { bundleDirectory } from "./bundle-dir.js";
import { parseFormat, render } from "./output.js";

type Deployment = {
  id: string;
  status: string;
  mode: string;
  runner_id: string;
  error: { category: string; code: string; message: string } | null;
  outputs: Record<string, { value?: unknown; sensitive: boolean }> | null;
  changes: { add: number; change: number; destroy: number } | null;
  planned_changes: Array<{ address: string; action: string }> | null;
  cancel_note: string | null;
};

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** `--var k=v`: values are strings unless they parse as JSON (numbers, bools, lists, maps). */
export function parseVars(vars: string[], varFiles: string[]): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const file of varFiles) {
    const parsed = parseYaml(readFileSync(file, "utf8")) as unknown;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(`--var-file ${file} must hold a map of variables (JSON or YAML)`);
    Object.assign(inputs, parsed);
  }
  for (const v of vars) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new Error(`--var must look like name=value (got '${v}')`);
    const raw = v.slice(eq + 1);
    let value: unknown = raw;
    if (/^(\d+(\.\d+)?|true|false|null|\[.*\]|\{.*\})$/s.test(raw)) {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    inputs[v.slice(0, eq)] = value;
  }
  return inputs;
}

/** Streams a deployment's logs to `write` until it ends; returns the final deployment. */
export async function followDeployment(client: ApiClient, id: string, write: (line: string) => void, status?: (s: string) => void): Promise<Deployment> {
  let after = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await client.fetch("GET", client.orgPath(`/deployments/${id}/logs?follow=true&after_seq=${after}`));
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const msg = JSON.parse(line) as { type: string; seq?: number; text?: string; status?: string };
          if (msg.type === "log") {
            after = msg.seq ?? after;
            write(msg.text ?? "");
          } else if (msg.type === "end") {
            return client.request<Deployment>("GET", client.orgPath(`/deployments/${id}`));
          }
        }
        status?.("running");
      }
    } catch (err) {
      if (attempt > 5) throw err;
    }
    // The stream broke (server restart, proxy timeout): resume after the last line seen.
    const dep = await client.request<Deployment>("GET", client.orgPath(`/deployments/${id}`));
    if (TERMINAL.has(dep.status)) return dep;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function summarize(dep: Deployment): string {
  const lines: string[] = [];
  if (dep.status === "succeeded") {
    if (dep.changes) {
      const c = dep.changes;
      if (dep.mode === "plan_only") lines.push(`Plan: ${c.add} to add, ${c.change} to change, ${c.destroy} to destroy.`);
      else if (c.add + c.change + c.destroy === 0) lines.push("No changes: the infrastructure matches the configuration.");
      else lines.push(`Applied: ${c.add} added, ${c.change} changed, ${c.destroy} destroyed.`);
    }
    if (dep.mode === "plan_only" && dep.planned_changes?.length) {
      for (const c of dep.planned_changes) lines.push(`  ${c.action.padEnd(8)} ${c.address}`);
    }
    const outputs = Object.entries(dep.outputs ?? {});
    if (outputs.length > 0) {
      lines.push("Outputs:");
      for (const [k, v] of outputs) lines.push(`  ${k} = ${v.sensitive ? "(sensitive value)" : JSON.stringify(v.value)}`);
    }
  } else {
    lines.push(`Deployment ${dep.id} ${dep.status}${dep.error ? `: ${dep.error.message}` : ""}`);
    if (dep.cancel_note) lines.push(`note: ${dep.cancel_note}`);
  }
  return lines.join("\n");
}

/**
 * A one-line status under the streaming logs on a terminal ("running · 42s"), cleared before each log
 * line; nothing on pipes, so scripts see only the logs.
 */
export function statusLine(stream: NodeJS.WriteStream, id: string): { write(line: string): void; stop(): void } {
  if (!stream.isTTY) return { write: (l) => stream.write(`${l}\n`), stop: () => undefined };
  const started = Date.now();
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let frame = 0;
  const draw = () => stream.write(`\r\x1b[2K${frames[frame++ % frames.length]} deployment ${id.slice(0, 8)} · ${Math.round((Date.now() - started) / 1000)}s`);
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    write(line) {
      stream.write(`\r\x1b[2K${line}\n`);
      draw();
    },
    stop() {
      clearInterval(timer);
      stream.write("\r\x1b[2K");
    },
  };
}

export function registerDeployCommands(program: Command, client: () => ApiClient, out: (s: string) => void, err: (s: string) => void): void {
  program
    .command("deploy <dir>")
    .description("bundle an OpenTofu root module, deploy it to an environment and follow its logs")
    .requiredOption("--project <id>", "project")
    .requiredOption("--env <id>", "environment")
    .option("--mode <mode>", "deploy | plan_only | destroy", "deploy")
    .option("--var <name=value>", "input variable (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--var-file <file>", "JSON or YAML file of input variables (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--timeout <seconds>", "fail the deployment after this long (default: server's, 3600)")
    .option("--idempotency-key <key>", "retrying with the same key returns the same deployment")
    .option("--no-follow", "return once the deployment is queued")
    .option("-o, --output <format>", "table | json | yaml (json/yaml print the final deployment to stdout; logs go to stderr)")
    .action(async (dir: string, o: { project: string; env: string; mode: string; var: string[]; varFile: string[]; timeout?: string; idempotencyKey?: string; follow: boolean; output?: string }) => {
      const c = client();
      const format = parseFormat(o.output);
      const bundle = await bundleDirectory(resolve(dir));
      const head = await c.fetch("HEAD", c.orgPath(`/bundles/${bundle.digest}`));
      if (head.status === 404) await c.request("PUT", c.orgPath(`/bundles/${bundle.digest}`), undefined, { raw: bundle.content });
      const dep = await c.request<Deployment>(
        "POST",
        c.orgPath("/deployments"),
        {
          project_id: o.project,
          env_id: o.env,
          mode: o.mode,
          bundle_digest: bundle.digest,
          inputs: parseVars(o.var, o.varFile),
          ...(o.timeout ? { timeout_seconds: Number(o.timeout) } : {}),
        },
        { headers: o.idempotencyKey ? { "idempotency-key": o.idempotencyKey } : {} },
      );
      err(`deployment ${dep.id} queued (${o.mode} of ${o.project}/${o.env} on runner ${dep.runner_id}, ${bundle.files.length} files)`);
      if (!o.follow) {
        if (format !== "table") out(render(dep, format));
        return;
      }
      const status = statusLine(format === "table" ? process.stdout : process.stderr, dep.id);
      const final = await followDeployment(c, dep.id, (l) => status.write(l)).finally(() => status.stop());
      if (format === "table") out(summarize(final));
      else out(render(final, format));
      if (final.status !== "succeeded") process.exitCode = 1;
    });

  program
    .command("logs <deploymentId>")
    .description("print a deployment's logs")
    .option("-f, --follow", "stream until the deployment ends")
    .action(async (id: string, o: { follow?: boolean }) => {
      const c = client();
      if (o.follow) {
        const final = await followDeployment(c, id, out);
        err(summarize(final));
        if (final.status !== "succeeded") process.exitCode = 1;
        return;
      }
      let after = 0;
      for (;;) {
        const page = await c.request<{ items: Array<{ seq: number; text: string }>; next_after_seq: number }>(
          "GET",
          c.orgPath(`/deployments/${id}/logs?after_seq=${after}&limit=5000`),
        );
        for (const l of page.items) out(l.text);
        if (page.items.length < 5000) break;
        after = page.next_after_seq;
      }
    });

  program
    .command("cancel <deploymentId>")
    .description("cancel a queued or running deployment")
    .action(async (id: string) => {
      const dep = await client().request<Deployment>("POST", client().orgPath(`/deployments/${id}/actions/cancel`));
      out(`deployment ${id}: ${dep.status}${TERMINAL.has(dep.status) ? "" : " (cancel requested)"}`);
      if (dep.cancel_note) out(`note: ${dep.cancel_note}`);
    });
}
