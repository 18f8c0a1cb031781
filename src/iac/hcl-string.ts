/**
 * A quoted HCL string literal holding exactly `value`: quotes, backslashes and control characters are escaped,
 * and the template sequences `${` / `%{` are doubled so OpenTofu never interpolates them.
 */
export function hclString(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const next = value[i + 1];
    if ((ch === "$" || ch === "%") && next === "{") {
      out += `${ch}${ch}{`;
      i++;
    } else if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) {
      out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `"${out}"`;
}
