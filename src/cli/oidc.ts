import type { Command } from "commander";
import { OidcIssuer, loadMasterKey, publishOidcStatic } from "../oidc/index.js";
import { readServerSettings } from "../server/settings.js";
import { openStore } from "../store/open.js";

async function openIssuer(o: { dataDir?: string; issuer?: string }) {
  const settings = readServerSettings(process.env, { dataDir: o.dataDir });
  const issuerUrl = o.issuer ?? settings.oidcIssuerUrl;
  if (!issuerUrl) throw new Error("set PORCH_OIDC_ISSUER_URL (or --issuer) to porch's public https issuer URL");
  const db = await openStore({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl });
  const masterKey = await loadMasterKey({ env: process.env, dataDir: settings.dataDir });
  return { db, issuer: await OidcIssuer.open({ db, issuerUrl, masterKey }) };
}

export function registerOidcCommands(program: Command, out: (s: string) => void): void {
  const oidc = program.command("oidc").description("porch's OIDC issuer (keyless AWS access for serverless-ecs runners)");
  const opts = (c: Command) => c.option("--issuer <url>", "issuer URL (default PORCH_OIDC_ISSUER_URL)");
  opts(oidc.command("rotate").description("replace the signing key now; the old key stays published until its tokens expire")).action(
    async (_o: unknown, cmd: Command) => {
      const { db, issuer } = await openIssuer(cmd.optsWithGlobals());
      try {
        const r = await issuer.rotate();
        out(`new signing key ${r.kid}${r.retiredKid ? `; ${r.retiredKid} retired (kept in the JWKS until its tokens expire)` : ""}`);
      } finally {
        await db.close();
      }
    },
  );
  opts(oidc.command("publish <dir>").description("write the discovery document and JWKS as static files for any public static host")).action(
    async (dir: string, _o: unknown, cmd: Command) => {
      const { db, issuer } = await openIssuer(cmd.optsWithGlobals());
      try {
        for (const f of await publishOidcStatic(issuer, dir)) out(`${f.file}  ->  serve at ${f.url}`);
      } finally {
        await db.close();
      }
    },
  );
}
