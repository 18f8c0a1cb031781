import { Document } from "yaml";
import { runnerConfigurationInputSchema, stateStorageInputSchema } from "../config/runner.js";
import { parseOrThrow } from "../config/validate.js";
import type { IamDocuments } from "./iam-documents.js";
import type { IamInputs } from "./iam-inputs.js";

/** What the runner configuration needs beyond the IAM documents. */
export interface RunnerJobOptions {
  subnets: string[];
  securityGroups?: string[];
  isPublicIpEnabled?: boolean;
  /** Environment variable name -> secret / parameter ARN. */
  secrets?: Record<string, string>;
}

/**
 * `runner-config.yaml` in the form porch's docs use (`runner_configuration` + the flat
 * `state_storage_configuration`). Checked against porch's own schemas first, so a file this writes is
 * one porch accepts.
 */
export function runnerConfigYaml(inputs: IamInputs, docs: IamDocuments, job: RunnerJobOptions): string {
  const runnerConfiguration = parseOrThrow(
    runnerConfigurationInputSchema,
    {
      type: "serverless-ecs",
      auth: { role_arn: docs.orchestratorRole.arn },
      job: {
        region: inputs.region,
        cluster: inputs.cluster,
        subnets: job.subnets,
        execution_role_arn: docs.executionRole.arn,
        task_role_arn: docs.taskRole.arn,
        ...(job.securityGroups && job.securityGroups.length > 0 ? { security_groups: job.securityGroups } : {}),
        ...(job.isPublicIpEnabled ? { is_public_ip_enabled: true } : {}),
        ...(job.secrets && Object.keys(job.secrets).length > 0 ? { secrets: job.secrets } : {}),
        ...(inputs.logGroup ? { log_group: inputs.logGroup } : {}),
      },
    },
    "runner configuration",
    "runner_configuration",
  );
  const stateStorage = parseOrThrow(
    stateStorageInputSchema,
    { type: "s3", bucket: inputs.bucket, ...(inputs.pathPrefix ? { path_prefix: inputs.pathPrefix } : {}) },
    "state storage configuration",
    "state_storage_configuration",
  );
  const doc = new Document({ runner_configuration: runnerConfiguration, state_storage_configuration: stateStorage });
  doc.commentBefore = ` Written by \`porch aws setup\` for runner ${inputs.orgId}/${inputs.runnerId}.\n Create the runner in porch with id ${inputs.runnerId} and these two fields.`;
  return doc.toString({ lineWidth: 0 });
}
