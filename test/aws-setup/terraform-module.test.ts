import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { beforeAll, describe, expect, it } from "vitest";
import { INLINE_POLICY_NAMES, policyConditions, policyVars, renderIamDocuments } from "../../src/aws-setup/iam-documents.js";
import { ROLE_NAME_PREFIX_MAX, ROLE_NAME_SUFFIXES, defaultRoleNamePrefix, resolveIamInputs, type IamInputsDraft } from "../../src/aws-setup/iam-inputs.js";
import { MODULE_DIR, moduleGeneratedFiles, requiredTemplateVariables } from "../../src/aws-setup/module-files.js";
import { policyDocument, type PolicyStatement } from "../../src/aws-setup/policy-document.js";
import { DOCUMENT_SPECS, ECS_TASK_EXECUTION_MANAGED_POLICY_ARN, POLICY_CONDITION_NAMES, conditionHolds, type DocumentSpec, type PolicyVars } from "../../src/aws-setup/policy-parts.js";
import { RUNNER_ID_PATTERN } from "../../src/config/ids.js";

const moduleDir = path.resolve(MODULE_DIR);
type Hcl = Record<string, any>; // hcl2json output is untyped JSON

let tf: Record<string, Hcl>;
let variables: Record<string, Hcl>;
let outputs: Record<string, Hcl>;
let locals: Hcl;
let resources: Record<string, Record<string, Hcl>>;

beforeAll(async () => {
  tf = {};
  for (const file of (await readdir(moduleDir)).filter((f) => f.endsWith(".tf"))) {
    tf[file] = (await parseHcl(file, await readFile(path.join(moduleDir, file), "utf8"))) as Hcl;
  }
  const all = Object.values(tf);
  variables = Object.assign({}, ...all.map((f) => f.variable ?? {}));
  outputs = Object.assign({}, ...all.map((f) => f.output ?? {}));
  locals = Object.assign({}, ...all.flatMap((f) => (f.locals ?? []) as Hcl[]));
  resources = {};
  for (const f of all) {
    for (const [type, byName] of Object.entries((f.resource ?? {}) as Record<string, Hcl>)) Object.assign((resources[type] ??= {}), byName);
  }
});

/** hcl2json gives every block as a list; the module declares each one once. */
const only = (blocks: unknown): Hcl => {
  expect(blocks).toHaveLength(1);
  return (blocks as Hcl[])[0]!;
};

/** Terraform's templatefile for the two forms the generated templates use; anything else is refused. */
function renderTemplate(template: string, vars: PolicyVars): unknown {
  const text = template.replace(/\$\{(?:jsonencode\((\w+)\)|(\w+))\}/g, (_m, list: string | undefined, scalar: string | undefined) => {
    const value = vars[(list ?? scalar) as keyof PolicyVars];
    if (value === undefined) throw new Error(`template uses unknown variable ${list ?? scalar}`);
    return list ? JSON.stringify(value) : String(value);
  });
  if (/[$%]\{/.test(text)) throw new Error(`template has an interpolation this renderer does not know: ${text}`);
  return JSON.parse(text);
}

describe("generated policy templates (one source of truth with `porch aws iam`)", () => {
  it("are committed exactly as the generator writes them (run `npx tsx src/aws-setup/write-module-files.ts` after changing policy-parts.ts)", async () => {
    const generated = moduleGeneratedFiles();
    for (const [relative, content] of Object.entries(generated)) {
      expect({ file: relative, content: await readFile(path.join(moduleDir, relative), "utf8") }).toEqual({ file: relative, content });
    }
    const onDisk = (await readdir(path.join(moduleDir, "policies"))).map((f) => `policies/${f}`);
    expect(onDisk.sort()).toEqual(Object.keys(generated).filter((k) => k.startsWith("policies/")).sort());
  });

  const variants: Record<string, IamInputsDraft> = {
    everything: {
      secretArns: ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:db/password-AbC123", "arn:aws:ssm:eu-west-1:111122223333:parameter/app/url"],
      kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      stateKmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab",
      allowStop: true,
      logGroup: "/porch/jobs",
      bucket: "acme-state",
      pathPrefix: "state/",
    },
    "bucket without prefix": { bucket: "acme-state" },
    minimal: {},
  };

  for (const [name, extra] of Object.entries(variants)) {
    it(`render to the same documents as the generator (${name})`, () => {
      const inputs = resolveIamInputs({ orgId: "acme", runnerId: "ecs-prod", accountId: "111122223333", region: "eu-west-1", cluster: "jobs", issuerUrl: "https://porch.example.com/oidc", ...extra });
      const vars = policyVars(inputs);
      const conditions = policyConditions(inputs);
      const files = moduleGeneratedFiles();
      const viaTemplates = (spec: DocumentSpec) => {
        const statements = spec.parts
          .filter((p) => (p.when ?? []).every((ref) => conditionHolds(ref, conditions)))
          .flatMap((p) => renderTemplate(files[`policies/${p.part.file}`]!, vars) as PolicyStatement[]);
        return statements.length === 0 && spec.optional ? null : policyDocument(statements);
      };
      const docs = renderIamDocuments(inputs);
      expect(viaTemplates(DOCUMENT_SPECS.orchestratorTrust)).toEqual(docs.orchestratorRole.trustPolicy);
      expect(viaTemplates(DOCUMENT_SPECS.orchestratorPolicy)).toEqual(docs.orchestratorRole.inlinePolicy);
      expect(viaTemplates(DOCUMENT_SPECS.executionTrust)).toEqual(docs.executionRole.trustPolicy);
      expect(viaTemplates(DOCUMENT_SPECS.executionPolicy)).toEqual(docs.executionRole.inlinePolicy);
      expect(viaTemplates(DOCUMENT_SPECS.taskTrust)).toEqual(docs.taskRole.trustPolicy);
      expect(viaTemplates(DOCUMENT_SPECS.taskPolicy)).toEqual(docs.taskRole.inlinePolicy);
    });
  }

  it("get every template variable and condition from the module's locals", () => {
    const required = requiredTemplateVariables();
    expect(Object.keys(locals.trust_policy_vars).sort()).toEqual(expect.arrayContaining(required.trust_policy_vars));
    expect(Object.keys(locals.permission_policy_vars).sort()).toEqual(expect.arrayContaining(required.permission_policy_vars));
    // Trust documents may not depend on the roles they are attached to.
    expect(JSON.stringify(locals.trust_policy_vars)).not.toMatch(/aws_iam_role\./);
    expect(Object.keys(locals.policy_conditions).sort()).toEqual([...POLICY_CONDITION_NAMES].sort());
  });

  it("are attached to the roles the way the generator attaches them", () => {
    const roles = resources.aws_iam_role!;
    const inline = resources.aws_iam_role_policy!;
    const expectations = [
      ["orchestrator", DOCUMENT_SPECS.orchestratorTrust, DOCUMENT_SPECS.orchestratorPolicy],
      ["execution", DOCUMENT_SPECS.executionTrust, DOCUMENT_SPECS.executionPolicy],
      ["task", DOCUMENT_SPECS.taskTrust, DOCUMENT_SPECS.taskPolicy],
    ] as const;
    expect(locals.role_name_prefix).toBe(defaultRoleNamePrefix("${local.runner_id}"));
    for (const [key, trust, policy] of expectations) {
      const role = only(roles[key]);
      expect(role.name).toBe(`\${local.role_name_prefix}${ROLE_NAME_SUFFIXES[key]}`);
      expect(role.assume_role_policy).toBe(`\${local.${trust.local}}`);
      expect(role.permissions_boundary).toBe("${var.iam_role_permissions_boundary}");
      expect(role.path).toBe("${var.iam_role_path}");
      const attached = only(inline[key]);
      expect(attached).toMatchObject({ name: INLINE_POLICY_NAMES[key], role: `\${aws_iam_role.${key}.id}`, policy: `\${local.${policy.local}}` });
    }
    expect(only(resources.aws_iam_role_policy_attachment!.execution_managed).policy_arn).toBe(ECS_TASK_EXECUTION_MANAGED_POLICY_ARN);
  });
});

describe("module interface", () => {
  const SEED_001_VARIABLES = [
    "region",
    "subnet_ids",
    "humanitec_org_id",
    "runner_id",
    "runner_id_prefix",
    "existing_ecs_cluster_name",
    "security_group_ids",
    "additional_tags",
    "enable_s3_encryption",
    "kms_key_arn",
    "s3_bucket_versioning_enabled",
    "s3_bucket_force_destroy",
    "cloudwatch_log_retention_days",
    "iam_role_path",
    "iam_role_permissions_boundary",
  ];
  const SEED_001_OUTPUTS = [
    "humanitec_role_arn",
    "execution_role_arn",
    "task_role_arn",
    "ecs_task_manager_role_arn",
    "runner_id",
    "s3_bucket",
    "ecs_cluster_name",
    "ecs_cluster_arn",
    "cloudwatch_log_group_name",
    "cloudwatch_log_group_arn",
    "cloudwatch_exec_log_group_name",
    "cloudwatch_exec_log_group_arn",
  ];

  it("has every variable and output of the reference module, each described", () => {
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(SEED_001_VARIABLES));
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(SEED_001_OUTPUTS));
    for (const [name, blocks] of Object.entries(variables)) expect({ name, described: (only(blocks).description ?? "").length > 10, typed: !!only(blocks).type }).toEqual({ name, described: true, typed: true });
    for (const [name, blocks] of Object.entries(outputs)) expect({ name, described: (only(blocks).description ?? "").length > 10 }).toEqual({ name, described: true });
  });

  it("README documents every variable and output, and nothing that does not exist", async () => {
    const readme = await readFile(path.join(moduleDir, "README.md"), "utf8");
    const section = (title: string) => readme.slice(readme.indexOf(`## ${title}`), readme.indexOf("\n## ", readme.indexOf(`## ${title}`) + 3));
    const documented = (text: string) => [...text.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]!).sort();
    expect(documented(section("Variables"))).toEqual(Object.keys(variables).sort());
    expect(documented(section("Outputs"))).toEqual(Object.keys(outputs).sort());
  });

  function validationRegex(variable: string): RegExp {
    const condition = only(variables[variable]).validation[0].condition as string;
    const pattern = /regex\("((?:[^"\\]|\\.)*)"/.exec(condition)![1]!;
    return new RegExp(pattern.replace(/\\\\/g, "\\"));
  }

  it("checks runner_id against the provider's id pattern and IAM's 64-character role names", () => {
    const condition = only(variables.runner_id).validation[0].condition as string;
    const maxRunnerId = ROLE_NAME_PREFIX_MAX - defaultRoleNamePrefix("").length;
    expect(maxRunnerId).toBe(45);
    expect(condition).toContain(`<= ${maxRunnerId}`);
    const re = validationRegex("runner_id");
    for (const ok of ["ecs-runner", "a1", "prod-eu-1"]) expect({ ok, matches: re.test(ok) && RUNNER_ID_PATTERN.test(ok) }).toEqual({ ok, matches: true });
    for (const bad of ["Runner", "1runner", "a--b", "a_b", "runner-"]) expect({ bad, matches: re.test(bad) }).toEqual({ bad, matches: false });
    // A generated id is <prefix>-<8 hex>, so the prefix leaves room for 9 characters.
    expect(only(variables.runner_id_prefix).validation[0].condition).toContain(`<= ${maxRunnerId - 9}`);
  });

  it("validates the ids and ARNs users type, with messages naming the variable", () => {
    const validated = ["region", "subnet_ids", "humanitec_org_id", "oidc_issuer_url", "runner_id", "runner_id_prefix", "security_group_ids", "secrets", "kms_key_arn", "secrets_kms_key_arn", "iam_role_path", "cloudwatch_log_retention_days", "existing_oidc_provider_arn"];
    for (const name of validated) {
      const validations = (only(variables[name]).validation ?? []) as Hcl[];
      expect({ name, count: validations.length > 0 }).toEqual({ name, count: true });
      for (const v of validations) expect(v.error_message).toContain(name);
    }
    const issuer = validationRegex("oidc_issuer_url");
    expect(issuer.test("https://porch.example.com/oidc")).toBe(true);
    for (const bad of ["http://porch.example.com", "https://porch.example.com:8443", "https://porch.example.com/oidc/", "https://porch.example.com?x=1"]) expect({ bad, ok: issuer.test(bad) }).toEqual({ bad, ok: false });
  });
});

describe("module resources", () => {
  it("keeps the state bucket private and TLS-only", () => {
    expect(only(resources.aws_s3_bucket_public_access_block!.state)).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const policy = only(resources.aws_s3_bucket_policy!.state_tls_only).policy as string;
    expect(policy).toContain('"aws:SecureTransport" = "false"');
    expect(policy).toContain('Effect    = "Deny"');
    expect(only(resources.aws_s3_bucket_ownership_controls!.state).rule[0].object_ownership).toBe("BucketOwnerEnforced");
  });

  it("creates a cluster only when none is given, with Container Insights and Fargate Spot", () => {
    const cluster = only(resources.aws_ecs_cluster!.runner);
    expect(cluster.count).toBe("${var.existing_ecs_cluster_name == null ? 1 : 0}");
    expect(cluster.setting[0]).toEqual({ name: "containerInsights", value: "${var.container_insights}" });
    expect(only(resources.aws_ecs_cluster_capacity_providers!.runner).capacity_providers).toBe('${var.enable_fargate_spot ? ["FARGATE", "FARGATE_SPOT"] : ["FARGATE"]}');
  });

  it("registers the runner with the provider's serverless-ecs schema and an optional runner rule", () => {
    const runner = only(resources["platform-orchestrator_serverless_ecs_runner"]!.runner);
    const providerJobFields = ["cluster", "execution_role_arn", "region", "subnets", "environment", "image", "is_public_ip_enabled", "secrets", "security_groups", "task_role_arn"];
    expect(Object.keys(runner.runner_configuration.job).every((k) => providerJobFields.includes(k))).toBe(true);
    expect(runner.runner_configuration.auth.role_arn).toBe("${aws_iam_role.orchestrator.arn}");
    expect(runner.state_storage_configuration).toMatchObject({ type: "s3", s3_configuration: { bucket: "${aws_s3_bucket.state.bucket}" } });
    expect(only(resources["platform-orchestrator_runner_rule"]!.runner).count).toBe("${length(var.runner_rules)}");
  });
});

describe("version constraints", () => {
  /** The Terraform release that introduced each function (and type-constraint keyword) the module may use. */
  const INTRODUCED_IN: Record<string, string> = {
    alltrue: "0.14.0",
    can: "0.13.0",
    coalesce: "0.12.0",
    concat: "0.12.0",
    contains: "0.12.0",
    distinct: "0.12.0",
    jsondecode: "0.12.0",
    jsonencode: "0.12.0",
    keys: "0.12.0",
    length: "0.12.0",
    merge: "0.12.0",
    one: "0.15.0",
    optional: "1.3.0",
    regex: "0.12.7",
    sort: "0.12.0",
    split: "0.12.0",
    startswith: "1.3.0",
    templatefile: "0.12.0",
    trimprefix: "0.12.17",
    trimsuffix: "0.12.17",
    values: "0.12.0",
  };
  const TYPE_KEYWORDS = new Set(["string", "number", "bool", "list", "map", "set", "object", "tuple", "any"]);
  const semver = (v: string) => v.split(".").map(Number).reduce((acc, n) => acc * 1000 + n, 0);

  function functionsUsed(): Set<string> {
    const used = new Set<string>();
    const visit = (value: unknown): void => {
      if (typeof value === "string") {
        for (const m of value.matchAll(/\b([a-z_][a-z0-9_]*)\(/g)) if (!TYPE_KEYWORDS.has(m[1]!)) used.add(m[1]!);
      } else if (value && typeof value === "object") Object.values(value).forEach(visit);
    };
    for (const [file, parsed] of Object.entries(tf)) {
      // Descriptions and error messages are prose, not expressions.
      visit(JSON.parse(JSON.stringify(parsed, (k, v: unknown) => (k === "description" || k === "error_message" ? undefined : v))));
      expect(file).toMatch(/\.tf$/);
    }
    return used;
  }

  it("require exactly the Terraform version of the newest function the module uses", () => {
    const used = functionsUsed();
    for (const fn of used) expect({ fn, known: fn in INTRODUCED_IN }).toEqual({ fn, known: true });
    const needed = [...used].map((fn) => INTRODUCED_IN[fn]!).sort((a, b) => semver(a) - semver(b)).at(-1)!;
    const required = only(tf["versions.tf"]!.terraform).required_version as string;
    expect(required).toBe(`>= ${needed}`);
  });

  it("require the AWS provider release that lets an OIDC provider go without thumbprints", () => {
    const provider = only(resources.aws_iam_openid_connect_provider!.porch);
    expect(provider).not.toHaveProperty("thumbprint_list");
    expect(provider.client_id_list).toEqual(["sts.amazonaws.com"]);
    const aws = only(only(tf["versions.tf"]!.terraform).required_providers).aws;
    expect(aws.version).toMatch(/^>= 5\.81\.0,/);
    expect(only(only(tf["versions.tf"]!.terraform).required_providers)["platform-orchestrator"].source).toBe("humanitec/platform-orchestrator");
  });
});

describe("tests/plan.tftest.hcl", () => {
  it("is HCL with mock providers for every provider, plan-only runs, and validation failures", async () => {
    const parsed = (await parseHcl("plan.tftest.hcl", await readFile(path.join(moduleDir, "tests/plan.tftest.hcl"), "utf8"))) as Hcl;
    expect(Object.keys(parsed.mock_provider).sort()).toEqual(["aws", "platform-orchestrator", "random"]);
    const runs = Object.entries(parsed.run as Record<string, Hcl[]>);
    expect(runs.length).toBeGreaterThan(5);
    for (const [name, blocks] of runs) expect({ name, command: only(blocks).command }).toEqual({ name, command: "${plan}" });
    const expectedFailures = runs.flatMap(([, blocks]) => (only(blocks).expect_failures ?? []) as string[]);
    expect(expectedFailures).toEqual(expect.arrayContaining(["${var.runner_id}", "${var.runner_id_prefix}", "${var.oidc_issuer_url}", "${var.secrets}"]));
    for (const name of Object.keys(only(parsed.variables))) expect({ name, known: name in variables }).toEqual({ name, known: true });
  });
});
