import { afterEach, describe, expect, it } from "vitest";
import { RunnerFieldError } from "../../../src/drivers/serverless-ecs/ecs-errors.js";
import { dispatchRequest, ROLE_ARN, runnerSnapshot, startHarness, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

const TRUST_LINES = ['"oidc.porch.test:aud" = "sts.amazonaws.com"', '"oidc.porch.test:sub" = "acme+ecs-runner"', ROLE_ARN];

async function stsError(): Promise<RunnerFieldError & Error> {
  const err = await h.driver.dispatch(dispatchRequest("s")).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as RunnerFieldError & Error;
}

describe("assuming the runner's role with porch's OIDC token", () => {
  it("a subject the trust policy does not accept: the message shows the exact aud and sub conditions", async () => {
    h = await startHarness({ mint: (keys, org, runner) => keys.mint(org, runner, { sub: "acme+other-runner" }) });
    const err = await stsError();
    expect(err).toBeInstanceOf(RunnerFieldError);
    expect(err).toMatchObject({ category: "user", code: "sts_assume_role_denied", field: "runner_configuration.auth.role_arn" });
    for (const line of TRUST_LINES) expect(err.message).toContain(line);
    expect(err.message).toContain("IDPRejectedClaim");
    expect(h.callsOf("RegisterTaskDefinition")).toHaveLength(0);
  });

  it("a wrong audience is explained the same way", async () => {
    h = await startHarness({ mint: (keys, org, runner) => keys.mint(org, runner, { aud: "porch" }) });
    const err = await stsError();
    for (const line of TRUST_LINES) expect(err.message).toContain(line);
  });

  it("a role that does not trust porch at all", async () => {
    h = await startHarness();
    const err = await h.driver.dispatch(dispatchRequest("s", runnerSnapshot({}, { role_arn: "arn:aws:iam::123456789012:role/unknown" }))).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: "sts_assume_role_denied" });
    expect((err as Error).message).toContain("arn:aws:iam::123456789012:role/unknown");
  });

  it("an issuer AWS cannot reach: says it must be publicly reachable", async () => {
    h = await startHarness({
      jwks: () => {
        throw new Error("connect ETIMEDOUT");
      },
    });
    const err = await stsError();
    expect(err).toMatchObject({ category: "user", code: "sts_issuer_unreachable" });
    expect(err.message).toContain("publicly reachable");
    expect(err.message).toContain("https://oidc.porch.test/.well-known/openid-configuration");
  });

  it("an expired token is retried once with a fresh one", async () => {
    let minted = 0;
    h = await startHarness({ mint: (keys, org, runner) => keys.mint(org, runner, { expiresIn: minted++ === 0 ? "-1m" : "5m" }) });
    await h.driver.dispatch(dispatchRequest("s"));
    expect(minted).toBe(2);
    expect(h.callsOf("AssumeRoleWithWebIdentity").map((c) => c.error)).toEqual(["ExpiredTokenException", undefined]);
  });

  it("credentials are cached per runner and refreshed shortly before they expire", async () => {
    let clock = Date.now();
    h = await startHarness({ driver: { now: () => clock } });
    await h.driver.dispatch(dispatchRequest("a"));
    await h.driver.dispatch(dispatchRequest("b"));
    expect(h.callsOf("AssumeRoleWithWebIdentity")).toHaveLength(1);
    clock += 56 * 60_000; // within 5 minutes of the fake's 1-hour credentials
    await h.driver.dispatch(dispatchRequest("c"));
    expect(h.callsOf("AssumeRoleWithWebIdentity")).toHaveLength(2);
  });

  it("uses the configured session name", async () => {
    h = await startHarness();
    await h.driver.dispatch(dispatchRequest("s", runnerSnapshot({}, { session_name: "porch-prod" })));
    const [call] = h.callsOf("AssumeRoleWithWebIdentity");
    expect(JSON.stringify(call!.request)).toContain("porch-prod");
  });
});
