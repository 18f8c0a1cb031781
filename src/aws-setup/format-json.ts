import type { IamDocuments, RoleDocuments } from "./iam-documents.js";

function roleJson(role: RoleDocuments): Record<string, unknown> {
  return {
    name: role.name,
    arn: role.arn,
    path: role.path,
    description: role.description,
    ...(role.permissionsBoundaryArn ? { permissions_boundary: role.permissionsBoundaryArn } : {}),
    trust_policy: role.trustPolicy,
    policy_name: role.inlinePolicyName,
    policy: role.inlinePolicy,
    managed_policy_arns: role.managedPolicyArns,
  };
}

/** The documents as one JSON object (snake_case, like porch's API). */
export function iamDocumentsJson(docs: IamDocuments): Record<string, unknown> {
  return {
    oidc_provider: { url: docs.oidcProvider.url, arn: docs.oidcProvider.arn, client_id_list: docs.oidcProvider.clientIds },
    orchestrator_role: roleJson(docs.orchestratorRole),
    execution_role: roleJson(docs.executionRole),
    task_role: roleJson(docs.taskRole),
    tags: docs.tags,
  };
}

export function formatJson(docs: IamDocuments): string {
  return `${JSON.stringify(iamDocumentsJson(docs), null, 2)}\n`;
}
