import { randomBytes } from "node:crypto";
import type { FakeStsRole } from "./types.js";

/** Temporary credentials the fake STS handed out, bound to the role session they identify. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  role: FakeStsRole;
  sessionName: string;
  /** `arn:aws:sts::<account>:assumed-role/<role-name>/<session>` — the principal AWS names in errors. */
  assumedRoleArn: string;
}

export class CredentialStore {
  private readonly byAccessKey = new Map<string, IssuedCredentials>();

  issue(role: FakeStsRole, sessionName: string, accountId: string, lifetimeSeconds: number): IssuedCredentials {
    const credentials: IssuedCredentials = {
      // "ASIA" marks temporary (STS) access keys, as on AWS.
      accessKeyId: `ASIA${randomUpperAlnum(16)}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `FakeSessionToken/${randomBytes(48).toString("base64")}`,
      expiration: new Date(Math.floor(Date.now() / 1000 + lifetimeSeconds) * 1000),
      role,
      sessionName,
      assumedRoleArn: `arn:aws:sts::${accountId}:assumed-role/${roleName(role.roleArn)}/${sessionName}`,
    };
    this.byAccessKey.set(credentials.accessKeyId, credentials);
    return credentials;
  }

  find(accessKeyId: string): IssuedCredentials | undefined {
    return this.byAccessKey.get(accessKeyId);
  }

  all(): IssuedCredentials[] {
    return [...this.byAccessKey.values()];
  }
}

/** The last path segment of `arn:aws:iam::<account>:role/<path>/<name>`. */
export function roleName(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

export function randomUpperAlnum(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}
