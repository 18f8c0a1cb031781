import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? "porch",
    level: opts.level ?? process.env.PORCH_LOG_LEVEL ?? "info",
    // Belt and braces: whatever slips into a log object under these keys is never written.
    redact: {
      paths: ["token", "*.token", "authorization", "*.authorization", "headers.authorization", "req.headers.authorization", "secret", "*.secret", "job_token", "*.job_token"],
      censor: "[redacted]",
    },
  });
}

export const silentLogger: Logger = pino({ level: "silent" });
