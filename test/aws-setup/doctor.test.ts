import { afterEach, describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/aws-setup/doctor/check-result.js";
import { formatCheckResults } from "../../src/aws-setup/doctor/check-result.js";
import { runDoctor } from "../../src/aws-setup/doctor/run-doctor.js";
import { ValidationError } from "../../src/errors/porch-error.js";
import { ISSUER, ORG, RUNNER, SECRET, healthyNetwork, startWorld, type World, type WorldOptions } from "./doctor-world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function doctor(opts: WorldOptions = {}, tweak: (w: World) => void = () => {}, withToken = true): Promise<Record<string, CheckResult>> {
  world = await startWorld(opts);
  tweak(world);
  const report = await runDoctor({
    orgId: ORG,
    runnerId: RUNNER,
    issuerUrl: ISSUER,
    runner: world.runner,
    clients: world.clients,
    webIdentityToken: withToken ? world.token : undefined,
  });
  return Object.fromEntries(report.checks.map((c) => [c.id, c]));
}

const statuses = (checks: Record<string, CheckResult>) => Object.fromEntries(Object.entries(checks).map(([id, c]) => [id, c.status]));

describe("porch aws doctor", () => {
  it("passes every check for an account set up by porch aws setup", async () => {
    const checks = await doctor();
    expect(statuses(checks)).toEqual({
      "issuer-url": "pass",
      "oidc-provider": "pass",
      "trust-policy": "pass",
      "assume-role": "pass",
      cluster: "pass",
      "subnet:subnet-0aaaaaaaaaaaaaaaa": "pass",
      "security-groups": "pass",
      "secret:DB_PASSWORD": "pass",
      "state-bucket": "pass",
      "state-permissions": "pass",
    });
    expect(checks["assume-role"]!.detail).toContain("assumed-role/porch-ecs-prod-orchestrator/");
    expect(formatCheckResults(Object.values(checks))).toMatch(/Summary: 10 pass, 0 fail, 0 skipped\n$/);
  });

  it("finds a wrong sub in the trust policy, and so does AWS when porch assumes the role", async () => {
    const checks = await doctor({ acceptedSubject: "acme+old-runner" });
    expect(checks["trust-policy"]).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("requires porch.example.com/oidc:sub = 'acme+old-runner', but porch's tokens for this runner carry sub 'acme+ecs-prod'"),
      fix: expect.stringContaining('"porch.example.com/oidc:sub": "acme+ecs-prod"'),
    });
    expect(checks["assume-role"]).toMatchObject({ status: "fail", detail: expect.stringContaining("IDPRejectedClaim"), fix: expect.stringContaining("porch.example.com/oidc:sub = 'acme+ecs-prod'") });
  });

  it("finds a subnet with neither a NAT gateway nor the VPC endpoints the task needs", async () => {
    const network = healthyNetwork();
    network.routeTables[1]!.routes = network.routeTables[1]!.routes.filter((r) => !r.natGatewayId);
    const checks = await doctor({ network });
    const subnet = checks["subnet:subnet-0aaaaaaaaaaaaaaaa"]!;
    expect(subnet.status).toBe("fail");
    expect(subnet.detail).toContain("route table rtb-private has no route to the internet (no NAT gateway)");
    expect(subnet.detail).toContain("no VPC endpoint for ecr.api (image pull (registry API)), ecr.dkr (image pull (registry)), s3 (image layers and the state bucket), sts (AWS credentials inside the task), secretsmanager (job.secrets (Secrets Manager))");
    expect(subnet.fix).toContain("add a route 0.0.0.0/0 -> NAT gateway to rtb-private");
    expect(subnet.fix).toContain("com.amazonaws.eu-central-1.s3 (Gateway, on rtb-private)");
  });

  it("accepts a private subnet whose VPC endpoints cover every service the task uses", async () => {
    const network = healthyNetwork();
    network.routeTables[1]!.routes = network.routeTables[1]!.routes.filter((r) => !r.natGatewayId);
    const iface = (service: string, i: number) => ({ vpcEndpointId: `vpce-${i}`, vpcId: "vpc-1", serviceName: `com.amazonaws.eu-central-1.${service}`, type: "Interface" as const });
    network.vpcEndpoints = [
      iface("ecr.api", 1),
      iface("ecr.dkr", 2),
      iface("sts", 3),
      iface("secretsmanager", 4),
      { vpcEndpointId: "vpce-5", vpcId: "vpc-1", serviceName: "com.amazonaws.eu-central-1.s3", type: "Gateway", routeTableIds: ["rtb-private"] },
    ];
    const checks = await doctor({ network });
    expect(checks["subnet:subnet-0aaaaaaaaaaaaaaaa"]).toMatchObject({ status: "pass", detail: expect.stringContaining("VPC endpoints cover every AWS service") });
  });

  it("finds a subnet behind an internet gateway whose tasks get no public IP, and a security group without outbound HTTPS", async () => {
    const network = healthyNetwork();
    network.routeTables[1]!.routes = [{ destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-0123" }];
    network.securityGroups[0]!.egress = [{ ipProtocol: "tcp", fromPort: 80, toPort: 80, cidrIp: ["0.0.0.0/0"] }];
    const checks = await doctor({ network });
    expect(checks["subnet:subnet-0aaaaaaaaaaaaaaaa"]).toMatchObject({ status: "fail", fix: expect.stringContaining("set runner_configuration.job.is_public_ip_enabled: true") });
    expect(checks["security-groups"]).toMatchObject({ status: "fail", fix: expect.stringContaining("add an egress rule for HTTPS (tcp 443) to 0.0.0.0/0 (or to your VPC endpoints) on sg-0aaaaaaaaaaaaaaaa") });
  });

  it("finds a secret the execution role may not read, and one that does not exist", async () => {
    const checks = await doctor({ removeInlinePolicies: [["porch-ecs-prod-execution", "porch-execution"]], existingSecrets: [] });
    expect(checks["secret:DB_PASSWORD"]).toMatchObject({ status: "fail" });
    expect(checks["secret:DB_PASSWORD"]!.detail).toContain(`${SECRET} does not exist`);
    expect(checks["secret:DB_PASSWORD"]!.detail).toContain("the execution role arn:aws:iam::123456789012:role/porch-ecs-prod-execution may not secretsmanager:GetSecretValue on it (implicitDeny)");
    expect(checks["secret:DB_PASSWORD"]!.fix).toContain(`\`porch aws iam --secret ${SECRET}\``);
  });

  it("finds a missing state bucket, and a task role that may not delete the lock file", async () => {
    const checks = await doctor({ createBucket: false }, (w) => {
      const role = w.iamEc2.iam.roles.get("porch-ecs-prod-task")!;
      role.inlinePolicies.set("porch-task", role.inlinePolicies.get("porch-task")!.replace(',"s3:DeleteObject"', ""));
    });
    expect(checks["state-bucket"]).toMatchObject({ status: "fail", detail: "there is no bucket acme-state", fix: expect.stringContaining("create it") });
    expect(checks["state-permissions"]).toMatchObject({ status: "fail", detail: expect.stringContaining("s3:DeleteObject on arn:aws:s3:::acme-state/state/acme/porch-doctor/check.tfstate.tflock") });
    expect(checks["state-permissions"]!.fix).toContain("DeleteObject removes OpenTofu's .tflock lock file");
  });

  it("finds a cluster without Fargate capacity providers and names the command that adds them", async () => {
    const checks = await doctor({ clusterHasFargate: false });
    expect(checks.cluster).toMatchObject({
      status: "fail",
      detail: "cluster jobs has capacity providers [], missing FARGATE",
      fix: expect.stringContaining("aws ecs put-cluster-capacity-providers --region eu-central-1 --cluster jobs --capacity-providers FARGATE"),
    });
  });

  it("skips the OIDC assume check without a porch token, saying why", async () => {
    const checks = await doctor({}, () => {}, false);
    expect(checks["assume-role"]).toMatchObject({ status: "skipped", detail: expect.stringContaining("no porch token") });
  });

  it("skips the checks that need the user's credentials when there are none, and says so", async () => {
    const checks = await doctor({}, (w) => {
      const missing = () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
      for (const client of [w.clients.iam, w.clients.ec2, w.clients.ecs, w.clients.s3, w.clients.secretsManager, w.clients.ssm]) {
        (client.config as { credentials: unknown }).credentials = missing;
      }
    });
    for (const id of ["oidc-provider", "trust-policy", "cluster", "subnet:subnet-0aaaaaaaaaaaaaaaa", "security-groups", "secret:DB_PASSWORD", "state-bucket", "state-permissions"]) {
      expect({ id, ...checks[id] }).toMatchObject({ id, status: "skipped", detail: expect.stringContaining("needs your AWS credentials") });
    }
    // AssumeRoleWithWebIdentity is unsigned: porch's token is all it needs.
    expect(checks["assume-role"]!.status).toBe("pass");
  });

  it("fails the issuer URL AWS cannot reach and does not repeat it in every OIDC check", async () => {
    world = await startWorld();
    const report = await runDoctor({ orgId: ORG, runnerId: RUNNER, issuerUrl: "https://localhost/oidc", runner: world.runner, clients: world.clients });
    const checks = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(checks["issuer-url"]).toMatchObject({ status: "fail", detail: expect.stringContaining("localhost is not a public address") });
    expect(checks.oidc).toMatchObject({ status: "skipped" });
    expect(checks["trust-policy"]).toBeUndefined();
  });

  it("refuses a runner that is not serverless-ecs", async () => {
    world = await startWorld();
    const err = await runDoctor({ orgId: ORG, runnerId: "local", issuerUrl: ISSUER, runner: { runner_configuration: { type: "local" }, state_storage_configuration: { type: "local" } }, clients: world.clients }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain("porch aws doctor checks serverless-ecs runners");
  });
});
