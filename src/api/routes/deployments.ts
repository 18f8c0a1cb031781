import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../../store/db.js";
import { assertOrgAccess } from "../../auth/api-tokens.js";
import { assertOrgExists } from "../../catalog/orgs.js";
import { ValidationError } from "../../errors/porch-error.js";
import { DEFAULT_PAGE_SIZE, pageQuerySchema } from "../../util/pagination.js";
import { principalOf } from "../auth-hook.js";
import { errorResponses, listOf } from "../schemas.js";
import { MAX_BUNDLE_BYTES, bundleExists, storeBundle } from "../../deployments/bundles.js";
import type { DeploymentService } from "../../deployments/service.js";
import type { DeploymentEvents } from "../../deployments/events.js";
import { DEPLOYMENT_STATUSES, deploymentCreateSchema, deploymentSchema, isTerminal, toDeployment } from "../../deployments/model.js";
import { readLogLines } from "../../jobs/logs.js";

const orgParams = z.object({ orgId: z.string() });
const depParams = orgParams.extend({ id: z.string() });
const logLineSchema = z.object({ seq: z.number(), ts: z.string(), stream: z.string(), text: z.string() });

export function registerDeploymentRoutes(root: FastifyInstance, deps: { db: Db; service: DeploymentService; events: DeploymentEvents }): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { db, service, events } = deps;
  const org = async (req: Parameters<typeof principalOf>[0], orgId: string) => {
    assertOrgAccess(principalOf(req), orgId);
    await assertOrgExists(db, orgId);
  };

  app.addContentTypeParser(["application/gzip", "application/x-gzip", "application/octet-stream"], { parseAs: "buffer", bodyLimit: MAX_BUNDLE_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  const bundleParams = orgParams.extend({ digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex digits>") });
  app.put(
    "/orgs/:orgId/bundles/:digest",
    { schema: { tags: ["deployments"], params: bundleParams, response: { 200: z.object({ digest: z.string(), size_bytes: z.number() }), 201: z.object({ digest: z.string(), size_bytes: z.number() }), ...errorResponses } } },
    async (req, reply) => {
      await org(req, req.params.orgId);
      if (!Buffer.isBuffer(req.body)) {
        throw new ValidationError("upload the bundle as the raw request body", [{ path: "body", message: "send Content-Type: application/gzip with the .tar.gz bytes" }]);
      }
      const stored = await storeBundle(db, req.params.orgId, req.params.digest, req.body);
      return reply.status(stored.created ? 201 : 200).send({ digest: stored.digest, size_bytes: stored.size_bytes });
    },
  );
  app.head("/orgs/:orgId/bundles/:digest", { schema: { tags: ["deployments"], params: bundleParams } }, async (req, reply) => {
    await org(req, req.params.orgId);
    return reply.status((await bundleExists(db, req.params.orgId, req.params.digest)) ? 200 : 404).send();
  });

  app.post(
    "/orgs/:orgId/deployments",
    {
      schema: {
        tags: ["deployments"],
        params: orgParams,
        headers: z.object({ "idempotency-key": z.string().min(1).max(255).optional() }).passthrough(),
        body: deploymentCreateSchema,
        response: { 200: deploymentSchema, 201: deploymentSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      await org(req, req.params.orgId);
      const key = req.headers["idempotency-key"];
      const { row, replayed } = await service.create(req.params.orgId, req.body, typeof key === "string" ? key : undefined);
      if (replayed) reply.header("idempotent-replayed", "true");
      return reply.status(replayed ? 200 : 201).send(toDeployment(row));
    },
  );

  const listQuery = pageQuerySchema.extend({
    project_id: z.string().optional(),
    env_id: z.string().optional(),
    status: z.enum(DEPLOYMENT_STATUSES).optional(),
  });
  app.get("/orgs/:orgId/deployments", { schema: { tags: ["deployments"], params: orgParams, querystring: listQuery, response: { 200: listOf(deploymentSchema) } } }, async (req) => {
    await org(req, req.params.orgId);
    const page = await service.list(req.params.orgId, {
      limit: req.query.per_page ?? DEFAULT_PAGE_SIZE,
      pageToken: req.query.page_token,
      projectId: req.query.project_id,
      envId: req.query.env_id,
      status: req.query.status,
    });
    return { items: page.items.map((r) => toDeployment(r)), next_page_token: page.next_page_token };
  });

  const getQuery = z.object({ include_sensitive: z.enum(["true", "false"]).optional() });
  app.get("/orgs/:orgId/deployments/:id", { schema: { tags: ["deployments"], params: depParams, querystring: getQuery, response: { 200: deploymentSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return toDeployment(await service.get(req.params.orgId, req.params.id), { includeSensitive: req.query.include_sensitive === "true" });
  });

  app.post("/orgs/:orgId/deployments/:id/actions/cancel", { schema: { tags: ["deployments"], params: depParams, response: { 200: deploymentSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return toDeployment(await service.cancel(req.params.orgId, req.params.id));
  });

  const logsQuery = z.object({
    after_seq: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(5000).optional(),
    follow: z.enum(["true", "false"]).optional(),
  });
  app.get(
    "/orgs/:orgId/deployments/:id/logs",
    {
      schema: {
        tags: ["deployments"],
        params: depParams,
        querystring: logsQuery,
        description: "JSON page of log lines; with follow=true an NDJSON stream of {type:'log',...} lines ending with {type:'end',status} when the deployment ends.",
        response: { 200: z.object({ items: z.array(logLineSchema), next_after_seq: z.number(), complete: z.boolean() }), ...errorResponses },
      },
    },
    async (req, reply) => {
      await org(req, req.params.orgId);
      const dep = await service.get(req.params.orgId, req.params.id);
      let after = req.query.after_seq ?? 0;
      const limit = req.query.limit ?? 1000;
      if (req.query.follow !== "true") {
        const items = await readLogLines(db, dep.id, after, limit);
        const last = items[items.length - 1];
        return { items, next_after_seq: last ? last.seq : after, complete: isTerminal(dep.status) && items.length < limit };
      }
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store", "x-accel-buffering": "no" });
      const closed = new AbortController();
      raw.on("close", () => closed.abort());
      while (!closed.signal.aborted) {
        // Status first, then lines: a line stored just before the end is never missed.
        const current = await service.status(dep.id);
        const lines = await readLogLines(db, dep.id, after, 1000);
        for (const line of lines) raw.write(`${JSON.stringify({ type: "log", ...line })}\n`);
        if (lines.length > 0) after = lines[lines.length - 1]!.seq;
        if (lines.length === 1000) continue;
        if (isTerminal(current.status)) {
          raw.end(`${JSON.stringify({ type: "end", status: current.status, error: current.error })}\n`);
          return;
        }
        await events.waitForActivity(dep.id, 1000, closed.signal);
      }
    },
  );
}
