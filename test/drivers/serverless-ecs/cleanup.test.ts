import { RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { cleanUpRevisions } from "../../../src/drivers/serverless-ecs/cleanup.js";
import { ORG, ROLE_ARN, dispatchRequest, runnerSnapshot, seedPolicy, startHarness, type Harness } from "./support/harness.js";

let h: Harness;
afterEach(async () => h?.close());

const OTHER_RUNNER = "ecs-runner-2"; // its family starts with this runner's family: familyPrefix matches both
const OTHER_ROLE = ROLE_ARN.replace("porch-orchestrator", "porch-orchestrator-2");

describe("task definition clean-up", () => {
  it("keeps the newest revisions, deregisters and deletes older ones, and never touches another family", async () => {
    h = await startHarness({
      driver: { keepRevisions: 2 },
      extraRoles: [{ roleArn: OTHER_ROLE, subject: `${ORG}+${OTHER_RUNNER}`, policy: seedPolicy() }],
    });
    for (const cpu of [256, 512, 1024]) {
      await h.driver.dispatch(dispatchRequest(`other-${cpu}`, runnerSnapshot({ cpu }, { role_arn: OTHER_ROLE }), OTHER_RUNNER));
      await h.driver.idle();
    }
    for (const cpu of [256, 512, 1024, 2048, 4096]) {
      await h.driver.dispatch(dispatchRequest(`mine-${cpu}`, runnerSnapshot({ cpu })));
      await h.driver.idle();
    }

    const mine = h.aws.ecs.taskDefinitions().filter((d) => d.family === "humanitec_acme_ecs-runner");
    const theirs = h.aws.ecs.taskDefinitions().filter((d) => d.family === "humanitec_acme_ecs-runner-2");
    expect(mine.filter((d) => d.status === "ACTIVE").map((d) => d.revision)).toEqual([4, 5]);
    expect(mine.filter((d) => d.status !== "ACTIVE").map((d) => d.status)).toEqual(["DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETE_IN_PROGRESS"]);
    // The other runner's own clean-up keeps its newest 2; this runner's clean-ups left it alone.
    expect(theirs.filter((d) => d.status === "ACTIVE").map((d) => d.revision)).toEqual([2, 3]);
    const deregistered = h.callsOf("DeregisterTaskDefinition").map((c) => (c.request as { taskDefinition: string }).taskDefinition);
    expect(deregistered.filter((arn) => arn.includes("humanitec_acme_ecs-runner-2:"))).toEqual([expect.stringMatching(/:1$/)]);
  });

  it("runs only after a registration, not on every deployment", async () => {
    h = await startHarness();
    for (const id of ["a", "b", "c", "d"]) await h.driver.dispatch(dispatchRequest(id));
    await h.driver.idle();
    expect(h.callsOf("RegisterTaskDefinition")).toHaveLength(1);
    // One clean-up pass: ListTaskDefinitions for ACTIVE and for INACTIVE revisions.
    expect(h.callsOf("ListTaskDefinitions")).toHaveLength(2);
  });

  it("pages through ListTaskDefinitions and deletes at most 10 revisions per call", async () => {
    h = await startHarness();
    const client = await h.testEcsClient();
    const register = (family: string) =>
      client.send(
        new RegisterTaskDefinitionCommand({
          family,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ name: "runner", image: "x", essential: true }],
        }),
      );
    // More than one ListTaskDefinitions page (100 per page).
    for (let i = 0; i < 105; i++) await register("humanitec_acme_ecs-runner");
    for (let i = 0; i < 3; i++) await register("humanitec_acme_ecs-runner-2");

    const result = await cleanUpRevisions(client, "humanitec_acme_ecs-runner", 3);

    expect(result.deregistered).toHaveLength(102);
    expect(result.deleted).toHaveLength(102);
    const batches = h.callsOf("DeleteTaskDefinitions").map((c) => (c.request as { taskDefinitions: string[] }).taskDefinitions.length);
    expect(batches).toEqual([...Array(10).fill(10), 2]);
    const mine = h.aws.ecs.taskDefinitions().filter((d) => d.family === "humanitec_acme_ecs-runner" && d.status === "ACTIVE");
    expect(mine.map((d) => d.revision)).toEqual([103, 104, 105]);
    expect(h.aws.ecs.taskDefinitions().filter((d) => d.family === "humanitec_acme_ecs-runner-2").every((d) => d.status === "ACTIVE")).toBe(true);
  });
});
