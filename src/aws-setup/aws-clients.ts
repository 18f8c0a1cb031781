import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient, type IAMClientConfig } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";

/** How the `porch aws` commands reach AWS; everything absent falls back to the SDK's defaults. */
export interface AwsClientConfig {
  /** One endpoint for every service (tests, local stand-ins). */
  endpoint?: string;
  region?: string;
  /** Anything the SDK accepts as `credentials`; default: the SDK's default credential chain. */
  credentials?: unknown;
}

export interface AwsClients {
  iam: IAMClient;
  ec2: EC2Client;
  ecs: ECSClient;
  sts: STSClient;
  s3: S3Client;
  secretsManager: SecretsManagerClient;
  ssm: SSMClient;
}

/** The user's own clients for one region (the runner's), with the default credential chain unless overridden. */
export function createAwsClients(region: string, config: AwsClientConfig = {}): AwsClients {
  const base = {
    region: config.region ?? region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials as IAMClientConfig["credentials"] } : {}),
  };
  return {
    iam: new IAMClient(base),
    ec2: new EC2Client(base),
    ecs: new ECSClient(base),
    sts: new STSClient(base),
    // An endpoint override is an S3-compatible stand-in: path-style, and no default CRC checksums.
    s3: new S3Client(
      config.endpoint ? { ...base, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" } : base,
    ),
    secretsManager: new SecretsManagerClient(base),
    ssm: new SSMClient(base),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
