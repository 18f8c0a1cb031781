import type { FastifyInstance, FastifyRequest } from "fastify";
import { authenticate, type Principal } from "../auth/api-tokens.js";
import type { Db } from "../store/db.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** `public`: no token (health, OpenAPI, OIDC discovery). `job`: a job token, checked by the job routes. */
    auth?: "api" | "public" | "job";
  }
}

/** Every route needs an API token unless it says otherwise: a forgotten flag fails closed. */
export function installAuth(app: FastifyInstance, db: Db, publicPaths: readonly string[] = []): void {
  const open = new Set(publicPaths);
  app.addHook("onRequest", async (req) => {
    if (req.routeOptions.url && open.has(req.routeOptions.url)) return;
    const mode = req.routeOptions.config?.auth ?? "api";
    if (mode !== "api") return;
    req.principal = await authenticate(db, req.headers.authorization);
  });
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error("route reached without authentication");
  return req.principal;
}
