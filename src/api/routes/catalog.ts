import { z } from "zod";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { Db } from "../../store/db.js";
import { ForbiddenError } from "../../errors/porch-error.js";
import { assertOrgAccess } from "../../auth/api-tokens.js";
import { principalOf } from "../auth-hook.js";
import { DEFAULT_PAGE_SIZE, pageQuerySchema } from "../../util/pagination.js";
import { orgCreateSchema, orgSchema, createOrg, getOrg, listOrgs, assertOrgExists } from "../../catalog/orgs.js";
import { envTypeCreateSchema, envTypeSchema, envTypeUpdateSchema, createEnvType, deleteEnvType, getEnvType, listEnvTypes, updateEnvType } from "../../catalog/env-types.js";
import { projectCreateSchema, projectSchema, projectUpdateSchema, createProject, deleteProject, getProject, listProjects, updateProject } from "../../catalog/projects.js";
import { envCreateSchema, envSchema, envUpdateSchema, createEnv, deleteEnv, getEnv, listEnvs, updateEnv } from "../../catalog/envs.js";
import { runnerSchema, createRunner, deleteRunner, getRunner, listRunners, updateRunner } from "../../catalog/runners.js";
import { runnerCreateSchema, runnerUpdateSchema } from "../../config/runner.js";
import { runnerRuleCreateSchema, runnerRuleSchema, createRunnerRule, deleteRunnerRule, getRunnerRule, listRunnerRules } from "../../catalog/runner-rules.js";
import { errorResponses, listOf } from "../schemas.js";

const orgParams = z.object({ orgId: z.string() });
const withId = <K extends string>(key: K) => orgParams.extend({ [key]: z.string() } as Record<K, z.ZodString>);

export function registerCatalogRoutes(root: FastifyInstance, db: Db): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const limit = (q: { per_page?: number }) => q.per_page ?? DEFAULT_PAGE_SIZE;
  const org = async (req: Parameters<typeof principalOf>[0], orgId: string) => {
    assertOrgAccess(principalOf(req), orgId);
    await assertOrgExists(db, orgId);
  };

  // --- orgs
  app.post("/orgs", { schema: { tags: ["orgs"], body: orgCreateSchema, response: { 201: orgSchema, ...errorResponses } } }, async (req, reply) => {
    if (principalOf(req).orgId !== null) throw new ForbiddenError("only an admin token can create orgs");
    return reply.status(201).send(await createOrg(db, req.body));
  });
  app.get("/orgs", { schema: { tags: ["orgs"], querystring: pageQuerySchema, response: { 200: listOf(orgSchema) } } }, async (req) =>
    listOrgs(db, { limit: limit(req.query), pageToken: req.query.page_token, onlyOrg: principalOf(req).orgId ?? undefined }),
  );
  app.get("/orgs/:orgId", { schema: { tags: ["orgs"], params: orgParams, response: { 200: orgSchema, ...errorResponses } } }, async (req) => {
    assertOrgAccess(principalOf(req), req.params.orgId);
    return getOrg(db, req.params.orgId);
  });

  // --- env types
  const envTypeParams = withId("envTypeId");
  app.post("/orgs/:orgId/env-types", { schema: { tags: ["env-types"], params: orgParams, body: envTypeCreateSchema, response: { 201: envTypeSchema, ...errorResponses } } }, async (req, reply) => {
    await org(req, req.params.orgId);
    return reply.status(201).send(await createEnvType(db, req.params.orgId, req.body));
  });
  app.get("/orgs/:orgId/env-types", { schema: { tags: ["env-types"], params: orgParams, querystring: pageQuerySchema, response: { 200: listOf(envTypeSchema) } } }, async (req) => {
    await org(req, req.params.orgId);
    return listEnvTypes(db, req.params.orgId, { limit: limit(req.query), pageToken: req.query.page_token });
  });
  app.get("/orgs/:orgId/env-types/:envTypeId", { schema: { tags: ["env-types"], params: envTypeParams, response: { 200: envTypeSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return getEnvType(db, req.params.orgId, req.params.envTypeId);
  });
  app.patch("/orgs/:orgId/env-types/:envTypeId", { schema: { tags: ["env-types"], params: envTypeParams, body: envTypeUpdateSchema, response: { 200: envTypeSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return updateEnvType(db, req.params.orgId, req.params.envTypeId, req.body);
  });
  app.delete("/orgs/:orgId/env-types/:envTypeId", { schema: { tags: ["env-types"], params: envTypeParams } }, async (req, reply) => {
    await org(req, req.params.orgId);
    await db.tx((q) => deleteEnvType(q, req.params.orgId, req.params.envTypeId));
    return reply.status(204).send();
  });

  // --- projects
  const projectParams = withId("projectId");
  app.post("/orgs/:orgId/projects", { schema: { tags: ["projects"], params: orgParams, body: projectCreateSchema, response: { 201: projectSchema, ...errorResponses } } }, async (req, reply) => {
    await org(req, req.params.orgId);
    return reply.status(201).send(await createProject(db, req.params.orgId, req.body));
  });
  app.get("/orgs/:orgId/projects", { schema: { tags: ["projects"], params: orgParams, querystring: pageQuerySchema, response: { 200: listOf(projectSchema) } } }, async (req) => {
    await org(req, req.params.orgId);
    return listProjects(db, req.params.orgId, { limit: limit(req.query), pageToken: req.query.page_token });
  });
  app.get("/orgs/:orgId/projects/:projectId", { schema: { tags: ["projects"], params: projectParams, response: { 200: projectSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return getProject(db, req.params.orgId, req.params.projectId);
  });
  app.patch("/orgs/:orgId/projects/:projectId", { schema: { tags: ["projects"], params: projectParams, body: projectUpdateSchema, response: { 200: projectSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return updateProject(db, req.params.orgId, req.params.projectId, req.body);
  });
  app.delete("/orgs/:orgId/projects/:projectId", { schema: { tags: ["projects"], params: projectParams } }, async (req, reply) => {
    await org(req, req.params.orgId);
    await db.tx((q) => deleteProject(q, req.params.orgId, req.params.projectId));
    return reply.status(204).send();
  });

  // --- environments
  const envParams = projectParams.extend({ envId: z.string() });
  app.post("/orgs/:orgId/projects/:projectId/envs", { schema: { tags: ["envs"], params: projectParams, body: envCreateSchema, response: { 201: envSchema, ...errorResponses } } }, async (req, reply) => {
    await org(req, req.params.orgId);
    return reply.status(201).send(await createEnv(db, req.params.orgId, req.params.projectId, req.body));
  });
  app.get("/orgs/:orgId/projects/:projectId/envs", { schema: { tags: ["envs"], params: projectParams, querystring: pageQuerySchema, response: { 200: listOf(envSchema) } } }, async (req) => {
    await org(req, req.params.orgId);
    return listEnvs(db, req.params.orgId, req.params.projectId, { limit: limit(req.query), pageToken: req.query.page_token });
  });
  app.get("/orgs/:orgId/projects/:projectId/envs/:envId", { schema: { tags: ["envs"], params: envParams, response: { 200: envSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return getEnv(db, req.params.orgId, req.params.projectId, req.params.envId);
  });
  app.patch("/orgs/:orgId/projects/:projectId/envs/:envId", { schema: { tags: ["envs"], params: envParams, body: envUpdateSchema, response: { 200: envSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return updateEnv(db, req.params.orgId, req.params.projectId, req.params.envId, req.body);
  });
  app.delete("/orgs/:orgId/projects/:projectId/envs/:envId", { schema: { tags: ["envs"], params: envParams } }, async (req, reply) => {
    await org(req, req.params.orgId);
    await db.tx((q) => deleteEnv(q, req.params.orgId, req.params.projectId, req.params.envId));
    return reply.status(204).send();
  });

  // --- runners
  const runnerParams = withId("runnerId");
  const runnerListQuery = pageQuerySchema.extend({ byRunnerType: z.string().optional() });
  app.post("/orgs/:orgId/runners", { schema: { tags: ["runners"], params: orgParams, body: runnerCreateSchema, response: { 201: runnerSchema, ...errorResponses } } }, async (req, reply) => {
    await org(req, req.params.orgId);
    return reply.status(201).send(await createRunner(db, req.params.orgId, req.body));
  });
  app.get("/orgs/:orgId/runners", { schema: { tags: ["runners"], params: orgParams, querystring: runnerListQuery, response: { 200: listOf(runnerSchema) } } }, async (req) => {
    await org(req, req.params.orgId);
    return listRunners(db, req.params.orgId, { limit: limit(req.query), pageToken: req.query.page_token, runnerType: req.query.byRunnerType });
  });
  app.get("/orgs/:orgId/runners/:runnerId", { schema: { tags: ["runners"], params: runnerParams, response: { 200: runnerSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return getRunner(db, req.params.orgId, req.params.runnerId);
  });
  app.patch("/orgs/:orgId/runners/:runnerId", { schema: { tags: ["runners"], params: runnerParams, body: runnerUpdateSchema, response: { 200: runnerSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return db.tx((q) => updateRunner(q, req.params.orgId, req.params.runnerId, req.body));
  });
  app.delete("/orgs/:orgId/runners/:runnerId", { schema: { tags: ["runners"], params: runnerParams } }, async (req, reply) => {
    await org(req, req.params.orgId);
    await db.tx((q) => deleteRunner(q, req.params.orgId, req.params.runnerId));
    return reply.status(204).send();
  });

  // --- runner rules
  const ruleParams = withId("ruleId");
  const ruleListQuery = pageQuerySchema.extend({ byProjectId: z.string().optional(), byEnvTypeId: z.string().optional(), byRunnerId: z.string().optional() });
  app.post("/orgs/:orgId/runner-rules", { schema: { tags: ["runner-rules"], params: orgParams, body: runnerRuleCreateSchema, response: { 201: runnerRuleSchema, ...errorResponses } } }, async (req, reply) => {
    await org(req, req.params.orgId);
    return reply.status(201).send(await db.tx((q) => createRunnerRule(q, req.params.orgId, req.body)));
  });
  app.get("/orgs/:orgId/runner-rules", { schema: { tags: ["runner-rules"], params: orgParams, querystring: ruleListQuery, response: { 200: listOf(runnerRuleSchema) } } }, async (req) => {
    await org(req, req.params.orgId);
    return listRunnerRules(db, req.params.orgId, {
      limit: limit(req.query),
      pageToken: req.query.page_token,
      projectId: req.query.byProjectId,
      envTypeId: req.query.byEnvTypeId,
      runnerId: req.query.byRunnerId,
    });
  });
  app.get("/orgs/:orgId/runner-rules/:ruleId", { schema: { tags: ["runner-rules"], params: ruleParams, response: { 200: runnerRuleSchema, ...errorResponses } } }, async (req) => {
    await org(req, req.params.orgId);
    return getRunnerRule(db, req.params.orgId, req.params.ruleId);
  });
  app.delete("/orgs/:orgId/runner-rules/:ruleId", { schema: { tags: ["runner-rules"], params: ruleParams } }, async (req, reply) => {
    await org(req, req.params.orgId);
    await deleteRunnerRule(db, req.params.orgId, req.params.ruleId);
    return reply.status(204).send();
  });
}
