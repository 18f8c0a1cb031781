import { createLocalJWKSet, decodeProtectedHeader, exportJWK, importPKCS8, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, ValidationError } from "../../src/errors/porch-error.js";
import { OidcIssuer, type OidcIssuerOptions } from "../../src/oidc/issuer.js";
import { unseal } from "../../src/oidc/sealed-box.js";
import type { Db } from "../../src/store/db.js";
import { verifyWithJwks } from "../../src/oidc/verify.js";
import { ManualClock, TEST_ISSUER, TEST_MASTER_KEY, openOidcTestDb } from "./oidc-test-db.js";

// One database per file keeps the file fast; each test starts from an empty key table.
let db: Db;
let clock: ManualClock;
beforeAll(async () => {
  db = await openOidcTestDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  await db.exec("TRUNCATE oidc_signing_keys");
  clock = new ManualClock();
});

const open = (extra: Partial<OidcIssuerOptions> = {}) =>
  OidcIssuer.open({ db, issuerUrl: TEST_ISSUER, masterKey: TEST_MASTER_KEY, now: clock.now, ...extra });

type KeyState = { kid: string; state: "next" | "active" | "retired" };
async function keyStates(): Promise<KeyState[]> {
  const res = await db.query<KeyState>(
    `SELECT kid, CASE WHEN retired_at IS NOT NULL THEN 'retired' WHEN activated_at IS NULL THEN 'next' ELSE 'active' END AS state
     FROM oidc_signing_keys ORDER BY created_at, activated_at NULLS LAST`,
  );
  return res.rows;
}

describe("minted tokens", () => {
  it("carry exactly the claims and header AWS STS checks, and verify against the JWKS", async () => {
    const issuer = await open();
    const minted = await issuer.mintToken({ orgId: "acme", runnerId: "ecs-prod" });

    const { payload, protectedHeader } = await jwtVerify(minted.token, createLocalJWKSet(await issuer.jwks()), {
      issuer: TEST_ISSUER,
      audience: "sts.amazonaws.com",
      currentDate: clock.now(),
    });
    expect(protectedHeader).toEqual({ alg: "RS256", kid: minted.kid, typ: "JWT" });
    expect(payload.iss).toBe(TEST_ISSUER);
    expect(payload.sub).toBe("acme+ecs-prod");
    expect(payload.aud).toBe("sts.amazonaws.com");
    const nowSeconds = clock.now().getTime() / 1000;
    expect(payload.iat).toBe(nowSeconds);
    expect(payload.nbf).toBe(nowSeconds);
    expect(payload.exp).toBe(nowSeconds + 300);
    for (const claim of [payload.iat, payload.nbf, payload.exp]) expect(Number.isInteger(claim)).toBe(true);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(minted.subject).toBe("acme+ecs-prod");
    expect(minted.expiresAt.toISOString()).toBe(new Date((nowSeconds + 300) * 1000).toISOString());
  });

  it("use integer times even when the clock has milliseconds, and a fresh jti each", async () => {
    clock.advance(0.75);
    const issuer = await open({ tokenLifetimeSeconds: 900 });
    const a = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    const b = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    const pa = await verifyWithJwks(a.token, await issuer.jwks(), { issuer: TEST_ISSUER, audience: "sts.amazonaws.com", now: clock.now() });
    const pb = await verifyWithJwks(b.token, await issuer.jwks(), { issuer: TEST_ISSUER, audience: "sts.amazonaws.com", now: clock.now() });
    expect(Number.isInteger(pa.iat)).toBe(true);
    expect(pa.exp! - pa.iat!).toBe(900);
    expect(pa.jti).not.toBe(pb.jti);
  });

  it("stop verifying once expired", async () => {
    const issuer = await open();
    const minted = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    clock.advance(301);
    await expect(
      verifyWithJwks(minted.token, await issuer.jwks(), { issuer: TEST_ISSUER, audience: "sts.amazonaws.com", now: clock.now() }),
    ).rejects.toMatchObject({ code: "oidc_token_invalid", cause: { code: "ERR_JWT_EXPIRED" } });
  });

  it("can be signed with ES256", async () => {
    const issuer = await open({ alg: "ES256" });
    const minted = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    expect(decodeProtectedHeader(minted.token).alg).toBe("ES256");
    const jwks = await issuer.jwks();
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: minted.kid });
    await verifyWithJwks(minted.token, jwks, { issuer: TEST_ISSUER, audience: "sts.amazonaws.com", now: clock.now() });
  });

  it("refuse subjects that would be ambiguous", async () => {
    const issuer = await open();
    await expect(issuer.mintToken({ orgId: "a+b", runnerId: "r" })).rejects.toBeInstanceOf(ValidationError);
    await expect(issuer.mintToken({ orgId: "acme", runnerId: "" })).rejects.toMatchObject({ details: [{ path: "runner_id" }] });
  });
});

describe("signing keys at rest", () => {
  it("never store the private key in clear", async () => {
    const issuer = await open();
    const { kid } = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });

    const raw = await db.query<{ row: string; sealed: string; jwk: Record<string, unknown> }>(
      "SELECT t::text AS row, private_key_sealed AS sealed, public_jwk AS jwk FROM oidc_signing_keys t WHERE kid = $1",
      [kid],
    );
    const { row, sealed, jwk } = raw.rows[0]!;
    const pem = unseal(sealed, TEST_MASTER_KEY, kid).toString("utf8");
    expect(pem).toContain("BEGIN PRIVATE KEY");
    const privateJwk = await exportJWK(await importPKCS8(pem, "RS256", { extractable: true }));
    const pemBody = pem.replace(/-----[A-Z ]+-----|\s/g, "");

    expect(row).not.toContain("PRIVATE KEY");
    expect(row).not.toContain(pemBody.slice(40, 120));
    for (const secret of [privateJwk.d, privateJwk.p, privateJwk.q]) expect(row).not.toContain(secret!);
    expect(jwk).toEqual({ kty: "RSA", n: privateJwk.n, e: privateJwk.e, kid, alg: "RS256", use: "sig" });
  });

  it("cannot be used with another master key, and open() says so at startup", async () => {
    await (await open()).mintToken({ orgId: "acme", runnerId: "r1" });
    await expect(open({ masterKey: Buffer.alloc(32, 9) })).rejects.toMatchObject({ code: "master_key_mismatch", category: "user" });
  });
});

describe("rotation", () => {
  it("keeps the retired key published until its tokens expire, then prune removes it", async () => {
    const issuer = await open();
    const old = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });

    clock.advance(100);
    const rotated = await issuer.rotate();
    expect(rotated.retiredKid).toBe(old.kid);
    const fresh = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    expect(fresh.kid).toBe(rotated.kid);
    expect(fresh.kid).not.toBe(old.kid);
    expect((await issuer.jwks()).keys.map((k) => k.kid)).toEqual([fresh.kid, old.kid]);

    // Retired at t=100: published until 100 + 300 (lifetime) + 300 (skew margin).
    clock.advance(599);
    expect(await issuer.prune()).toEqual([]);
    const stillPublished = await issuer.jwks();
    await verifyWithJwks(old.token, stillPublished, { issuer: TEST_ISSUER, audience: "sts.amazonaws.com", now: clock.now(), clockToleranceSeconds: 3600 });

    clock.advance(1);
    expect((await issuer.jwks()).keys.map((k) => k.kid)).toEqual([fresh.kid]);
    expect(await issuer.prune()).toEqual([old.kid]);
    expect(await keyStates()).toEqual([{ kid: fresh.kid, state: "active" }]);
    // Even a verifier ignoring expiry can no longer find the key that signed the old token.
    await expect(
      verifyWithJwks(old.token, await issuer.jwks(), { issuer: TEST_ISSUER, audience: "sts.amazonaws.com", now: clock.now(), clockToleranceSeconds: 3600 }),
    ).rejects.toMatchObject({ code: "oidc_token_invalid", cause: { code: "ERR_JWKS_NO_MATCHING_KEY" } });
  });

  it("replaces the key on mint once it reaches the rotation interval", async () => {
    const issuer = await open({ rotationIntervalSeconds: 86_400, prepublishSeconds: 0 });
    const first = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    clock.advance(86_399);
    expect((await issuer.mintToken({ orgId: "acme", runnerId: "r1" })).kid).toBe(first.kid);
    clock.advance(1);
    const second = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    expect(second.kid).not.toBe(first.kid);
    expect(await keyStates()).toEqual([
      { kid: first.kid, state: "retired" },
      { kid: second.kid, state: "active" },
    ]);
  });

  it("publishes the next key ahead of its use, then signs with exactly that key", async () => {
    const issuer = await open({ rotationIntervalSeconds: 86_400, prepublishSeconds: 3600 });
    const first = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    expect((await issuer.jwks()).keys.map((k) => k.kid)).toEqual([first.kid]);

    clock.advance(86_400 - 3600);
    const stillFirst = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    expect(stillFirst.kid).toBe(first.kid);
    const [active, next] = await keyStates().then((rows) => [rows.find((r) => r.state === "active"), rows.find((r) => r.state === "next")]);
    expect(active?.kid).toBe(first.kid);
    expect(next).toBeDefined();
    expect((await issuer.jwks()).keys.map((k) => k.kid)).toEqual([first.kid, next!.kid]);

    clock.advance(3600);
    const second = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    expect(second.kid).toBe(next!.kid);
    expect(await keyStates()).toEqual([
      { kid: first.kid, state: "retired" },
      { kid: next!.kid, state: "active" },
    ]);
  });

  it("rotate() promotes the pre-published key when there is one", async () => {
    const issuer = await open({ rotationIntervalSeconds: 86_400, prepublishSeconds: 3600 });
    const first = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });
    clock.advance(86_400 - 3600);
    const upkeep = await issuer.maybeRotate();
    expect(upkeep).toMatchObject({ rotated: false, kid: first.kid, jwksChanged: true });
    expect(upkeep.prepublishedKid).toEqual(expect.any(String));
    expect(await issuer.rotate()).toEqual({ kid: upkeep.prepublishedKid, retiredKid: first.kid });
  });

  it("maybeRotate() rotates a due key, prunes expired ones, and does nothing otherwise", async () => {
    const issuer = await open({ prepublishSeconds: 0 });
    const first = await issuer.mintToken({ orgId: "acme", runnerId: "r1" });

    const idle = await issuer.maybeRotate();
    expect(idle).toEqual({ rotated: false, kid: first.kid, prepublishedKid: null, pruned: [], jwksChanged: false });

    clock.advance(7 * 24 * 3600);
    const due = await issuer.maybeRotate();
    expect(due).toMatchObject({ rotated: true, prepublishedKid: null, pruned: [], jwksChanged: true });
    expect(due.kid).not.toBe(first.kid);

    clock.advance(600);
    expect(await issuer.maybeRotate()).toEqual({ rotated: false, kid: due.kid, prepublishedKid: null, pruned: [first.kid], jwksChanged: true });
  });

  it("maybeRotate() creates the first key on a fresh database", async () => {
    const issuer = await open();
    const result = await issuer.maybeRotate();
    expect(result.rotated).toBe(true);
    expect((await issuer.jwks()).keys.map((k) => k.kid)).toEqual([result.kid]);
  });

  it("switches to a newly configured algorithm on the next mint", async () => {
    const rsa = await (await open()).mintToken({ orgId: "acme", runnerId: "r1" });
    const ecIssuer = await open({ alg: "ES256" });
    const ec = await ecIssuer.mintToken({ orgId: "acme", runnerId: "r1" });
    expect(decodeProtectedHeader(ec.token).alg).toBe("ES256");
    expect((await ecIssuer.jwks()).keys.map((k) => k.kid)).toEqual([ec.kid, rsa.kid]);
    expect((await ecIssuer.discoveryDocument()).id_token_signing_alg_values_supported).toEqual(["RS256", "ES256"]);
  });
});

describe("several issuers sharing one database", () => {
  it("create exactly one active key on concurrent first use", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const minted = await Promise.all([
      a.mintToken({ orgId: "acme", runnerId: "r1" }),
      b.mintToken({ orgId: "acme", runnerId: "r2" }),
      a.mintToken({ orgId: "acme", runnerId: "r3" }),
      b.mintToken({ orgId: "acme", runnerId: "r4" }),
    ]);
    const rows = await keyStates();
    expect(rows).toEqual([{ kid: minted[0]!.kid, state: "active" }]);
    expect(new Set(minted.map((m) => m.kid))).toEqual(new Set([minted[0]!.kid]));
  });

  it("rotate only once when both find the key due at the same time", async () => {
    const [a, b] = await Promise.all([open({ prepublishSeconds: 0 }), open({ prepublishSeconds: 0 })]);
    const first = await a.mintToken({ orgId: "acme", runnerId: "r1" });
    clock.advance(7 * 24 * 3600);
    const [ma, mb] = await Promise.all([a.mintToken({ orgId: "acme", runnerId: "r1" }), b.mintToken({ orgId: "acme", runnerId: "r2" })]);
    expect(ma.kid).toBe(mb.kid);
    expect(await keyStates()).toEqual([
      { kid: first.kid, state: "retired" },
      { kid: ma.kid, state: "active" },
    ]);
  });

  it("pre-publish only one next key when both enter the window together", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const first = await a.mintToken({ orgId: "acme", runnerId: "r1" });
    clock.advance(7 * 24 * 3600 - 86_400);
    const [ua, ub] = await Promise.all([a.maybeRotate(), b.maybeRotate()]);
    expect([ua.prepublishedKid, ub.prepublishedKid].filter((k) => k !== null)).toHaveLength(1);
    expect((await keyStates()).map((r) => r.state)).toEqual(["active", "next"]);
    expect((await keyStates())[0]!.kid).toBe(first.kid);
  });

  it("the database itself refuses a second active or a second next key", async () => {
    const insert = (kid: string, activated: string) =>
      db.query(`INSERT INTO oidc_signing_keys (kid, alg, public_jwk, private_key_sealed, created_at, activated_at) VALUES ($1, 'RS256', '{}', 'x', now(), ${activated})`, [kid]);
    await insert("a1", "now()");
    await insert("n1", "NULL");
    await expect(insert("a2", "now()")).rejects.toMatchObject({ code: "23505" });
    await expect(insert("n2", "NULL")).rejects.toMatchObject({ code: "23505" });
  });
});

describe("options", () => {
  it.each([
    [{ tokenLifetimeSeconds: 59 }, /tokenLifetimeSeconds is 59; .* between 60 and 3600/],
    [{ tokenLifetimeSeconds: 3601 }, /tokenLifetimeSeconds/],
    [{ tokenLifetimeSeconds: 300.5 }, /tokenLifetimeSeconds/],
    [{ rotationIntervalSeconds: 60 }, /rotationIntervalSeconds is 60; .* at least 3600/],
    [{ rotationIntervalSeconds: 7200, prepublishSeconds: 7200 }, /prepublishSeconds is 7200; .* between 0 and 7199/],
    [{ issuerUrl: "http://oidc.example.com" }, /PORCH_OIDC_ISSUER_URL/],
  ])("rejects %o", async (bad, why) => {
    const err = await open(bad as Partial<OidcIssuerOptions>).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(why);
  });

  it("serves a discovery document pointing at the JWKS under the issuer path", async () => {
    const doc = await (await open()).discoveryDocument();
    expect(doc).toEqual({
      issuer: TEST_ISSUER,
      jwks_uri: `${TEST_ISSUER}/.well-known/jwks.json`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      claims_supported: ["iss", "sub", "aud", "iat", "nbf", "exp", "jti"],
    });
  });
});
