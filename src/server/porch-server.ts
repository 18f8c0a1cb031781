import { createHmac, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApi } from "../api/server.js";
import { registerDeploymentRoutes } from "../api/routes/deployments.js";
import { ensureAdminToken } from "../auth/api-tokens.js";
import { DeploymentEvents } from "../deployments/events.js";
import { DeploymentService } from "../deployments/service.js";
import { DeploymentStateMachine } from "../deployments/state-machine.js";
import { Scheduler } from "../deployments/scheduler.js";
import type { RunnerDriver } from "../drivers/driver.js";
import { LocalDriver } from "../drivers/local/local-driver.js";
import { JobTokens } from "../jobs/job-tokens.js";
import { registerJobRoutes } from "../jobs/routes.js";
import { loadMasterKey, type OidcIssuer } from "../oidc/index.js";
import type { ServerlessEcsDriverOptions } from "../drivers/serverless-ecs/index.js";
import type { Db } from "../store/db.js";
import { openStore } from "../store/open.js";
import { openPostgresDb } from "../store/postgres.js";
import { createLogger, type Logger } from "../util/logger.js";
import type { ServerSettings } from "./settings.js";
import { buildEcsSupport, type EcsSupport } from "./ecs-support.js";
import { LocalStandbySizing } from "./local-standby.js";

export interface PorchServer {
  url: string;
  app: FastifyInstance;
  db: Db;
  scheduler: Scheduler;
  adminTokenPath: string;
  drivers: Map<string, RunnerDriver>;
  /** porch's OIDC issuer, when PORCH_OIDC_ISSUER_URL is set. */
  oidc: OidcIssuer | null;
  close(opts?: { killJobs?: boolean }): Promise<void>;
}

export interface StartOptions {
  settings: ServerSettings;
  logger?: Logger;
  /** Replaces or adds drivers (tests: the serverless-ecs driver against fakes). */
  driverOverrides?: (ctx: { events: Scheduler["driverEvents"]; logger: Logger }) => Record<string, RunnerDriver>;
  /** Environment added to every job (tests: PORCH_IAC_BINARY pointing at the stand-in tofu). */
  extraJobEnv?: Record<string, string>;
  /** Base environment of local jobs instead of the server's own. */
  localJobBaseEnv?: NodeJS.ProcessEnv;
  schedulerTuning?: { pollMs?: number; sweepMs?: number; leaseSeconds?: number };
  localKillGraceMs?: number;
  /** Tuning of the serverless-ecs driver (tests: short polls and budgets). */
  ecsDriverTuning?: Partial<ServerlessEcsDriverOptions>;
}

function stableReplicaId(dataDir: string): string {
  const path = join(dataDir, "replica-id");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const id = `replica-${randomUUID()}`;
  writeFileSync(path, `${id}\n`, { mode: 0o600 });
  return id;
}

/** The composition root: store, API, scheduler, drivers, OIDC — wired once, here. */
export async function startPorch(opts: StartOptions): Promise<PorchServer> {
  const s = opts.settings;
  const logger = opts.logger ?? createLogger({ level: s.logLevel });
  mkdirSync(s.dataDir, { recursive: true, mode: 0o700 });
  const db = await openStore({ dataDir: s.dataDir, databaseUrl: s.databaseUrl });
  // On PostgreSQL the scheduler has connections of its own: during a burst of creates it must not
  // queue behind the API's requests for a pooled connection. (The embedded store has one connection.)
  const schedulerDb = s.databaseUrl ? await openPostgresDb(s.databaseUrl, 3) : db;
  const admin = await ensureAdminToken(db, s.dataDir);
  const masterKey = await loadMasterKey({ env: process.env, dataDir: s.dataDir });
  const jobTokens = new JobTokens(createHmac("sha256", masterKey).update("porch job token key v1").digest());
  const events = new DeploymentEvents();
  const sm = new DeploymentStateMachine(events);
  const drivers = new Map<string, RunnerDriver>();

  // Drivers and routes need the scheduler's callbacks before it can be built (it needs the listen URL).
  // eslint-disable-next-line prefer-const
  let scheduler!: Scheduler;
  const driverEvents = { exited: (e: Parameters<Scheduler["driverEvents"]["exited"]>[0]) => scheduler.driverEvents.exited(e) };
  drivers.set(
    "local",
    new LocalDriver({
      events: driverEvents,
      logger,
      defaultWorkingDir: join(s.dataDir, "jobs"),
      killGraceMs: opts.localKillGraceMs,
      standbyRunners: s.localStandbyRunners,
      baseEnv: opts.localJobBaseEnv,
    }),
  );
  const ecs: EcsSupport | null = await buildEcsSupport({ settings: s, db, masterKey, events: driverEvents, logger, driverTuning: opts.ecsDriverTuning });
  if (ecs) drivers.set("serverless-ecs", ecs.driver);
  for (const [type, driver] of Object.entries(opts.driverOverrides?.({ events: driverEvents, logger }) ?? {})) drivers.set(type, driver);

  const localDriver = drivers.get("local");
  const standby = localDriver instanceof LocalDriver ? new LocalStandbySizing({ db, driver: localDriver, logger }) : null;

  // The public URL must be known before the scheduler dispatches, so listen first on the chosen port.
  const service = new DeploymentService(db, sm, {
    defaultTimeoutSeconds: s.defaultTimeoutSeconds,
    // Requests can arrive between listen() and the scheduler's start; its start-up tick finds those.
    onQueued: () => scheduler?.poke(),
    claimOnCreate: async (q, row) => (scheduler ? scheduler.claimOnCreate(q, row) : null),
    cancelHandler: { cancelActive: (row) => scheduler.cancelActive(row) },
  });
  const app = await buildApi({
    db,
    logger,
    publicPaths: ecs?.publicPaths ?? [],
    plugins: [
      (a) => standby?.register(a),
      (a) => registerDeploymentRoutes(a, { db, service, events }),
      (a) =>
        registerJobRoutes(a, {
          db,
          sm,
          events,
          dataDir: s.dataDir,
          onStarted: (row) => drivers.get(row.runner_type)?.runnerStarted?.(row.id),
          onEnded: (row) => scheduler.onEnded(row),
        }),
      ...(ecs ? [ecs.registerRoutes] : []),
    ],
  });
  const address = await app.listen({ host: s.host, port: s.port });
  const port = (app.server.address() as { port: number }).port;
  const url = address.replace(/\[::1?\]|0\.0\.0\.0/, "127.0.0.1").replace(/:\d+$/, `:${port}`);

  scheduler = new Scheduler({
    db: schedulerDb,
    sm,
    events,
    drivers,
    jobTokens,
    replicaId: stableReplicaId(s.dataDir),
    publicUrl: s.publicUrl ?? url,
    logger,
    extraJobEnv: opts.extraJobEnv,
    ...opts.schedulerTuning,
  });
  await scheduler.start();
  await standby?.start();
  ecs?.startMaintenance();
  logger.info({ url, dataDir: s.dataDir, store: db.kind, runnerTypes: [...drivers.keys()] }, "porch is serving");

  return {
    url,
    app,
    db,
    scheduler,
    adminTokenPath: admin.path,
    drivers,
    oidc: ecs?.issuer ?? null,
    async close(closeOpts = {}) {
      await scheduler.stop();
      standby?.stop();
      ecs?.stopMaintenance();
      if (closeOpts.killJobs) (drivers.get("local") as LocalDriver | undefined)?.killAll();
      for (const d of drivers.values()) await d.close();
      await app.close();
      if (schedulerDb !== db) await schedulerDb.close();
      await db.close();
    },
  };
}
