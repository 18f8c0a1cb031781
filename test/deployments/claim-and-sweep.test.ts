import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createEnv } from "../../src/catalog/envs.js";
import { createEnvType } from "../../src/catalog/env-types.js";
import { createOrg } from "../../src/catalog/orgs.js";
import { createProject } from "../../src/catalog/projects.js";
import { createRunner } from "../../src/catalog/runners.js";
import { createRunnerRule } from "../../src/catalog/runner-rules.js";
import { bundleDirectory } from "../../src/cli/bundle-dir.js";
import { storeBundle } from "../../src/deployments/bundles.js";
import { DeploymentEvents } from "../../src/deployments/events.js";
import { Scheduler } from "../../src/deployments/scheduler.js";
import { DeploymentService } from "../../src/deployments/service.js";
import { DeploymentStateMachine } from "../../src/deployments/state-machine.js";
import type { DispatchRequest, RunnerDriver } from "../../src/drivers/driver.js";
import { JobTokens } from "../../src/jobs/job-tokens.js";
import type { Db } from "../../src/store/db.js";
import { openStore } from "../../src/store/open.js";
import { silentLogger } from "../../src/util/logger.js";

/** A driver that records dispatches and re-attachments, and never finishes a job (only claiming matters here). */
function recordingDriver(): RunnerDriver & { dispatched: string[]; resumed: string[] } {
  const dispatched: string[] = [];
  const resumed: string[] = [];
  return {
    type: "local",
    dispatched,
    resumed,
    async dispatch(req: DispatchRequest) {
      dispatched.push(req.job.deploymentId);
      return { pid: 1, started_at: new Date().toISOString() };
    },
    finished() {},
    async resume(jobs: Array<{ job: { deploymentId: string } }>) {
      for (const j of jobs) resumed.push(j.job.deploymentId);
    },
    async cancel() {
      return { signalled: false };
    },
    async close() {},
  } as unknown as RunnerDriver & { dispatched: string[]; resumed: string[] };
}

/** Holds the sweep's adoption query after it was issued (its arguments fixed) until released. */
function withHeldAdoption(db: Db): { db: Db; issued: Promise<void>; release: () => void } {
  let release!: () => void;
  let markIssued!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const issued = new Promise<void>((r) => (markIssued = r));
  const held: Db = {
    ...db,
    kind: db.kind,
    query: async (sql, params) => {
      if (/^\s*UPDATE deployments SET owner_replica/.test(sql)) {
        markIssued();
        await gate;
      }
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
    tx: (fn) => db.tx(fn),
    close: () => db.close(),
  };
  return { db: held, issued, release };
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe("claiming and the orphan sweep", () => {
  it("never re-dispatches a deployment this process claimed, even when the sweep's view predates the claim", async () => {
    const db = await openStore({});
    cleanup.push(() => db.close());
    await createOrg(db, { id: "acme" });
    await createEnvType(db, "acme", { id: "dev" });
    await createProject(db, "acme", { id: "app" });
    await createEnv(db, "acme", "app", { id: "one", env_type_id: "dev" });
    await createRunner(db, "acme", { id: "local", runner_configuration: { type: "local" }, state_storage_configuration: { type: "local" } });
    await createRunnerRule(db, "acme", { runner_id: "local" });
    const bundle = await bundleDirectory("test/fixtures/modules/hello");
    await storeBundle(db, "acme", bundle.digest, bundle.content);

    const events = new DeploymentEvents();
    const sm = new DeploymentStateMachine(events);
    const driver = recordingDriver();
    const held = withHeldAdoption(db);
    const scheduler = new Scheduler({
      db: held.db,
      sm,
      events,
      drivers: new Map([["local", driver]]),
      jobTokens: new JobTokens(randomBytes(32)),
      replicaId: "replica-a",
      publicUrl: "http://127.0.0.1:1",
      logger: silentLogger,
    });
    cleanup.push(() => scheduler.stop());
    const service = new DeploymentService(db, sm, { claimOnCreate: (q, row) => scheduler.claimOnCreate(q, row) });

    // The sweep decides what to adopt from what it knows now, before the deployment exists...
    const sweep = scheduler.sweep();
    await held.issued;
    // ...then the deployment is created and claimed by this same process...
    const { row } = await service.create("acme", { project_id: "app", env_id: "one", mode: "deploy", bundle_digest: bundle.digest, inputs: {} });
    expect(row.status).toBe("dispatching");
    // ...and only then does the sweep's query reach the database.
    held.release();
    await sweep;
    await scheduler.stop();

    // Dispatched once, by its claim; never taken for an orphan (neither started again nor re-attached).
    expect(driver.dispatched).toEqual([row.id]);
    expect(driver.resumed).toEqual([]);
  });
});
