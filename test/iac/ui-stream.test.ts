import { describe, expect, it } from "vitest";
import type { IacLogStream } from "../../src/iac/index.js";
import { UiStream } from "../../src/iac/ui-stream.js";

function collect() {
  const lines: Array<{ text: string; stream: IacLogStream }> = [];
  const ui = new UiStream((text, stream) => lines.push({ text, stream }));
  const feed = (msg: object | string, stream: IacLogStream = "stdout") => ui.handleLine(typeof msg === "string" ? msg : JSON.stringify(msg), stream);
  return { ui, lines, feed, texts: () => lines.map((l) => l.text) };
}

const base = { "@level": "info", "@module": "tofu.ui", "@timestamp": "2025-01-01T00:00:00Z" };

describe("UiStream", () => {
  it("shows outputs with sensitive values replaced, though the message carries them", () => {
    const { feed, texts } = collect();

    feed({
      ...base,
      type: "outputs",
      "@message": "Outputs: 3",
      outputs: {
        url: { sensitive: false, type: "string", value: "https://x" },
        password: { sensitive: true, type: "string", value: "p@ssw0rd" },
        planned: { sensitive: false, action: "create" },
      },
    });

    expect(texts()).toEqual(["Outputs: 3", '  url = "https://x"', "  password = (sensitive value)", "  planned: create"]);
    expect(texts().join("\n")).not.toContain("p@ssw0rd");
  });

  it("formats diagnostics over several lines and keeps them, without the snippet's values", () => {
    const { ui, feed, texts } = collect();

    feed({
      ...base,
      "@level": "error",
      "@message": "Error: Invalid value",
      type: "diagnostic",
      diagnostic: {
        severity: "error",
        summary: "Invalid value",
        detail: "The value is wrong.\nPick another.",
        range: { filename: "main.tf", start: { line: 12, column: 3, byte: 100 }, end: { line: 12, column: 9, byte: 106 } },
        snippet: { context: 'resource "x" "y"', code: "  size = var.size", start_line: 12, values: [{ traversal: "var.size", statement: 'is "secret-ish"' }] },
      },
    });

    expect(texts()).toEqual([
      "Error: Invalid value",
      '  on main.tf line 12, in resource "x" "y":',
      "  12:   size = var.size",
      "  The value is wrong.",
      "  Pick another.",
    ]);
    expect(ui.diagnostics).toEqual([{ severity: "error", summary: "Invalid value", detail: "The value is wrong.\nPick another.", filename: "main.tf", line: 12 }]);
  });

  it("records the applied change summary but not the planned one", () => {
    const { ui, feed } = collect();

    feed({ ...base, type: "change_summary", "@message": "Plan: 2 to add, 0 to change, 0 to destroy.", changes: { add: 2, change: 0, remove: 0, operation: "plan" } });
    expect(ui.applied).toBeNull();

    feed({ ...base, type: "change_summary", "@message": "Apply complete!", changes: { add: 2, change: 1, remove: 3, operation: "apply" } });
    expect(ui.applied).toEqual({ add: 2, change: 1, destroy: 3 });
  });

  it("shows @message of message types it does not know, and passes other lines through on their stream", () => {
    const { feed, lines } = collect();

    feed({ ...base, type: "some_future_type", "@message": "Something new happened" });
    feed("Interrupt received.", "stderr");
    feed("{not json");

    expect(lines).toEqual([
      { text: "Something new happened", stream: "stdout" },
      { text: "Interrupt received.", stream: "stderr" },
      { text: "{not json", stream: "stdout" },
    ]);
  });
});
