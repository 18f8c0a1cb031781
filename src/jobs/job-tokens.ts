import { createHmac, randomUUID } from "node:crypto";
import { hashToken } from "../util/tokens.js";

/**
 * Job tokens are derived (HMAC of the deployment id and a per-dispatch nonce under a server key)
 * rather than random, so after a crash between "dispatching" and the job starting, any replica can
 * re-dispatch with the very same token — which an idempotent RunTask may already have handed to a
 * task. Only the token's hash is stored; the key never leaves the server.
 */
export class JobTokens {
  constructor(private readonly key: Buffer) {}

  newNonce(): string {
    return randomUUID();
  }

  tokenFor(deploymentId: string, nonce: string): string {
    const mac = createHmac("sha256", this.key).update(`porch-job-token:v1:${deploymentId}:${nonce}`).digest("base64url");
    return `porch_job_${mac}`;
  }

  hashFor(deploymentId: string, nonce: string): string {
    return hashToken(this.tokenFor(deploymentId, nonce));
  }
}
