import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OidcIssuer, type Jwks } from "../../src/oidc/issuer.js";
import { publishOidcStatic } from "../../src/oidc/publish-static.js";
import { oidcPublicPaths, registerOidcRoutes } from "../../src/oidc/routes.js";
import { verifyWithJwks } from "../../src/oidc/verify.js";
import type { Db } from "../../src/store/db.js";
import { ManualClock, TEST_ISSUER, TEST_MASTER_KEY, openOidcTestDb } from "./oidc-test-db.js";

let db: Db;
let app: FastifyInstance;
let issuer: OidcIssuer;
let outDir: string;
const clock = new ManualClock();

beforeAll(async () => {
  db = await openOidcTestDb();
  issuer = await OidcIssuer.open({ db, issuerUrl: TEST_ISSUER, masterKey: TEST_MASTER_KEY, now: clock.now });
  app = Fastify();
  registerOidcRoutes(app, issuer);
  await app.ready();
  outDir = await mkdtemp(join(tmpdir(), "porch-oidc-static-"));
});
afterAll(async () => {
  await app.close();
  await db.close();
  await rm(outDir, { recursive: true, force: true });
});

describe("OIDC routes", () => {
  it("exposes exactly the two documents under the issuer path", () => {
    expect(oidcPublicPaths(issuer)).toEqual(["/tenant-a/.well-known/openid-configuration", "/tenant-a/.well-known/jwks.json"]);
  });

  it("serve the discovery document and a JWKS that verifies minted tokens, cacheable and without auth", async () => {
    const minted = await issuer.mintToken({ orgId: "acme", runnerId: "ecs-prod" });

    const discovery = await app.inject({ method: "GET", url: "/tenant-a/.well-known/openid-configuration" });
    expect(discovery.statusCode).toBe(200);
    expect(discovery.headers["cache-control"]).toBe("public, max-age=300");
    expect(discovery.headers["content-type"]).toMatch(/^application\/json/);
    const doc = discovery.json<{ issuer: string; jwks_uri: string }>();
    expect(doc.issuer).toBe(TEST_ISSUER);

    // Follow jwks_uri the way AWS does: its path on the issuer host.
    const jwksRes = await app.inject({ method: "GET", url: new URL(doc.jwks_uri).pathname });
    expect(jwksRes.statusCode).toBe(200);
    expect(jwksRes.headers["cache-control"]).toBe("public, max-age=300");
    const jwks = jwksRes.json<Jwks>();
    expect(jwks.keys.map((k) => k.kid)).toEqual([minted.kid]);
    const payload = await verifyWithJwks(minted.token, jwks, {
      issuer: doc.issuer,
      audience: "sts.amazonaws.com",
      now: clock.now(),
    });
    expect(payload.sub).toBe("acme+ecs-prod");
  });

  it("do not answer outside the issuer path", async () => {
    expect((await app.inject({ method: "GET", url: "/.well-known/openid-configuration" })).statusCode).toBe(404);
  });

  it("reflect a rotation immediately", async () => {
    const { kid, retiredKid } = await issuer.rotate();
    const jwks = (await app.inject({ method: "GET", url: "/tenant-a/.well-known/jwks.json" })).json<Jwks>();
    expect(jwks.keys.map((k) => k.kid)).toEqual([kid, retiredKid]);
  });
});

describe("publishOidcStatic", () => {
  it("writes files at the issuer-relative paths with the same bytes the routes send", async () => {
    const written = await publishOidcStatic(issuer, outDir);
    expect(written).toEqual([
      { url: `${TEST_ISSUER}/.well-known/openid-configuration`, file: join(outDir, ".well-known", "openid-configuration") },
      { url: `${TEST_ISSUER}/.well-known/jwks.json`, file: join(outDir, ".well-known", "jwks.json") },
    ]);
    for (const { url, file } of written) {
      const served = await app.inject({ method: "GET", url: new URL(url).pathname });
      expect(await readFile(file, "utf8")).toBe(served.body);
    }
    expect((await readdir(join(outDir, ".well-known"))).sort()).toEqual(["jwks.json", "openid-configuration"]);
  });
});
