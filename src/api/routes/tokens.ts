import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { createApiToken, tokenCreateSchema } from "../../auth/api-tokens.js";
import { ForbiddenError } from "../../errors/porch-error.js";
import type { Db } from "../../store/db.js";
import { principalOf } from "../auth-hook.js";
import { errorResponses } from "../schemas.js";

const tokenSchema = z.object({ id: z.string(), token: z.string(), name: z.string(), org_id: z.string().nullable(), expires_at: z.string().nullable() });

export function registerTokenRoutes(root: FastifyInstance, db: Db): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.post("/tokens", { schema: { tags: ["tokens"], body: tokenCreateSchema, response: { 201: tokenSchema, ...errorResponses } } }, async (req, reply) => {
    const principal = principalOf(req);
    // An org token may mint tokens for its own org only, never an admin token.
    if (principal.orgId !== null && req.body.org_id !== principal.orgId) {
      throw new ForbiddenError(`this token is scoped to org '${principal.orgId}'; set org_id to '${principal.orgId}'`);
    }
    return reply.status(201).send(await createApiToken(db, req.body));
  });
}
