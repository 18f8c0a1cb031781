import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

const NATIVE_FILE = /\.(tf|tofu)$/;
const JSON_FILE = /\.(tf|tofu)\.json$/;

/**
 * The first configuration file in `moduleDir` whose `terraform` block declares a `backend` or `cloud` block,
 * or null. `ignore` names files to skip (porch's own generated files from an earlier run).
 */
export async function findDeclaredBackend(moduleDir: string, ignore: readonly string[]): Promise<string | null> {
  const entries = await readdir(moduleDir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && (NATIVE_FILE.test(e.name) || JSON_FILE.test(e.name)) && !ignore.includes(e.name))
    .map((e) => e.name)
    .sort();
  for (const name of files) {
    const text = await readFile(path.join(moduleDir, name), "utf8");
    const declares = JSON_FILE.test(name) ? jsonDeclaresBackend(text) : nativeDeclaresBackend(text);
    if (declares) return name;
  }
  return null;
}

function jsonDeclaresBackend(text: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return false;
  }
  const terraform = (doc as { terraform?: unknown } | null)?.terraform;
  const blocks = Array.isArray(terraform) ? terraform : [terraform];
  return blocks.some((b) => b !== null && typeof b === "object" && ("backend" in b || "cloud" in b));
}

type Token = { kind: "ident" | "string" | "open" | "close" | "other"; text: string };

/** Looks for `terraform { backend "<type>" {` or `terraform { cloud {` at the top level of HCL native syntax. */
export function nativeDeclaresBackend(text: string): boolean {
  const tokens = tokenize(text);
  let depth = 0;
  let terraformDepth = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === "open") {
      depth++;
      continue;
    }
    if (t.kind === "close") {
      depth--;
      if (depth < terraformDepth) terraformDepth = -1;
      continue;
    }
    if (t.kind !== "ident") continue;
    if (depth === 0 && t.text === "terraform" && tokens[i + 1]?.kind === "open") {
      terraformDepth = 1;
    } else if (terraformDepth === 1 && depth === 1) {
      if (t.text === "backend" && tokens[i + 1]?.kind === "string" && tokens[i + 2]?.kind === "open") return true;
      if (t.text === "cloud" && tokens[i + 1]?.kind === "open") return true;
    }
  }
  return false;
}

// Just enough of HCL's lexical grammar to keep braces inside strings, templates, heredocs and comments out of
// the block structure.
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "#" || text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end + 1;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (ch === '"') {
      i = skipQuoted(text, i + 1);
      tokens.push({ kind: "string", text: "" });
    } else if (text.startsWith("<<", i) && /^<<-?[A-Za-z_][\w-]*\r?\n/.test(text.slice(i, i + 200))) {
      i = skipHeredoc(text, i);
      tokens.push({ kind: "other", text: "heredoc" });
    } else if (ch === "{") {
      tokens.push({ kind: "open", text: ch });
      i++;
    } else if (ch === "}") {
      tokens.push({ kind: "close", text: ch });
      i++;
    } else {
      const ident = /^[A-Za-z_][\w-]*/.exec(text.slice(i, i + 256));
      if (ident) {
        tokens.push({ kind: "ident", text: ident[0] });
        i += ident[0].length;
      } else {
        tokens.push({ kind: "other", text: ch });
        i++;
      }
    }
  }
  return tokens;
}

/** Index just past the closing quote of a string starting at `from` (after the opening quote). */
function skipQuoted(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i + 1;
    else if ((text.startsWith("$${", i) || text.startsWith("%%{", i))) i += 3;
    else if (text.startsWith("${", i) || text.startsWith("%{", i)) i = skipTemplate(text, i + 2);
    else if (ch === "\n") return i;
    else i++;
  }
  return i;
}

function skipTemplate(text: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < text.length && depth > 0) {
    const ch = text[i];
    if (ch === '"') i = skipQuoted(text, i + 1);
    else {
      if (ch === "{") depth++;
      else if (ch === "}") depth--;
      i++;
    }
  }
  return i;
}

function skipHeredoc(text: string, from: number): number {
  const header = /^<<-?([A-Za-z_][\w-]*)\r?\n/.exec(text.slice(from, from + 200)) as RegExpExecArray;
  const marker = header[1];
  let i = from + header[0].length;
  while (i < text.length) {
    const end = text.indexOf("\n", i);
    const line = text.slice(i, end === -1 ? text.length : end);
    if (line.trim() === marker) return end === -1 ? text.length : end + 1;
    if (end === -1) return text.length;
    i = end + 1;
  }
  return i;
}
