import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderBackend } from "../../src/iac/backend.js";
import { BACKEND_FILE, BACKEND_OVERRIDE_FILE, INPUTS_FILE, writeGeneratedFiles } from "../../src/iac/generated-files.js";
import { hclString } from "../../src/iac/hcl-string.js";
import { nativeDeclaresBackend } from "../../src/iac/module-backend-scan.js";

const KEY = { orgId: "acme", projectId: "shop", envId: "dev" };

/** The backend block's settings as a real HCL parser reads them (hcl2json keeps `$${`/`%%{` escapes as written). */
async function backendSettings(hcl: string): Promise<{ type: string; config: Record<string, unknown> }> {
  const doc = (await parse("backend.tf", hcl)) as { terraform: Array<{ backend: Record<string, Array<Record<string, unknown>>> }> };
  const [type, blocks] = Object.entries(doc.terraform[0]!.backend)[0]!;
  return { type, config: blocks[0]! };
}

describe("renderBackend", () => {
  it("puts local state at <path>/<org>/<project>/<env>/terraform.tfstate", async () => {
    const { hcl } = renderBackend({ stateStorage: { type: "local", path: "/var/porch/state" }, stateKey: KEY, env: {} });

    expect(await backendSettings(hcl)).toEqual({ type: "local", config: { path: "/var/porch/state/acme/shop/dev/terraform.tfstate" } });
  });

  it("renders S3 with the prefixed key, native lock file, encryption and the region from AWS_REGION", async () => {
    const { hcl, location } = renderBackend({
      stateStorage: { type: "s3", bucket: "my-state", path_prefix: "tf/states/" },
      stateKey: KEY,
      env: { AWS_REGION: "eu-central-1", AWS_DEFAULT_REGION: "us-east-1" },
    });

    expect(await backendSettings(hcl)).toEqual({
      type: "s3",
      config: { bucket: "my-state", key: "tf/states/acme/shop/dev.tfstate", region: "eu-central-1", encrypt: true, use_lockfile: true, workspace_key_prefix: "tf/states/workspaces" },
    });
    expect(location).toBe("s3://my-state/tf/states/acme/shop/dev.tfstate");
  });

  it("uses <org>/<project>/<env>.tfstate without a prefix, and AWS_DEFAULT_REGION when AWS_REGION is unset", async () => {
    const { hcl } = renderBackend({ stateStorage: { type: "s3", bucket: "my-state" }, stateKey: KEY, env: { AWS_DEFAULT_REGION: "us-west-2" } });

    expect((await backendSettings(hcl)).config).toMatchObject({ key: "acme/shop/dev.tfstate", region: "us-west-2" });
  });

  it("adds the endpoint and path-style addressing for an S3-compatible endpoint", async () => {
    const { hcl } = renderBackend({ stateStorage: { type: "s3", bucket: "b1" }, stateKey: KEY, env: { AWS_REGION: "us-east-1" }, s3Endpoint: "http://127.0.0.1:9000" });

    expect((await backendSettings(hcl)).config).toMatchObject({
      endpoints: { s3: "http://127.0.0.1:9000" },
      use_path_style: true,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
    });
  });

  it("names AWS_REGION when S3 state storage has no region", () => {
    expect(() => renderBackend({ stateStorage: { type: "s3", bucket: "b1" }, stateKey: KEY, env: {} })).toThrow(/AWS_REGION/);
  });

  it("refuses a state key that is not a plain id", () => {
    expect(() => renderBackend({ stateStorage: { type: "local", path: "/s" }, stateKey: { ...KEY, envId: "../prod" }, env: {} })).toThrow(/not a valid id/);
  });
});

describe("hclString", () => {
  it("escapes quotes, backslashes, control characters and template sequences", async () => {
    const nasty = 'a"b\\c ${var.x} %{if} $${kept}\n\ttab\u0001é';
    const { config } = await backendSettings(`terraform {\n  backend "local" {\n    path = ${hclString(nasty)}\n  }\n}\n`);

    const literal = (config.path as string).replaceAll("$${", "${").replaceAll("%%{", "%{");
    expect(literal).toBe(nasty);
    expect(hclString("${x}")).toBe('"$${x}"');
  });
});

describe("nativeDeclaresBackend", () => {
  it("finds backend and cloud blocks inside terraform", () => {
    expect(nativeDeclaresBackend('terraform {\n  required_version = ">= 1.6"\n  backend "s3" {\n    bucket = "x"\n  }\n}\n')).toBe(true);
    expect(nativeDeclaresBackend("terraform {\n  cloud {\n    organization = \"o\"\n  }\n}\n")).toBe(true);
  });

  it("ignores backends in comments, strings, heredocs and other blocks", () => {
    const text = [
      '# terraform { backend "s3" {} }',
      '/* terraform { backend "local" {} } */',
      'locals {',
      '  s = "terraform { backend \\"s3\\" { } } ${jsonencode({ a = "}" })}"',
      "  h = <<EOT",
      'terraform { backend "s3" {} }',
      "EOT",
      "}",
      'terraform {',
      '  required_providers {',
      '    backend = { source = "x/backend" }',
      "  }",
      "}",
      'resource "terraform_data" "backend" {',
      '  input = { backend = "s3" }',
      "}",
    ].join("\n");

    expect(nativeDeclaresBackend(text)).toBe(false);
  });
});

describe("writeGeneratedFiles", () => {
  let dir: string;
  const logs: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "porch-generated-test-"));
    logs.length = 0;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = (inputs: Record<string, unknown> = {}) =>
    writeGeneratedFiles(dir, { stateStorage: { type: "local", path: "/s" }, stateKey: KEY, env: {}, inputs, log: (t) => logs.push(t) });

  it("writes a plain backend file for a module without a backend, and the inputs as JSON", async () => {
    await writeFile(path.join(dir, "main.tf"), 'resource "terraform_data" "a" {}\n');

    await write({ count: 3, tags: { a: "b" }, enabled: true });

    expect((await readdir(dir)).sort()).toEqual(["main.tf", BACKEND_FILE, INPUTS_FILE].sort());
    expect(JSON.parse(await readFile(path.join(dir, INPUTS_FILE), "utf8"))).toEqual({ count: 3, tags: { a: "b" }, enabled: true });
  });

  it("writes an override file when the module declares its own backend (also in .tf.json), and says so", async () => {
    await writeFile(path.join(dir, "main.tf.json"), JSON.stringify({ terraform: { backend: { s3: { bucket: "theirs" } } } }));

    await write();

    expect((await readdir(dir)).sort()).toEqual([BACKEND_OVERRIDE_FILE, "main.tf.json"].sort());
    expect(logs.join("\n")).toContain("declares its own backend (in main.tf.json)");
  });

  it("replaces its own files from an earlier run instead of mistaking them for the module's backend", async () => {
    await writeFile(path.join(dir, "main.tf"), 'resource "terraform_data" "a" {}\n');
    await write({ a: 1 });

    await write();

    expect((await readdir(dir)).sort()).toEqual(["main.tf", BACKEND_FILE].sort());
  });
});
