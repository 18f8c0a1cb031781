import type { Command } from "commander";
import type { ApiClient } from "./api-client.js";
import { readConfigArg } from "./config-file.js";
import { parseFormat, render } from "./output.js";

type Row = Record<string, unknown>;
type Opts = Record<string, string | undefined>;

interface Kind {
  /** Collection path for this kind. */
  path(c: ApiClient, o: Opts): string;
  columns: Array<[string, (r: Row) => unknown]>;
  createBody?(id: string | undefined, o: Opts): Row;
  needs?: Array<keyof Opts>;
  idOptional?: boolean;
  listQuery?(o: Opts): Record<string, string | undefined>;
}

const need = (o: Opts, key: string, flag: string): string => {
  const v = o[key];
  if (!v) throw new Error(`${flag} is required`);
  return v;
};

const KINDS: Record<string, Kind> = {
  org: {
    path: () => "/orgs",
    columns: [["ID", (r) => r.id], ["DISPLAY NAME", (r) => r.display_name], ["CREATED", (r) => r.created_at]],
    createBody: (id, o) => ({ id, display_name: o.displayName }),
  },
  "env-type": {
    path: (c) => c.orgPath("/env-types"),
    columns: [["ID", (r) => r.id], ["DISPLAY NAME", (r) => r.display_name], ["DESCRIPTION", (r) => r.description]],
    createBody: (id, o) => ({ id, display_name: o.displayName, description: o.description }),
  },
  project: {
    path: (c) => c.orgPath("/projects"),
    columns: [["ID", (r) => r.id], ["DISPLAY NAME", (r) => r.display_name], ["CREATED", (r) => r.created_at]],
    createBody: (id, o) => ({ id, display_name: o.displayName }),
  },
  env: {
    path: (c, o) => c.orgPath(`/projects/${encodeURIComponent(need(o, "project", "--project"))}/envs`),
    columns: [["ID", (r) => r.id], ["ENV TYPE", (r) => r.env_type_id], ["RUNNER", (r) => r.runner_id], ["DISPLAY NAME", (r) => r.display_name]],
    createBody: (id, o) => ({ id, env_type_id: o.envType, display_name: o.displayName }),
  },
  runner: {
    path: (c) => c.orgPath("/runners"),
    columns: [
      ["ID", (r) => r.id],
      ["TYPE", (r) => (r.runner_configuration as Row | undefined)?.type],
      ["STATE STORAGE", (r) => (r.state_storage_configuration as Row | undefined)?.type],
      ["DESCRIPTION", (r) => r.description],
    ],
    createBody: (id, o) => ({ id, description: o.description }),
    listQuery: (o) => ({ byRunnerType: o.runnerType }),
  },
  "runner-rule": {
    path: (c) => c.orgPath("/runner-rules"),
    columns: [["ID", (r) => r.id], ["RUNNER", (r) => r.runner_id], ["PROJECT", (r) => r.project_id ?? "*"], ["ENV TYPE", (r) => r.env_type_id ?? "*"]],
    createBody: (_id, o) => ({ runner_id: o.runner, project_id: o.project, env_type_id: o.envType }),
    idOptional: true,
    listQuery: (o) => ({ byProjectId: o.project, byEnvTypeId: o.envType, byRunnerId: o.runner }),
  },
  deployment: {
    path: (c) => c.orgPath("/deployments"),
    columns: [
      ["ID", (r) => r.id],
      ["PROJECT", (r) => r.project_id],
      ["ENV", (r) => r.env_id],
      ["MODE", (r) => r.mode],
      ["STATUS", (r) => r.status],
      ["RUNNER", (r) => r.runner_id],
      ["CREATED", (r) => r.created_at],
    ],
    listQuery: (o) => ({ project_id: o.project, env_id: o.env, status: o.status }),
  },
  token: {
    path: () => "/tokens",
    columns: [["ID", (r) => r.id], ["NAME", (r) => r.name], ["ORG", (r) => r.org_id ?? "(admin)"], ["TOKEN", (r) => r.token]],
    createBody: (id, o) => ({ name: id ?? o.name, org_id: o.tokenOrg }),
    idOptional: true,
  },
};

function kindOf(name: string): { key: string; kind: Kind } {
  const key = name.endsWith("s") && !KINDS[name] ? name.slice(0, -1) : name;
  const kind = KINDS[key];
  if (!kind) throw new Error(`unknown resource '${name}'; one of: ${Object.keys(KINDS).join(", ")}`);
  return { key, kind };
}

function clean(body: Row): Row {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

function qs(query: Record<string, string | undefined>): string {
  const p = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function registerResourceCommands(program: Command, client: () => ApiClient, print: (s: string) => void): void {
  const common = (cmd: Command) =>
    cmd
      .option("--project <id>", "project (envs, runner rules, deployments)")
      .option("--env-type <id>", "environment type (envs, runner rules)")
      .option("--runner <id>", "runner (runner rules)")
      .option("--display-name <name>")
      .option("--description <text>")
      .option("-o, --output <format>", "json | yaml | table");

  common(program.command("create <kind> [id]").description("create an org, env-type, project, env, runner, runner-rule or token"))
    .option("--config <file>", "@file.yaml or JSON/YAML text: fields of the resource (runner: runner_configuration + state_storage_configuration)")
    .option("--name <name>", "token name")
    .option("--token-org <org>", "scope a new token to this org")
    .action(async (kindName: string, id: string | undefined, o: Opts) => {
      const { key, kind } = kindOf(kindName);
      if (!kind.createBody) throw new Error(`${key} cannot be created with 'porch create'${key === "deployment" ? "; use 'porch deploy'" : ""}`);
      if (!id && !kind.idOptional) throw new Error(`usage: porch create ${key} <id>`);
      const body = clean({ ...(o.config ? readConfigArg(o.config) : {}), ...clean(kind.createBody(id, o)) });
      const created = await client().request<Row>("POST", kind.path(client(), o), body);
      print(render(created, parseFormat(o.output), kind.columns));
    });

  common(program.command("get <kind> [id]").description("list resources, or show one"))
    .option("--env <id>", "deployments: filter by environment")
    .option("--status <status>", "deployments: filter by status")
    .option("--runner-type <type>", "runners: filter by type")
    .option("--per-page <n>")
    .option("--all", "follow next_page_token to the end")
    .action(async (kindName: string, id: string | undefined, o: Opts & { all?: boolean }) => {
      const { kind } = kindOf(kindName);
      const c = client();
      const base = kind.path(c, o);
      const format = parseFormat(o.output);
      if (id) {
        const one = await c.request<Row>("GET", `${base}/${encodeURIComponent(id)}`);
        print(render(one, format === "table" ? "yaml" : format));
        return;
      }
      const items: Row[] = [];
      let token: string | undefined;
      do {
        const page = await c.request<{ items: Row[]; next_page_token: string | null }>(
          "GET",
          `${base}${qs({ ...kind.listQuery?.(o), per_page: o.perPage, page_token: token })}`,
        );
        items.push(...page.items);
        token = page.next_page_token ?? undefined;
      } while (token && o.all);
      print(render(format === "table" ? items : { items }, format, kind.columns));
    });

  common(program.command("update <kind> <id>").description("change a resource (PATCH)"))
    .option("--config <file>", "@file.yaml or JSON/YAML text with the fields to change")
    .action(async (kindName: string, id: string, o: Opts) => {
      const { kind } = kindOf(kindName);
      const body = clean({ ...(o.config ? readConfigArg(o.config) : {}), display_name: o.displayName, description: o.description });
      const updated = await client().request<Row>("PATCH", `${kind.path(client(), o)}/${encodeURIComponent(id)}`, body);
      print(render(updated, parseFormat(o.output, "yaml")));
    });

  common(program.command("delete <kind> <id>").description("delete a resource")).action(async (kindName: string, id: string, o: Opts) => {
    const { key, kind } = kindOf(kindName);
    await client().request("DELETE", `${kind.path(client(), o)}/${encodeURIComponent(id)}`);
    print(`deleted ${key} ${id}`);
  });
}
