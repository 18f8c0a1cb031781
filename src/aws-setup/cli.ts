import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { Command } from "commander";
import { ConfigError, ValidationError } from "../errors/porch-error.js";
import { createAwsClients, destroyAwsClients, type AwsClientConfig } from "./aws-clients.js";
import { setupError } from "./aws-errors.js";
import { formatCheckResults } from "./doctor/check-result.js";
import { runDoctor, runnerRegion } from "./doctor/run-doctor.js";
import { renderIamDocuments } from "./iam-documents.js";
import { formatIamDocuments, parseIamFormat, IAM_FORMATS } from "./iam-formats.js";
import { resolveIamInputs, type IamInputsDraft } from "./iam-inputs.js";
import { formatSetupResult, runSetup } from "./setup-command.js";

export interface AwsCommandDeps {
  /** porch's OIDC issuer URL (PORCH_OIDC_ISSUER_URL or from the server). */
  issuerUrl: () => string;
  /** The runner as porch's API returns it. */
  fetchRunner: (runnerId: string) => Promise<{ id: string; runner_configuration: unknown; state_storage_configuration: unknown }>;
  orgId: () => string;
  /** A token porch would present for the runner; absent: the doctor's OIDC assume check is skipped. */
  webIdentityToken?: (orgId: string, runnerId: string) => Promise<string>;
  /** Endpoint override for stand-ins; default: the SDK's endpoints and credential chain. */
  awsClientConfig?: AwsClientConfig;
  out: (text: string) => void;
}

interface DocumentFlags {
  org?: string;
  runner?: string;
  account?: string;
  region?: string;
  cluster?: string;
  issuerUrl?: string;
  bucket?: string;
  pathPrefix?: string;
  secret?: string[];
  kmsKey?: string;
  stateKmsKey?: string;
  allowStop?: boolean;
  logGroup?: string;
  taskDefinitionPrefix?: string;
  roleNamePrefix?: string;
  rolePath?: string;
  permissionsBoundary?: string;
}

const SECRET_WITH_NAME = /^([A-Za-z_][A-Za-z0-9_]*)=(arn:.+)$/;

/** `NAME=ARN` mounts the secret as NAME in runner-config.yaml; a bare ARN is only granted. */
export function parseSecretFlag(value: string): { name?: string; arn: string } {
  const m = SECRET_WITH_NAME.exec(value);
  return m ? { name: m[1]!, arn: m[2]! } : { arn: value };
}

function documentOptions(cmd: Command): Command {
  return cmd
    .option("--org <id>", "porch organization id (default: the CLI's org)")
    .option("--runner <id>", "runner id")
    .option("--account <id>", "12-digit AWS account id of the runner's roles")
    .option("--region <region>", "AWS region of the ECS cluster")
    .option("--cluster <name>", "ECS cluster name")
    .option("--issuer-url <url>", "porch's OIDC issuer URL (default: PORCH_OIDC_ISSUER_URL or the server's)")
    .option("--bucket <name>", "S3 bucket for OpenTofu state (task role permissions)")
    .option("--path-prefix <prefix>", "key prefix of the state files in the bucket")
    .option("--secret <arn...>", "Secrets Manager / SSM parameter ARN the execution role may read (NAME=ARN also mounts it)")
    .option("--kms-key <arn>", "customer-managed KMS key of the secrets (decrypt through the service only)")
    .option("--state-kms-key <arn>", "customer-managed KMS key of the state bucket")
    .option("--allow-stop", "grant ecs:StopTask so cancel stops tasks at once")
    .option("--log-group <name>", "CloudWatch Logs group for the task logs")
    .option("--task-definition-prefix <prefix>", "task-definition family prefix (default: humanitec)")
    .option("--role-name-prefix <prefix>", "prefix of the role names (default: porch-<runner>)")
    .option("--role-path <path>", "IAM path of the roles (default: /)")
    .option("--permissions-boundary <arn>", "permissions boundary policy for the roles");
}

function draftFrom(flags: DocumentFlags, deps: AwsCommandDeps): IamInputsDraft {
  return {
    orgId: flags.org ?? deps.orgId(),
    runnerId: flags.runner,
    accountId: flags.account,
    region: flags.region,
    cluster: flags.cluster,
    issuerUrl: flags.issuerUrl ?? deps.issuerUrl(),
    bucket: flags.bucket,
    pathPrefix: flags.pathPrefix,
    secretArns: (flags.secret ?? []).map((s) => parseSecretFlag(s).arn),
    kmsKeyArn: flags.kmsKey,
    stateKmsKeyArn: flags.stateKmsKey,
    allowStop: flags.allowStop ?? false,
    logGroup: flags.logGroup,
    taskDefinitionPrefix: flags.taskDefinitionPrefix,
    roleNamePrefix: flags.roleNamePrefix,
    rolePath: flags.rolePath,
    permissionsBoundaryArn: flags.permissionsBoundary,
  };
}

export function registerAwsCommands(program: Command, deps: AwsCommandDeps): Command {
  const aws = program.command("aws").description("set up and check a serverless-ecs runner in your AWS account");

  documentOptions(aws.command("iam"))
    .description("print every IAM document the runner needs (OIDC provider, orchestrator, execution and task roles)")
    .option("--format <format>", `output format: ${IAM_FORMATS.join(", ")}`, "json")
    .action((flags: DocumentFlags & { format: string }) => {
      const format = parseIamFormat(flags.format);
      deps.out(formatIamDocuments(renderIamDocuments(resolveIamInputs(draftFrom(flags, deps))), format));
    });

  documentOptions(aws.command("setup"))
    .description("create or update the OIDC provider and roles with your AWS credentials, and write runner-config.yaml")
    .option("--subnet <id...>", "subnet(s) the runner's tasks run in")
    .option("--security-group <id...>", "security group(s) of the tasks")
    .option("--public-ip", "give tasks a public IP (subnets routed through an internet gateway)")
    .option("--output <path>", "where to write the runner configuration", "runner-config.yaml")
    .option("--dry-run", "only list what would be created or changed")
    .action(async (flags: DocumentFlags & { subnet?: string[]; securityGroup?: string[]; publicIp?: boolean; output: string; dryRun?: boolean }) => {
      const draft = draftFrom(flags, deps);
      if (!draft.region) throw new ValidationError("porch aws setup needs --region", [{ path: "--region", message: "is required" }]);
      const clients = createAwsClients(draft.region, deps.awsClientConfig);
      try {
        draft.accountId ??= await callerAccount(clients.sts);
        const inputs = resolveIamInputs(draft);
        const secrets = Object.fromEntries((flags.secret ?? []).map(parseSecretFlag).flatMap((s) => (s.name ? [[s.name, s.arn]] : [])));
        const result = await runSetup(clients.iam, {
          inputs,
          job: { subnets: flags.subnet ?? [], securityGroups: flags.securityGroup, isPublicIpEnabled: flags.publicIp, secrets },
          outputPath: flags.output,
          dryRun: flags.dryRun ?? false,
        });
        deps.out(formatSetupResult(result, flags.dryRun ?? false));
      } finally {
        destroyAwsClients(clients);
      }
    });

  aws
    .command("doctor")
    .description("check a serverless-ecs runner's AWS set-up; each check passes, fails with the fix, or says why it was skipped")
    .argument("<runner>", "runner id")
    .action(async (runnerId: string) => {
      const runner = await deps.fetchRunner(runnerId);
      const clients = createAwsClients(runnerRegion(runnerId, runner), deps.awsClientConfig);
      try {
        const report = await runDoctor({ orgId: deps.orgId(), runnerId, issuerUrl: deps.issuerUrl(), runner, clients, webIdentityToken: deps.webIdentityToken });
        deps.out(`porch aws doctor ${runnerId}\n${formatCheckResults(report.checks)}`);
        const failed = report.checks.filter((c) => c.status === "fail").length;
        if (failed > 0) throw new ConfigError(`porch aws doctor found ${failed} problem(s) with runner '${runnerId}'; each FAIL above names its fix`, "aws_doctor_failed");
      } finally {
        destroyAwsClients(clients);
      }
    });

  return aws;
}

async function callerAccount(sts: ReturnType<typeof createAwsClients>["sts"]): Promise<string> {
  try {
    const account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
    if (account) return account;
  } catch (err) {
    throw setupError(err, "sts:GetCallerIdentity (to find the account; or pass --account)");
  }
  throw new ValidationError("could not tell the AWS account from your credentials; pass --account", [{ path: "--account", message: "is required" }]);
}
