import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IacLogStream, IacRunOptions } from "../../src/iac/index.js";

/** The stand-in tofu (a test double for OpenTofu's CLI), runnable as a binary. */
export const STAND_IN_TOFU = fileURLToPath(new URL("../fakes/stand-in-tofu/tofu", import.meta.url));

export interface LogLine {
  text: string;
  stream: IacLogStream;
}

export interface Workspace {
  root: string;
  moduleDir: string;
  stateDir: string;
  logs: LogLine[];
  /** runIac options for this workspace (local state storage, the stand-in tofu). */
  options(overrides?: Partial<IacRunOptions>): IacRunOptions;
  /** The local state file for the default state key. */
  statePath: string;
  readState(): Promise<{ serial: number; resources: unknown[]; outputs: Record<string, unknown> } | null>;
  logText(): string;
  cleanUp(): Promise<void>;
}

export const STATE_KEY = { orgId: "acme", projectId: "shop", envId: "dev" };

export async function createWorkspace(files: Record<string, string>): Promise<Workspace> {
  const root = await mkdtemp(path.join(tmpdir(), "porch-iac-test-"));
  const moduleDir = path.join(root, "module");
  const stateDir = path.join(root, "state");
  await mkdir(moduleDir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(moduleDir, name), text);
  const logs: LogLine[] = [];
  const statePath = path.join(stateDir, "acme", "shop", "dev", "terraform.tfstate");
  return {
    root,
    moduleDir,
    stateDir,
    logs,
    statePath,
    options: (overrides = {}) => ({
      binary: STAND_IN_TOFU,
      moduleDir,
      mode: "deploy",
      inputs: {},
      stateStorage: { type: "local", path: stateDir },
      stateKey: STATE_KEY,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      log: (text, stream) => logs.push({ text, stream }),
      ...overrides,
    }),
    async readState() {
      try {
        return JSON.parse(await readFile(statePath, "utf8"));
      } catch {
        return null;
      }
    },
    logText: () => logs.map((l) => l.text).join("\n"),
    cleanUp: () => rm(root, { recursive: true, force: true }),
  };
}

export const BASIC_MODULE = `
variable "name" {
  type = string
}

variable "api_key" {
  type      = string
  sensitive = true
}

locals {
  greeting = "hello \${var.name}"
}

resource "terraform_data" "greeting" {
  input = local.greeting
}

output "greeting" {
  value = terraform_data.greeting.output
}

output "api_key" {
  value     = var.api_key
  sensitive = true
}
`;
