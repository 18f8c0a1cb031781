export { runIac } from "./execute.js";
export { resolveIacBinary, type ResolveIacBinaryOptions } from "./binary-resolver.js";
export { PINNED_OPENTOFU_VERSION } from "./opentofu-version.js";
export { DEFAULT_OPENTOFU_DOWNLOAD_URL } from "./opentofu-download.js";
export type { IacLog, IacLogStream, IacMode, IacRunOptions, IacRunResult, StateKey } from "./types.js";
