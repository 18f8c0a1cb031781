// Diagnostics in the shape of OpenTofu's machine-readable UI (`diagnostic` messages). The parsed HCL carries no
// source positions, so a diagnostic's range is found by locating the offending text in the file.

export class DiagnosticError extends Error {
  /** @param {...object} diagnostics */
  constructor(...diagnostics) {
    super(diagnostics.map((d) => d.summary).join("; "));
    this.diagnostics = diagnostics;
  }
}

export function isDiagnosticError(err) {
  return err instanceof DiagnosticError;
}

/**
 * A range pointing at the first occurrence of one of `needles` in `file` (tried in order), or undefined.
 * @param {{ name: string, text: string } | undefined} file
 * @param {string[]} needles
 */
export function locate(file, needles) {
  if (!file) return undefined;
  for (const needle of needles) {
    if (!needle) continue;
    const byte = file.text.indexOf(needle);
    if (byte === -1) continue;
    return rangeAt(file, byte, byte + needle.length);
  }
  return undefined;
}

export function rangeAt(file, startByte, endByte) {
  const start = position(file.text, startByte);
  const end = position(file.text, endByte);
  const lineStart = file.text.lastIndexOf("\n", startByte - 1) + 1;
  const lineEndAt = file.text.indexOf("\n", startByte);
  const code = file.text.slice(lineStart, lineEndAt === -1 ? undefined : lineEndAt);
  return {
    range: { filename: file.name, start, end },
    snippet: {
      context: null,
      code,
      start_line: start.line,
      highlight_start_offset: startByte - lineStart,
      highlight_end_offset: Math.min(endByte, lineEndAt === -1 ? endByte : lineEndAt) - lineStart,
      values: [],
    },
  };
}

function position(text, byte) {
  const before = text.slice(0, byte);
  const line = before.split("\n").length;
  const column = byte - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column, byte };
}

/** An error diagnostic, located at the first of `needles` found in `file` when given. */
export function errorAt(summary, detail, file, needles = []) {
  return { severity: "error", summary, detail, ...(locate(file, needles) ?? {}) };
}

export function warningAt(summary, detail, file, needles = []) {
  return { severity: "warning", summary, detail, ...(locate(file, needles) ?? {}) };
}
