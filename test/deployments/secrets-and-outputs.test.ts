import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPorchHarness, type PorchHarness } from "../helpers/porch-harness.js";

const SECRET = "s3cr3t-Pa55word-\"quoted\"";
let h: PorchHarness;
beforeAll(async () => {
  // The runner masks the values of the variables PORCH_SECRET_ENV_NAMES lists (ECS job.secrets).
  h = await startPorchHarness({ extraJobEnv: { PORCH_SECRET_ENV_NAMES: "TF_VAR_password", TF_VAR_password: SECRET } });
  await h.setup({ envs: ["dev", "qa"] });
});
afterAll(() => h.close());

describe("secrets and sensitive outputs", () => {
  it("never stores a secret environment value in logs or results", async () => {
    const d = await h.deploy("dev", "secret-echo");
    const done = await h.waitFor(d.id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.outputs.leaked.value).toBe("the password is ***");
    const raw = await h.server.db.query("SELECT row_to_json(d)::text AS j FROM deployments d WHERE id = $1", [d.id]);
    const logs = await h.server.db.query<{ line: string }>("SELECT line FROM deployment_logs WHERE deployment_id = $1", [d.id]);
    const everything = `${(raw.rows[0] as { j: string }).j}\n${logs.rows.map((l) => l.line).join("\n")}`;
    expect(everything).not.toContain("s3cr3t-Pa55word");
    expect(logs.rows.some((l) => l.line.includes("***"))).toBe(true);
  });

  it("marks sensitive outputs and hides their values unless asked for", async () => {
    const d = await h.deploy("qa", "sensitive");
    const done = await h.waitFor(d.id);
    expect(done.status).toBe("succeeded");
    expect(done.outputs.api_key.sensitive).toBe(true);
    expect(done.outputs.api_key).not.toHaveProperty("value");
    expect(done.outputs.public.value).toBe("visible");
    const revealed = await h.api("GET", `/orgs/acme/deployments/${d.id}?include_sensitive=true`);
    expect(revealed.body.outputs.api_key.value).toBe("key-1234567890");
    const text = (await h.logs(d.id)).map((l) => l.text).join("\n");
    expect(text).not.toContain("key-1234567890");
  });
});
