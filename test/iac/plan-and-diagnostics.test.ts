import { describe, expect, it } from "vitest";
import { failureFromDiagnostics, parseHumanDiagnostics } from "../../src/iac/diagnostics.js";
import { parseVersionOutput } from "../../src/iac/binary-version.js";
import { parseOutputs } from "../../src/iac/outputs.js";
import { summarizePlan } from "../../src/iac/plan-summary.js";

const change = (address: string, actions: string[]) => ({ address, change: { actions } });

describe("summarizePlan", () => {
  it("lists changes without no-ops and counts a replace as one add and one destroy", () => {
    const summary = summarizePlan(
      JSON.stringify({
        resource_changes: [
          change("a.one", ["no-op"]),
          change("a.two", ["create"]),
          change("a.three", ["delete", "create"]),
          change("a.four", ["update"]),
          change("a.five", ["delete"]),
          change("data.x.y", ["read"]),
        ],
        output_changes: { o: { actions: ["no-op"] } },
      }),
    );

    expect(summary.planned_changes).toEqual([
      { address: "a.two", action: "create" },
      { address: "a.three", action: "replace" },
      { address: "a.four", action: "update" },
      { address: "a.five", action: "delete" },
      { address: "data.x.y", action: "read" },
    ]);
    expect(summary.counts).toEqual({ add: 2, change: 1, destroy: 2 });
    expect(summary.no_changes).toBe(false);
  });

  it("treats a plan that only changes outputs as something to apply", () => {
    const onlyOutputs = summarizePlan(JSON.stringify({ resource_changes: [change("a.b", ["no-op"])], output_changes: { o: { actions: ["update"] } } }));
    const nothing = summarizePlan(JSON.stringify({ resource_changes: [change("a.b", ["no-op"])], output_changes: { o: { actions: ["no-op"] } } }));

    expect(onlyOutputs.no_changes).toBe(false);
    expect(nothing.no_changes).toBe(true);
  });

  it("rejects output that is not a plan", () => {
    expect(() => summarizePlan("Usage: tofu show")).toThrow(/did not return JSON/);
  });
});

describe("parseOutputs", () => {
  it("keeps values and types, flagging sensitive ones", () => {
    expect(parseOutputs('{"a":{"sensitive":true,"type":"string","value":"s"},"b":{"sensitive":false,"type":["tuple",["number"]],"value":[1]}}')).toEqual({
      a: { value: "s", sensitive: true, type: "string" },
      b: { value: [1], sensitive: false, type: ["tuple", ["number"]] },
    });
    expect(parseOutputs("{}\n")).toEqual({});
  });
});

describe("parseHumanDiagnostics", () => {
  it("reads OpenTofu's boxed human-readable errors", () => {
    const lines = [
      "Initializing the backend...",
      "╷",
      "│ Error: Unsupported argument",
      "│ ",
      '│   on main.tf line 4, in resource "terraform_data" "a":',
      "│    4:   foo = 1",
      "│ ",
      '│ An argument named "foo" is not expected here.',
      "╵",
      "╷",
      "│ Warning: Deprecated",
      "│ ",
      "│ Old thing.",
      "╵",
    ];

    expect(parseHumanDiagnostics(lines)).toEqual([
      { severity: "error", summary: "Unsupported argument", filename: "main.tf", line: 4, detail: 'An argument named "foo" is not expected here.' },
      { severity: "warning", summary: "Deprecated", detail: "Old thing." },
    ]);
  });
});

describe("failureFromDiagnostics", () => {
  it("makes a held state lock a transient failure and other errors user failures with location", () => {
    expect(failureFromDiagnostics([{ severity: "error", summary: "Error acquiring the state lock", detail: "held" }])).toEqual({
      category: "transient",
      code: "state_locked",
      message: "Error acquiring the state lock: held",
    });
    expect(
      failureFromDiagnostics([
        { severity: "error", summary: "Bad", detail: "Fix it.", filename: "main.tf", line: 3 },
        { severity: "error", summary: "Also bad" },
      ]),
    ).toEqual({ category: "user", code: "iac_error", message: "Bad (main.tf line 3): Fix it. (and 1 more error; see the log)" });
  });
});

describe("parseVersionOutput", () => {
  it("enables init -json from OpenTofu 1.7 and Terraform 1.9", () => {
    expect(parseVersionOutput("OpenTofu v1.10.7\non linux_amd64\n")).toEqual({ product: "OpenTofu", version: "1.10.7", supportsInitJson: true });
    expect(parseVersionOutput("OpenTofu v1.6.2\n").supportsInitJson).toBe(false);
    expect(parseVersionOutput("Terraform v1.9.0\n").supportsInitJson).toBe(true);
    expect(parseVersionOutput("Terraform v1.8.5\n").supportsInitJson).toBe(false);
    expect(parseVersionOutput("something else").product).toBeNull();
  });
});
