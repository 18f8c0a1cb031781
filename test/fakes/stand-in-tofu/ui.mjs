// Output of the stand-in: OpenTofu's machine-readable UI (one JSON object per line on stdout, `-json`) or a
// plain human-readable rendering (diagnostics on stderr), as the real CLI does.

export const UI_VERSION = "1.2";

const ACTION_WORDS = {
  create: { start: "Creating...", done: "Creation complete", errored: "Creation errored", progress: "Still creating..." },
  update: { start: "Modifying...", done: "Modifications complete", errored: "Modifications errored", progress: "Still modifying..." },
  delete: { start: "Destroying...", done: "Destruction complete", errored: "Destruction errored", progress: "Still destroying..." },
};

export class Ui {
  /** @param {{ json: boolean, version: string }} opts */
  constructor({ json, version }) {
    this.json = json;
    this.tofuVersion = version;
  }

  emit(type, level, message, fields = {}) {
    if (this.json) {
      const line = { "@level": level, "@message": message, "@module": "tofu.ui", "@timestamp": new Date().toISOString(), ...fields, type };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    } else {
      process.stdout.write(`${message}\n`);
    }
  }

  version() {
    if (!this.json) return;
    this.emit("version", "info", `OpenTofu ${this.tofuVersion}`, { tofu: this.tofuVersion, ui: UI_VERSION });
  }

  log(message) {
    this.emit("log", "info", message);
  }

  diagnostic(diag) {
    const prefix = diag.severity === "error" ? "Error" : "Warning";
    if (this.json) {
      this.emit("diagnostic", diag.severity === "error" ? "error" : "warn", `${prefix}: ${diag.summary}`, { diagnostic: diag });
      return;
    }
    const lines = ["", `${prefix}: ${diag.summary}`, ""];
    if (diag.range) lines.push(`  on ${diag.range.filename} line ${diag.range.start.line}:`);
    if (diag.snippet?.code !== undefined) lines.push(`  ${diag.range.start.line}: ${diag.snippet.code}`, "");
    if (diag.detail) lines.push(...diag.detail.split("\n"));
    const boxed = lines.map((l, i) => (i === 0 ? "╷" : `│ ${l}`)).concat("╵");
    process.stderr.write(`${boxed.join("\n")}\n`);
  }

  plannedChange(resource, action) {
    const verb = { create: "create", update: "update", replace: "replace", delete: "delete" }[action];
    this.emit("planned_change", "info", `${resource.addr}: Plan to ${verb}`, { change: { resource: hookResource(resource), action } });
  }

  changeSummary(operation, counts) {
    const { add, change, remove } = counts;
    let message;
    if (operation === "plan") message = `Plan: ${add} to add, ${change} to change, ${remove} to destroy.`;
    else if (operation === "destroy") message = `Destroy complete! Resources: ${remove} destroyed.`;
    else message = `Apply complete! Resources: ${add} added, ${change} changed, ${remove} destroyed.`;
    this.emit("change_summary", "info", message, { changes: { add, change, import: 0, remove, operation } });
  }

  applyStart(resource, action, id) {
    const idPart = id ? ` [id=${id}]` : "";
    this.emit("apply_start", "info", `${resource.addr}: ${ACTION_WORDS[action].start}${idPart}`, {
      hook: { resource: hookResource(resource), action, ...(id ? { id_key: "id", id_value: id } : {}) },
    });
  }

  applyProgress(resource, action, elapsedSeconds) {
    this.emit("apply_progress", "info", `${resource.addr}: ${ACTION_WORDS[action].progress} [${elapsedSeconds}s elapsed]`, {
      hook: { resource: hookResource(resource), action, elapsed_seconds: elapsedSeconds },
    });
  }

  applyComplete(resource, action, id, elapsedSeconds) {
    const idPart = id ? ` [id=${id}]` : "";
    this.emit("apply_complete", "info", `${resource.addr}: ${ACTION_WORDS[action].done} after ${elapsedSeconds}s${idPart}`, {
      hook: { resource: hookResource(resource), action, ...(id ? { id_key: "id", id_value: id } : {}), elapsed_seconds: elapsedSeconds },
    });
  }

  applyErrored(resource, action, elapsedSeconds) {
    this.emit("apply_errored", "info", `${resource.addr}: ${ACTION_WORDS[action].errored} after ${elapsedSeconds}s`, {
      hook: { resource: hookResource(resource), action, elapsed_seconds: elapsedSeconds },
    });
  }

  /** Like OpenTofu, the values of sensitive outputs are included in the JSON stream (flagged `sensitive`). */
  outputs(outputs) {
    const names = Object.keys(outputs);
    if (this.json) {
      this.emit("outputs", "info", `Outputs: ${names.length}`, { outputs });
      return;
    }
    if (names.length === 0) return;
    process.stdout.write("\nOutputs:\n\n");
    for (const name of names) {
      const o = outputs[name];
      const shown = o.sensitive ? "<sensitive>" : "value" in o ? JSON.stringify(o.value) : "(known after apply)";
      process.stdout.write(`${name} = ${shown}\n`);
    }
  }
}

export function hookResource(resource) {
  return {
    addr: resource.addr,
    module: "",
    resource: resource.addr,
    implied_provider: resource.impliedProvider,
    resource_type: resource.type,
    resource_name: resource.name,
    resource_key: null,
  };
}
