import type { FastifyInstance } from "fastify";
import { localRunnerCapacity } from "../catalog/runners.js";
import { DEFAULT_LOCAL_MAX_CONCURRENT_JOBS } from "../config/runner-configuration.js";
import type { LocalDriver } from "../drivers/local/local-driver.js";
import type { Db } from "../store/db.js";
import type { Logger } from "../util/logger.js";

/** Writes that can change the local runners' capacity: a runner's, or an org's (deleting one deletes its runners). */
const RUNNER_WRITE = /^\/orgs(\/[^/?]+(\/runners(\/[^/?]*)?)?)?\/?(\?|$)/;
/** Runners written through another replica are noticed this late at most. */
const REFRESH_MS = 30_000;

/**
 * Sizes the local driver's standby pool to what the `local` runners may run at once: now, after any
 * write to a runner through this server, and every 30 s for writes through other replicas.
 */
export class LocalStandbySizing {
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly o: { db: Db; driver: LocalDriver; logger: Logger }) {}

  /** A Fastify hook: refresh after a runner (or an org) was created, changed or deleted. */
  register(app: FastifyInstance): void {
    app.addHook("onResponse", async (req, reply) => {
      if (req.method !== "GET" && reply.statusCode < 300 && RUNNER_WRITE.test(req.url)) this.refresh();
    });
  }

  async start(): Promise<void> {
    this.refresh();
    await this.refreshing;
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private refresh(): void {
    this.refreshing = this.refreshing
      .then(async () => this.o.driver.setStandbyTarget(await localRunnerCapacity(this.o.db, DEFAULT_LOCAL_MAX_CONCURRENT_JOBS)))
      .catch((err: unknown) => this.o.logger.warn({ err }, "could not size the local runner's standby pool"));
  }
}
