import { sql as foundation } from "./001_foundation.js";
import { sql as deployments } from "./002_deployments.js";
import { sql as oidc } from "./003_oidc.js";
import { sql as ownerInstance } from "./004_owner_instance.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a released migration is never edited, a change is a new version. */
export const MIGRATIONS: Migration[] = [
  { version: 1, name: "foundation", sql: foundation },
  { version: 2, name: "deployments", sql: deployments },
  { version: 3, name: "oidc", sql: oidc },
  { version: 4, name: "owner_instance", sql: ownerInstance },
];
