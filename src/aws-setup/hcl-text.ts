/** Escapes for HCL quoted strings and heredocs: `${` and `%{` would start an interpolation or directive. */
export function hclString(value: string): string {
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\$\{/g, "$${")
    .replace(/%\{/g, "%%{");
  return `"${escaped}"`;
}

export function hclHeredocBody(text: string): string {
  return text.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

export function hclStringList(values: string[]): string {
  return `[${values.map(hclString).join(", ")}]`;
}

export function hclStringMap(map: Record<string, string>, indent: string): string {
  const entries = Object.entries(map);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${indent}  ${hclString(k)} = ${hclString(v)}`).join("\n")}\n${indent}}`;
}
