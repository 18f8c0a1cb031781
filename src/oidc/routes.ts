import type { FastifyInstance, FastifyReply } from "fastify";
import type { OidcIssuer } from "./issuer.js";
import { oidcDocumentPaths } from "./issuer-url.js";

/** Long enough to spare the database from every verifier's fetch, short next to a retired key's publication window. */
export const OIDC_CACHE_CONTROL = "public, max-age=300";

/** Paths the server must serve without authentication: AWS fetches them anonymously. */
export function oidcPublicPaths(issuer: Pick<OidcIssuer, "issuer">): string[] {
  const paths = oidcDocumentPaths(issuer.issuer);
  return [paths.discovery, paths.jwks];
}

/**
 * Serves the discovery document and JWKS at the issuer URL's path, so porch itself can be the issuer
 * when its address is publicly reachable over TLS (directly or behind a proxy that keeps the path).
 */
export function registerOidcRoutes(app: FastifyInstance, issuer: OidcIssuer): void {
  const paths = oidcDocumentPaths(issuer.issuer);
  const send = (reply: FastifyReply, body: unknown) =>
    reply.header("cache-control", OIDC_CACHE_CONTROL).type("application/json; charset=utf-8").send(body);
  app.get(paths.discovery, async (_req, reply) => send(reply, await issuer.discoveryDocument()));
  app.get(paths.jwks, async (_req, reply) => send(reply, await issuer.jwks()));
}
