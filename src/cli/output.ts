import { stringify as toYaml } from "yaml";

export type OutputFormat = "json" | "yaml" | "table";

export function parseFormat(value: string | undefined, fallback: OutputFormat = "table"): OutputFormat {
  if (value === undefined) return fallback;
  if (value === "json" || value === "yaml" || value === "table") return value;
  throw new Error(`unknown output format '${value}'; use json, yaml or table`);
}

export function render(value: unknown, format: OutputFormat, columns?: Array<[header: string, pick: (row: Record<string, unknown>) => unknown]>): string {
  if (format === "json") return JSON.stringify(value, null, 2);
  if (format === "yaml") return toYaml(value).trimEnd();
  const rows = (Array.isArray(value) ? value : [value]) as Array<Record<string, unknown>>;
  const cols = columns ?? Object.keys(rows[0] ?? {}).filter((k) => typeof rows[0]?.[k] !== "object").map((k) => [k.toUpperCase(), (r: Record<string, unknown>) => r[k]] as [string, (r: Record<string, unknown>) => unknown]);
  const cells = rows.map((r) => cols.map(([, pick]) => cell(pick(r))));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (parts: string[]) => parts.map((p, i) => p.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(cols.map(([h]) => h)), ...cells.map(line)].join("\n");
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return "-";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
