import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startApiHarness, type ApiHarness } from "../helpers/api-harness.js";
import { SEED_TERRAFORM_EXAMPLE, SEED_YAML_ALL_OPTIONS, SEED_YAML_MINIMAL, SEED_YAML_SECRETS, SEED_YAML_SETUP_GUIDE } from "./seed-examples.js";

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
  expect((await h.call("POST", "/orgs", { id: "acme" })).status).toBe(201);
});
afterAll(() => h.close());

const VALID_JOB = {
  region: "eu-central-1",
  cluster: "c",
  subnets: ["subnet-1"],
  execution_role_arn: "arn:aws:iam::123456789012:role/exec",
};
const VALID = {
  runner_configuration: { type: "serverless-ecs", auth: { role_arn: "arn:aws:iam::123456789012:role/orch" }, job: VALID_JOB },
  state_storage_configuration: { type: "s3", bucket: "my-bucket" },
};

describe("seed 000 configuration examples", () => {
  const yamlForms: Array<[string, string]> = [
    ["minimal runner-config.yaml", SEED_YAML_MINIMAL],
    ["all options", SEED_YAML_ALL_OPTIONS],
    ["sensitive environment variables", SEED_YAML_SECRETS],
    ["setup guide", SEED_YAML_SETUP_GUIDE],
  ];
  it.each(yamlForms)("accepts the %s form and reads it back field for field", async (name, yaml) => {
    const id = `seed-${name.replace(/[^a-z]+/g, "-").replace(/-+$/, "")}`;
    const body = { id, ...(parseYaml(yaml) as object) };
    const created = await h.call("POST", "/orgs/acme/runners", body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const read = await h.call("GET", `/orgs/acme/runners/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.runner_configuration).toEqual((body as unknown as { runner_configuration: unknown }).runner_configuration);
    expect(read.body.state_storage_configuration).toEqual({ type: "s3", bucket: "humanitec-ecs-runner-state", path_prefix: "state-files" });
  });

  it("accepts the Terraform provider's nested state storage shape and normalises it", async () => {
    const created = await h.call("POST", "/orgs/acme/runners", SEED_TERRAFORM_EXAMPLE);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const read = await h.call("GET", "/orgs/acme/runners/my-ecs-runner");
    expect(read.body.description).toBe(SEED_TERRAFORM_EXAMPLE.description);
    expect(read.body.runner_configuration).toEqual(SEED_TERRAFORM_EXAMPLE.runner_configuration);
    expect(read.body.state_storage_configuration).toEqual({ type: "s3", ...SEED_TERRAFORM_EXAMPLE.state_storage_configuration.s3_configuration });
  });
});

/** Each rule of api-compat.md: one invalid value, a 400 naming the field. */
const INVALID: Array<[string, (b: any) => void, string]> = [
  ["runner id pattern", (b) => (b.id = "9runner"), "id"],
  ["runner id length", (b) => (b.id = `r${"x".repeat(100)}`), "id"],
  ["description length", (b) => (b.description = "d".repeat(201)), "description"],
  ["auth.role_arn required", (b) => delete b.runner_configuration.auth.role_arn, "runner_configuration.auth.role_arn"],
  ["auth.role_arn pattern", (b) => (b.runner_configuration.auth.role_arn = "arn:aws:iam::12345:role/x"), "runner_configuration.auth.role_arn"],
  ["auth.session_name pattern", (b) => (b.runner_configuration.auth.session_name = "a b"), "runner_configuration.auth.session_name"],
  ["auth.session_name length", (b) => (b.runner_configuration.auth.session_name = "a".repeat(65)), "runner_configuration.auth.session_name"],
  ["auth.sts_region pattern", (b) => (b.runner_configuration.auth.sts_region = "europe"), "runner_configuration.auth.sts_region"],
  ["job.region required", (b) => delete b.runner_configuration.job.region, "runner_configuration.job.region"],
  ["job.region pattern", (b) => (b.runner_configuration.job.region = "EU-central-1"), "runner_configuration.job.region"],
  ["job.cluster empty", (b) => (b.runner_configuration.job.cluster = ""), "runner_configuration.job.cluster"],
  ["job.cluster length", (b) => (b.runner_configuration.job.cluster = "c".repeat(256)), "runner_configuration.job.cluster"],
  ["job.subnets empty", (b) => (b.runner_configuration.job.subnets = []), "runner_configuration.job.subnets"],
  ["job.subnets too many", (b) => (b.runner_configuration.job.subnets = Array.from({ length: 17 }, (_, i) => `s-${i}`)), "runner_configuration.job.subnets"],
  ["job.subnets item length", (b) => (b.runner_configuration.job.subnets = ["s".repeat(25)]), "runner_configuration.job.subnets[0]"],
  ["job.execution_role_arn pattern", (b) => (b.runner_configuration.job.execution_role_arn = "role/x"), "runner_configuration.job.execution_role_arn"],
  ["job.task_role_arn pattern", (b) => (b.runner_configuration.job.task_role_arn = "arn:aws:iam::123456789012:user/x"), "runner_configuration.job.task_role_arn"],
  ["job.security_groups too many", (b) => (b.runner_configuration.job.security_groups = ["a", "b", "c", "d", "e", "f"]), "runner_configuration.job.security_groups"],
  ["job.security_groups item length", (b) => (b.runner_configuration.job.security_groups = ["g".repeat(256)]), "runner_configuration.job.security_groups[0]"],
  ["job.is_public_ip_enabled type", (b) => (b.runner_configuration.job.is_public_ip_enabled = "yes"), "runner_configuration.job.is_public_ip_enabled"],
  ["job.image pattern", (b) => (b.runner_configuration.job.image = "bad image!"), "runner_configuration.job.image"],
  ["job.image length", (b) => (b.runner_configuration.job.image = `r/${"i".repeat(260)}`), "runner_configuration.job.image"],
  ["job.environment value length", (b) => (b.runner_configuration.job.environment = { A: "v".repeat(1025) }), "runner_configuration.job.environment.A"],
  ["job.environment reserved name", (b) => (b.runner_configuration.job.environment = { PORCH_JOB_TOKEN: "x" }), "runner_configuration.job.environment.PORCH_JOB_TOKEN"],
  ["job.secrets bad ARN", (b) => (b.runner_configuration.job.secrets = { S: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:noSuffix" }), "runner_configuration.job.secrets.S"],
  ["job.secrets not an ARN", (b) => (b.runner_configuration.job.secrets = { S: "plain" }), "runner_configuration.job.secrets.S"],
  ["job.cpu not Fargate", (b) => (b.runner_configuration.job.cpu = 300), "runner_configuration.job.cpu"],
  ["job.memory not valid for cpu", (b) => Object.assign(b.runner_configuration.job, { cpu: 1024, memory: 1024 }), "runner_configuration.job.memory"],
  ["unknown field in job", (b) => (b.runner_configuration.job.foo = 1), "runner_configuration.job.foo"],
  ["unknown field in runner_configuration", (b) => (b.runner_configuration.bar = 1), "runner_configuration.bar"],
  ["s3 bucket required", (b) => (b.state_storage_configuration = { type: "s3" }), "state_storage_configuration.bucket"],
  ["s3 bucket pattern", (b) => (b.state_storage_configuration = { type: "s3", bucket: "Bad_Bucket" }), "state_storage_configuration.bucket"],
  ["s3 path_prefix pattern", (b) => (b.state_storage_configuration = { type: "s3", bucket: "ok-bucket", path_prefix: "/abs//x" }), "state_storage_configuration.path_prefix"],
  ["unknown state storage field", (b) => (b.state_storage_configuration = { type: "s3", bucket: "ok-bucket", region: "x" }), "state_storage_configuration.region"],
  ["serverless-ecs needs s3", (b) => (b.state_storage_configuration = { type: "local" }), "state_storage_configuration.type"],
  ["runner type not executable by porch", (b) => (b.runner_configuration = { type: "kubernetes", cluster: {} }), "runner_configuration.type"],
  ["state storage type not supported", (b) => (b.state_storage_configuration = { type: "gcs", bucket: "b" }), "state_storage_configuration.type"],
];

describe("runner validation", () => {
  it.each(INVALID)("%s -> 400 naming the field", async (_name, mutate, path) => {
    const body = structuredClone({ id: "bad-runner", ...VALID });
    mutate(body);
    const res = await h.call("POST", "/orgs/acme/runners", body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("validation_failed");
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await h.call("GET", "/orgs/acme/runners/bad-runner")).status).toBe(404);
  });

  it("lists every problem, not just the first", async () => {
    const body = structuredClone({ id: "bad-runner", ...VALID }) as any;
    body.runner_configuration.job.subnets = [];
    body.runner_configuration.auth.role_arn = "nope";
    body.runner_configuration.job.region = "x";
    const res = await h.call("POST", "/orgs/acme/runners", body);
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(["runner_configuration.job.subnets", "runner_configuration.auth.role_arn", "runner_configuration.job.region"]),
    );
  });

  it("says which runner types porch supports when the type cannot run here", async () => {
    const res = await h.call("POST", "/orgs/acme/runners", { id: "k8s", runner_configuration: { type: "kubernetes-gke" }, state_storage_configuration: { type: "s3", bucket: "b-b" } });
    expect(res.status).toBe(400);
    expect(res.body.details[0].message).toMatch(/not supported by porch yet.*serverless-ecs, local/);
  });

  it("names both types on a compatibility mismatch", async () => {
    const res = await h.call("POST", "/orgs/acme/runners", { id: "mismatch", ...VALID, state_storage_configuration: { type: "local" } });
    expect(res.body.details[0].message).toMatch(/serverless-ecs.*local/);
  });

  it("accepts the local runner with local or s3 state, and Fargate sizes", async () => {
    expect((await h.call("POST", "/orgs/acme/runners", { id: "laptop", runner_configuration: { type: "local", max_concurrent_jobs: 2 }, state_storage_configuration: { type: "local", path: "/tmp/state" } })).status).toBe(201);
    const sized = structuredClone({ id: "sized", ...VALID }) as any;
    Object.assign(sized.runner_configuration.job, { cpu: 1024, memory: 4096, capacity_provider_strategy: [{ capacity_provider: "FARGATE_SPOT", weight: 1 }] });
    expect((await h.call("POST", "/orgs/acme/runners", sized)).status).toBe(201);
  });

  it("rejects duplicates with 409, updates with PATCH and re-checks compatibility", async () => {
    expect((await h.call("POST", "/orgs/acme/runners", { id: "dup", ...VALID })).status).toBe(201);
    expect((await h.call("POST", "/orgs/acme/runners", { id: "dup", ...VALID })).status).toBe(409);
    const patched = await h.call("PATCH", "/orgs/acme/runners/dup", { description: "new" });
    expect(patched.status).toBe(200);
    expect(patched.body.description).toBe("new");
    const bad = await h.call("PATCH", "/orgs/acme/runners/dup", { state_storage_configuration: { type: "local" } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe("state_storage_configuration.type");
    expect((await h.call("GET", "/orgs/acme/runners/dup")).body.state_storage_configuration.type).toBe("s3");
  });

  it("filters by runner type and paginates", async () => {
    const local = await h.call("GET", "/orgs/acme/runners?byRunnerType=local");
    expect(local.body.items.map((r: { id: string }) => r.id)).toEqual(["laptop"]);
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; next_page_token: string | null } } = await h.call("GET", `/orgs/acme/runners?per_page=2${token ? `&page_token=${token}` : ""}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r) => r.id));
      token = page.body.next_page_token;
    } while (token);
    const all = await h.call("GET", "/orgs/acme/runners?per_page=100");
    expect(seen).toEqual(all.body.items.map((r: { id: string }) => r.id));
    expect(seen.length).toBeGreaterThan(4);
    expect((await h.call("GET", "/orgs/acme/runners?page_token=garbage")).status).toBe(400);
  });
});
