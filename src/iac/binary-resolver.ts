import path from "node:path";
import { ConfigError } from "../errors/porch-error.js";
import { RUNNER_ENV } from "../jobs/protocol.js";
import { DEFAULT_OPENTOFU_DOWNLOAD_URL, downloadOpenTofu, isExecutable } from "./opentofu-download.js";
import { PINNED_OPENTOFU_VERSION } from "./opentofu-version.js";

export interface ResolveIacBinaryOptions {
  env: NodeJS.ProcessEnv;
  /** Where a downloaded OpenTofu is kept and reused. */
  cacheDir: string;
  /** @default PINNED_OPENTOFU_VERSION */
  version?: string;
  /** @default env PORCH_TOFU_DOWNLOAD_URL, else OpenTofu's GitHub releases */
  downloadBaseUrl?: string;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  /** @default process.arch */
  arch?: string;
  log?: (text: string) => void;
}

/**
 * The OpenTofu binary to run: PORCH_IAC_BINARY when set (a path, or a command name looked up on PATH), else
 * `tofu` on PATH, else the pinned OpenTofu release downloaded (checksum-verified) into `cacheDir`.
 */
export async function resolveIacBinary(opts: ResolveIacBinaryOptions): Promise<string> {
  const platform = opts.platform ?? process.platform;
  const configured = opts.env[RUNNER_ENV.iacBinary];
  if (configured) return configuredBinary(configured, opts.env, platform);

  const onPath = await findOnPath("tofu", opts.env, platform);
  if (onPath) return onPath;

  return downloadOpenTofu({
    version: opts.version ?? PINNED_OPENTOFU_VERSION,
    baseUrl: opts.downloadBaseUrl ?? opts.env[RUNNER_ENV.tofuDownloadUrl] ?? DEFAULT_OPENTOFU_DOWNLOAD_URL,
    cacheDir: opts.cacheDir,
    platform,
    arch: opts.arch ?? process.arch,
    log: opts.log ?? (() => undefined),
  });
}

async function configuredBinary(value: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string> {
  const isPath = value.includes("/") || value.includes("\\");
  const found = isPath ? ((await isExecutable(value)) ? path.resolve(value) : null) : await findOnPath(value, env, platform);
  if (found) return found;
  throw new ConfigError(
    isPath
      ? `${RUNNER_ENV.iacBinary}='${value}' is not an executable file; point it at an installed tofu (or terraform) binary`
      : `${RUNNER_ENV.iacBinary}='${value}' was not found on PATH; set it to the full path of an installed tofu (or terraform) binary`,
    "iac_binary_invalid",
  );
}

async function findOnPath(command: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string | null> {
  const delimiter = platform === "win32" ? ";" : ":";
  const names = platform === "win32" ? [`${command}.exe`, command] : [command];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return null;
}
