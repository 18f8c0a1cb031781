import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ADMIN_TOKEN_FILE } from "../auth/api-tokens.js";

export interface ClientSettings {
  url: string;
  token?: string;
  org: string;
}

export interface ClientFlags {
  url?: string;
  token?: string;
  org?: string;
  dataDir?: string;
}

export const DEFAULT_URL = "http://127.0.0.1:8080";
export const DEFAULT_ORG = "default";

function configFile(env: NodeJS.ProcessEnv): { url?: string; token?: string; org?: string } {
  const path = env.PORCH_CONFIG ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "porch", "config.yaml");
  if (!existsSync(path)) return {};
  const parsed = parseYaml(readFileSync(path, "utf8")) as Record<string, unknown> | null;
  return {
    url: typeof parsed?.url === "string" ? parsed.url : undefined,
    token: typeof parsed?.token === "string" ? parsed.token : undefined,
    org: typeof parsed?.org === "string" ? parsed.org : undefined,
  };
}

/**
 * Flags win, then PORCH_URL / PORCH_TOKEN / PORCH_ORG, then the config file. Talking to a server on
 * this machine without a token, the CLI reads the admin token `porch serve` wrote to its data dir.
 */
export function resolveClientSettings(flags: ClientFlags, env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const file = configFile(env);
  const url = (flags.url ?? env.PORCH_URL ?? file.url ?? DEFAULT_URL).replace(/\/+$/, "");
  let token = flags.token ?? env.PORCH_TOKEN ?? file.token;
  if (!token && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(url)) {
    const path = join(resolve(flags.dataDir ?? env.PORCH_DATA_DIR ?? ".porch"), ADMIN_TOKEN_FILE);
    if (existsSync(path)) token = readFileSync(path, "utf8").trim();
  }
  return { url, token, org: flags.org ?? env.PORCH_ORG ?? file.org ?? DEFAULT_ORG };
}
