import type { Diagnostic, Failure } from "../jobs/protocol.js";

/** A `diagnostic` object of OpenTofu's machine-readable UI (also the shape of `validate -json`). */
export interface UiDiagnostic {
  severity?: string;
  summary?: string;
  detail?: string;
  range?: { filename?: string; start?: { line?: number } };
  snippet?: { context?: string | null; code?: string; start_line?: number };
}

export function toDiagnostic(ui: UiDiagnostic): Diagnostic {
  const filename = ui.range?.filename;
  const line = ui.range?.start?.line;
  return {
    severity: ui.severity === "error" ? "error" : "warning",
    summary: ui.summary ?? "(no summary)",
    ...(ui.detail ? { detail: ui.detail } : {}),
    ...(filename ? { filename } : {}),
    ...(Number.isInteger(line) ? { line } : {}),
  };
}

/**
 * Log lines for a diagnostic, as OpenTofu prints it: "Error: summary", "  on main.tf line 12:", the source
 * line, then the detail. The snippet's `values` are left out: they may show variable values.
 */
export function formatDiagnostic(ui: UiDiagnostic): string[] {
  const d = toDiagnostic(ui);
  const lines = [`${d.severity === "error" ? "Error" : "Warning"}: ${d.summary}`];
  if (d.filename && d.line !== undefined) {
    const context = ui.snippet?.context ? `, in ${ui.snippet.context}` : "";
    lines.push(`  on ${d.filename} line ${d.line}${context}:`);
    if (ui.snippet?.code !== undefined) lines.push(`  ${ui.snippet.start_line ?? d.line}: ${ui.snippet.code}`);
  }
  if (d.detail) lines.push(...d.detail.split("\n").map((l) => (l ? `  ${l}` : "")));
  return lines;
}

/** "summary (main.tf line 12): detail" */
export function describeDiagnostic(d: Diagnostic): string {
  const where = d.filename ? ` (${d.filename}${d.line !== undefined ? ` line ${d.line}` : ""})` : "";
  return `${d.summary}${where}${d.detail ? `: ${d.detail}` : ""}`;
}

const LOCK_SUMMARY = /error acquiring the state lock/i;

/** The user-facing failure for a step that failed with these error diagnostics. */
export function failureFromDiagnostics(errors: Diagnostic[]): Failure {
  const [first, ...rest] = errors as [Diagnostic, ...Diagnostic[]];
  const more = rest.length > 0 ? ` (and ${rest.length} more error${rest.length > 1 ? "s" : ""}; see the log)` : "";
  if (LOCK_SUMMARY.test(first.summary)) {
    // Another run holds the environment's state; waiting and retrying can help, editing the module cannot.
    return { category: "transient", code: "state_locked", message: `${describeDiagnostic(first)}${more}` };
  }
  return { category: "user", code: "iac_error", message: `${describeDiagnostic(first)}${more}` };
}

/**
 * Diagnostics from OpenTofu's human-readable output (commands run without `-json`):
 *
 *   ╷
 *   │ Error: Summary
 *   │
 *   │   on main.tf line 3:
 *   │    3: code
 *   │
 *   │ Detail text
 *   ╵
 */
export function parseHumanDiagnostics(lines: string[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  let current: { d: Diagnostic; detail: string[] } | null = null;
  const finish = () => {
    if (!current) return;
    const detail = current.detail.join("\n").trim();
    found.push({ ...current.d, ...(detail ? { detail } : {}) });
    current = null;
  };
  for (const raw of lines) {
    if (/^\s*╵/.test(raw)) {
      finish();
      continue;
    }
    const line = raw.replace(/^\s*[│╷]\s?/, "");
    const head = /^(Error|Warning): (.*)$/.exec(line);
    if (head) {
      finish();
      current = { d: { severity: head[1] === "Error" ? "error" : "warning", summary: (head[2] as string).trim() }, detail: [] };
      continue;
    }
    if (!current) continue;
    const at = /^\s*on (\S+) line (\d+)/.exec(line);
    if (at && current.d.filename === undefined) {
      current.d.filename = at[1];
      current.d.line = Number(at[2]);
    } else if (!/^\s*\d+:/.test(line) || current.d.filename === undefined) {
      current.detail.push(line);
    }
  }
  finish();
  return found;
}
