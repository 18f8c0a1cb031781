import type { ChangeCounts, Diagnostic } from "../jobs/protocol.js";
import { formatDiagnostic, toDiagnostic, type UiDiagnostic } from "./diagnostics.js";
import type { IacLog, IacLogStream } from "./types.js";

interface UiMessage {
  type: string;
  "@message"?: unknown;
  diagnostic?: UiDiagnostic;
  outputs?: Record<string, { sensitive?: boolean; value?: unknown; action?: string }>;
  changes?: { add?: number; change?: number; remove?: number; operation?: string };
}

/**
 * Turns OpenTofu's output, line by line as it arrives, into readable log lines, and keeps what the result
 * needs: diagnostics and the applied change summary. Lines of the machine-readable UI (`-json`) are rendered
 * from their `@message` (unknown types included); other lines pass through. Sensitive output values are
 * never logged, though OpenTofu includes them in `outputs` messages.
 */
export class UiStream {
  readonly diagnostics: Diagnostic[] = [];
  /** From the `change_summary` of an apply or destroy. */
  applied: ChangeCounts | null = null;

  constructor(private readonly log: IacLog) {}

  handleLine(line: string, stream: IacLogStream): void {
    const message = parseUiMessage(line);
    if (!message) {
      this.log(line, stream);
      return;
    }
    for (const text of this.render(message)) this.log(text, stream);
  }

  private render(message: UiMessage): string[] {
    const text = typeof message["@message"] === "string" ? message["@message"] : "";
    switch (message.type) {
      case "diagnostic":
        if (!message.diagnostic) return [text];
        this.diagnostics.push(toDiagnostic(message.diagnostic));
        return formatDiagnostic(message.diagnostic);
      case "outputs":
        return renderOutputs(text, message.outputs ?? {});
      case "change_summary":
        if (message.changes && (message.changes.operation === "apply" || message.changes.operation === "destroy")) {
          this.applied = {
            add: message.changes.add ?? 0,
            change: message.changes.change ?? 0,
            destroy: message.changes.remove ?? 0,
          };
        }
        return [text];
      default:
        return text ? [text] : [];
    }
  }
}

function renderOutputs(header: string, outputs: NonNullable<UiMessage["outputs"]>): string[] {
  const lines = [header || `Outputs: ${Object.keys(outputs).length}`];
  for (const [name, o] of Object.entries(outputs)) {
    if (o.sensitive) lines.push(`  ${name} = (sensitive value)`);
    else if ("value" in o) lines.push(`  ${name} = ${JSON.stringify(o.value)}`);
    else lines.push(`  ${name}: ${o.action ?? "(known after apply)"}`);
  }
  return lines;
}

function parseUiMessage(line: string): UiMessage | null {
  if (!line.startsWith("{")) return null;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed && typeof parsed === "object" && typeof (parsed as { type?: unknown }).type === "string") {
      return parsed as UiMessage;
    }
  } catch {
    // not a UI message: shown as it is
  }
  return null;
}
