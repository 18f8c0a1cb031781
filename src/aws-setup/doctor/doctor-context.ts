import type { ServerlessEcsConfiguration } from "../../config/runner-configuration.js";
import type { S3StateStorage } from "../../config/state-storage.js";
import type { AwsClients } from "../aws-clients.js";

export interface DoctorContext {
  orgId: string;
  runnerId: string;
  issuerUrl: string;
  config: ServerlessEcsConfiguration;
  state: S3StateStorage;
  /** The user's own clients in the runner's region. */
  clients: AwsClients;
  /** A token porch would present for this runner; absent: the OIDC assume check is skipped. */
  webIdentityToken?: (orgId: string, runnerId: string) => Promise<string>;
}

export const field = (path: string) => `runner_configuration.${path}`;

/** The last path segment of `arn:aws:iam::<account>:role/<path>/<name>`. */
export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

export function accountOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}
