import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiHarness, type ApiHarness } from "../helpers/api-harness.js";
import { hashToken } from "../../src/util/tokens.js";

let h: ApiHarness;
const LOCAL = { runner_configuration: { type: "local" }, state_storage_configuration: { type: "local" } };

beforeAll(async () => {
  h = await startApiHarness();
  await h.call("POST", "/orgs", { id: "acme" });
  await h.call("POST", "/orgs", { id: "globex" });
  for (const id of ["catch-all", "for-prod", "for-shop", "for-shop-prod"]) {
    expect((await h.call("POST", "/orgs/acme/runners", { id, ...LOCAL })).status).toBe(201);
  }
  await h.call("POST", "/orgs/acme/env-types", { id: "development" });
  await h.call("POST", "/orgs/acme/env-types", { id: "production" });
  await h.call("POST", "/orgs/acme/projects", { id: "shop" });
  await h.call("POST", "/orgs/acme/projects", { id: "blog" });
});
afterAll(() => h.close());

describe("environments and runner rules", () => {
  it("an environment without matching rules resolves to no runner", async () => {
    const env = await h.call("POST", "/orgs/acme/projects/blog/envs", { id: "dev", env_type_id: "development" });
    expect(env.status).toBe(201);
    expect(env.body.runner_id).toBeNull();
    expect(env.body.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the most specific rule wins: project+env type, project, env type, catch-all", async () => {
    await h.call("POST", "/orgs/acme/runner-rules", { runner_id: "catch-all" });
    await h.call("POST", "/orgs/acme/runner-rules", { runner_id: "for-prod", env_type_id: "production" });
    await h.call("POST", "/orgs/acme/runner-rules", { runner_id: "for-shop", project_id: "shop" });
    await h.call("POST", "/orgs/acme/runner-rules", { runner_id: "for-shop-prod", project_id: "shop", env_type_id: "production" });
    await h.call("POST", "/orgs/acme/projects/shop/envs", { id: "prod", env_type_id: "production" });
    await h.call("POST", "/orgs/acme/projects/shop/envs", { id: "dev", env_type_id: "development" });
    await h.call("POST", "/orgs/acme/projects/blog/envs", { id: "prod", env_type_id: "production" });
    const runnerOf = async (p: string, e: string) => (await h.call("GET", `/orgs/acme/projects/${p}/envs/${e}`)).body.runner_id;
    expect(await runnerOf("shop", "prod")).toBe("for-shop-prod");
    expect(await runnerOf("shop", "dev")).toBe("for-shop");
    expect(await runnerOf("blog", "prod")).toBe("for-prod");
    expect(await runnerOf("blog", "dev")).toBe("catch-all");
  });

  it("allows one rule per (project, env type) scope", async () => {
    const dup = await h.call("POST", "/orgs/acme/runner-rules", { runner_id: "for-prod", project_id: "shop", env_type_id: "production" });
    expect(dup.status).toBe(409);
    expect((await h.call("POST", "/orgs/acme/runner-rules", { runner_id: "for-prod" })).status).toBe(409);
  });

  it("rejects rules pointing at things that do not exist, naming the field", async () => {
    const res = await h.call("POST", "/orgs/acme/runner-rules", { runner_id: "ghost", project_id: "nope" });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(["runner_id", "project_id"]);
  });

  it("filters rules", async () => {
    const byRunner = await h.call("GET", "/orgs/acme/runner-rules?byRunnerId=for-shop");
    expect(byRunner.body.items).toHaveLength(1);
    const byProject = await h.call("GET", "/orgs/acme/runner-rules?byProjectId=shop");
    expect(byProject.body.items).toHaveLength(2);
    const byEnvType = await h.call("GET", "/orgs/acme/runner-rules?byEnvTypeId=production");
    expect(byEnvType.body.items).toHaveLength(2);
  });

  it("refuses to delete a runner a rule references (409) and allows it once the rule is gone", async () => {
    const res = await h.call("DELETE", "/orgs/acme/runners/for-shop");
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/runner rule/);
    const rule = (await h.call("GET", "/orgs/acme/runner-rules?byRunnerId=for-shop")).body.items[0];
    expect((await h.call("DELETE", `/orgs/acme/runner-rules/${rule.id}`)).status).toBe(204);
    expect((await h.call("DELETE", "/orgs/acme/runners/for-shop")).status).toBe(204);
    expect((await h.call("GET", "/orgs/acme/projects/shop/envs/dev")).body.runner_id).toBe("catch-all");
  });

  it("refuses to delete an env type or project still in use", async () => {
    expect((await h.call("DELETE", "/orgs/acme/env-types/development")).status).toBe(409);
    expect((await h.call("DELETE", "/orgs/acme/projects/blog")).status).toBe(409);
  });

  it("validates env ids and env types", async () => {
    const bad = await h.call("POST", "/orgs/acme/projects/blog/envs", { id: "Bad--Id", env_type_id: "nope" });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe("id");
    const missingType = await h.call("POST", "/orgs/acme/projects/blog/envs", { id: "qa", env_type_id: "nope" });
    expect(missingType.status).toBe(400);
    expect(missingType.body.details[0].path).toBe("env_type_id");
    expect((await h.call("POST", "/orgs/acme/projects/blog/envs", { id: "dev", env_type_id: "development" })).status).toBe(409);
    expect((await h.call("GET", "/orgs/acme/projects/nope/envs")).status).toBe(404);
  });
});

describe("auth", () => {
  it("answers health and OpenAPI without a token, everything else needs one", async () => {
    expect((await h.app.inject({ url: "/health" })).statusCode).toBe(200);
    const openapi = await h.app.inject({ url: "/openapi.json" });
    expect(openapi.statusCode).toBe(200);
    const doc = JSON.parse(openapi.body);
    expect(doc.paths["/orgs/{orgId}/runners"].post.requestBody.content["application/json"].schema.properties.runner_configuration).toBeDefined();
    expect((await h.call("GET", "/orgs", undefined, null)).status).toBe(401);
    expect((await h.call("GET", "/orgs/acme/runners", undefined, "porch_api_wrong")).status).toBe(401);
  });

  it("an org token sees its own org and gets 404 for everything in another org", async () => {
    const minted = await h.call("POST", "/tokens", { name: "acme ci", org_id: "acme" });
    expect(minted.status).toBe(201);
    const t = minted.body.token as string;
    expect((await h.call("GET", "/orgs/acme/runners", undefined, t)).status).toBe(200);
    expect((await h.call("GET", "/orgs/globex", undefined, t)).status).toBe(404);
    expect((await h.call("GET", "/orgs/globex/runners", undefined, t)).status).toBe(404);
    expect((await h.call("POST", "/orgs/globex/projects", { id: "x1" }, t)).status).toBe(404);
    expect((await h.call("GET", "/orgs", undefined, t)).body.items.map((o: { id: string }) => o.id)).toEqual(["acme"]);
    expect((await h.call("POST", "/orgs", { id: "new-org" }, t)).status).toBe(403);
    expect((await h.call("POST", "/tokens", { name: "escalate" }, t)).status).toBe(403);
  });

  it("stores tokens only as hashes", async () => {
    const minted = await h.call("POST", "/tokens", { name: "hash check" });
    const rows = await h.db.query<{ token_hash: string }>("SELECT token_hash FROM api_tokens");
    const all = JSON.stringify(rows.rows);
    expect(all).not.toContain(minted.body.token);
    expect(rows.rows.map((r) => r.token_hash)).toContain(hashToken(minted.body.token));
  });

  it("refuses expired tokens", async () => {
    const minted = await h.call("POST", "/tokens", { name: "short", ttl_seconds: 60 });
    await h.db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [minted.body.id]);
    const res = await h.call("GET", "/orgs", undefined, minted.body.token);
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/expired/);
  });
});
