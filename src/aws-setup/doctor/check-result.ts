import { CREDENTIALS_HINT, awsErrorInfo, isAccessDenied, isMissingCredentials } from "../aws-errors.js";

export type CheckStatus = "pass" | "fail" | "skipped";

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found (pass/fail) or why nothing could be checked (skipped). */
  detail: string;
  /** For a failure: what to change. */
  fix?: string;
}

export const pass = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: "pass", detail });
export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: "fail", detail, fix });
export const skipped = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: "skipped", detail });

/**
 * Runs a check that calls AWS with the user's own credentials. When those credentials are missing or
 * may not make the call, the check is skipped and says so: the doctor reports on the runner's set-up,
 * not on the user's permissions.
 */
export async function withUserCredentials(id: string, title: string, call: string, run: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  try {
    const result = await run();
    return Array.isArray(result) ? result : [result];
  } catch (err) {
    const { name, message } = awsErrorInfo(err);
    if (isMissingCredentials(err)) return [skipped(id, title, `needs your AWS credentials to call ${call}, and none were found (${message}). ${CREDENTIALS_HINT}.`)];
    if (isAccessDenied(err)) return [skipped(id, title, `needs your AWS credentials to call ${call}, which they may not (${name}: ${message}).`)];
    return [skipped(id, title, `could not check: ${call} failed with ${name}: ${message}`)];
  }
}

export function formatCheckResults(results: CheckResult[]): string {
  const label: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", skipped: "SKIP" };
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${label[r.status]}  ${r.title}: ${r.detail}`);
    if (r.fix) lines.push(`      fix: ${r.fix}`);
  }
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push(`Summary: ${count("pass")} pass, ${count("fail")} fail, ${count("skipped")} skipped`);
  return `${lines.join("\n")}\n`;
}
