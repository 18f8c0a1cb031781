import type { FastifyInstance } from "fastify";
import type { DriverEvents, RunnerDriver } from "../drivers/driver.js";
import { OidcIssuer, oidcPublicPaths, registerOidcRoutes, validateIssuerUrl } from "../oidc/index.js";
import type { Db } from "../store/db.js";
import type { Logger } from "../util/logger.js";
import type { ServerSettings } from "./settings.js";
import { createServerlessEcsDriver, type ServerlessEcsDriverOptions } from "../drivers/serverless-ecs/index.js";

export interface EcsSupport {
  driver: RunnerDriver;
  issuer: OidcIssuer;
  publicPaths: string[];
  registerRoutes(app: FastifyInstance): void;
  startMaintenance(): void;
  stopMaintenance(): void;
}

/**
 * serverless-ecs needs porch's OIDC issuer (keyless STS). Without PORCH_OIDC_ISSUER_URL the runner
 * type is unavailable and deployments to such runners fail with a message saying what to set.
 */
export async function buildEcsSupport(ctx: {
  settings: ServerSettings;
  db: Db;
  masterKey: Buffer;
  events: DriverEvents;
  logger: Logger;
  driverTuning?: Partial<ServerlessEcsDriverOptions>;
}): Promise<EcsSupport | null> {
  const { settings: s } = ctx;
  if (!s.oidcIssuerUrl) return null;
  validateIssuerUrl(s.oidcIssuerUrl);
  const issuer = await OidcIssuer.open({ db: ctx.db, issuerUrl: s.oidcIssuerUrl, masterKey: ctx.masterKey });
  const driver = createServerlessEcsDriver({
    events: ctx.events,
    webIdentityToken: async (orgId, runnerId) => (await issuer.mintToken({ orgId, runnerId })).token,
    defaultImage: s.runnerImage,
    taskDefinitionPrefix: s.taskDefinitionPrefix,
    runTaskRatePerSecond: s.runTaskRatePerSecond,
    logger: ctx.logger,
    ...(s.awsEndpointUrl ? { endpoints: { ecs: s.awsEndpointUrl, sts: s.awsEndpointUrl } } : {}),
    ...ctx.driverTuning,
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    driver,
    issuer,
    publicPaths: oidcPublicPaths(issuer),
    registerRoutes: (app) => registerOidcRoutes(app, issuer),
    startMaintenance() {
      timer = setInterval(() => {
        issuer.maybeRotate().catch((err: unknown) => ctx.logger.error({ err }, "OIDC key maintenance failed"));
      }, 60_000);
      timer.unref();
    },
    stopMaintenance() {
      if (timer) clearInterval(timer);
    },
  };
}
