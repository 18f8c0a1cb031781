/**
 * Replaces secret values in everything the runner sends. Also catches the JSON-escaped form, since
 * OpenTofu's -json output escapes quotes and backslashes inside values.
 */
export class SecretMasker {
  private readonly needles: string[];

  constructor(values: string[], private readonly replacement = "***") {
    const all = new Set<string>();
    for (const v of values) {
      // Very short values would mask ordinary text everywhere and protect nothing.
      if (v.length < 3) continue;
      all.add(v);
      all.add(JSON.stringify(v).slice(1, -1));
      for (const line of v.split(/\r?\n/)) if (line.length >= 3) all.add(line);
    }
    this.needles = [...all].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const n of this.needles) if (out.includes(n)) out = out.split(n).join(this.replacement);
    return out;
  }

  /** Masks every string inside a JSON-like value. */
  maskDeep<T>(value: T): T {
    if (this.needles.length === 0) return value;
    if (typeof value === "string") return this.mask(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.maskDeep(v)])) as T;
    }
    return value;
  }
}
