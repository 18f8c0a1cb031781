import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { Logger } from "../util/logger.js";
import type { Db } from "../store/db.js";
import { installErrorHandling } from "./errors.js";
import { installZodValidation } from "./validation.js";
import { installAuth } from "./auth-hook.js";
import { registerCatalogRoutes } from "./routes/catalog.js";
import { registerTokenRoutes } from "./routes/tokens.js";

export const PORCH_VERSION = "0.1.0";

export interface ApiOptions {
  db: Db;
  logger: Logger;
  /** Further route groups (deployments, job protocol, OIDC) registered by the composition root. */
  plugins?: Array<(app: FastifyInstance) => void | Promise<void>>;
  bodyLimitBytes?: number;
  /** Routes served without a token that cannot carry `config.auth` themselves (OIDC documents). */
  publicPaths?: string[];
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    // Per-request logs would drown the job protocol's log uploads; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimitBytes ?? 64 * 1024 * 1024,
    // Behind a proxy the Fargate tasks reach porch through, client IPs are only informational.
    trustProxy: true,
  });
  installZodValidation(app);
  installErrorHandling(app);
  installAuth(app, opts.db, opts.publicPaths);

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "porch API", version: PORCH_VERSION, description: "Platform-Orchestrator-compatible API of porch" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.get("/health", { config: { auth: "public" }, schema: { hide: true } }, async () => ({ status: "ok", version: PORCH_VERSION }));
  app.get("/openapi.json", { config: { auth: "public" }, schema: { hide: true } }, async () => app.swagger());

  registerTokenRoutes(app, opts.db);
  registerCatalogRoutes(app, opts.db);
  for (const plugin of opts.plugins ?? []) await plugin(app);
  await app.ready();
  return app;
}
