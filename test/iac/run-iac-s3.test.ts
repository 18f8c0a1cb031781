import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runIac } from "../../src/iac/index.js";
import { startS3Server, type S3TestServer } from "../fakes/s3/s3-server.js";
import { createWorkspace, type Workspace } from "./helpers.js";

const BUCKET = "porch-state";
const STATE_KEY = "states/acme/shop/dev.tfstate";
const LOCK_KEY = `${STATE_KEY}.tflock`;

const MODULE = `
resource "terraform_data" "a" {
  input = "hello"
}

resource "time_sleep" "wait" {
  create_duration = "1s"
}

output "a" {
  value = terraform_data.a.output
}
`;

describe("runIac with S3 state storage (s3rver test server)", () => {
  let s3: S3TestServer;
  let ws: Workspace;

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
  });
  afterAll(() => s3.stop());
  afterEach(() => ws.cleanUp());

  const options = (workspace: Workspace) =>
    workspace.options({
      stateStorage: { type: "s3", bucket: BUCKET, path_prefix: "states/" },
      s3Endpoint: s3.endpoint,
      env: {
        ...workspace.options().env,
        AWS_REGION: s3.region,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
    });

  it("writes the state to <prefix>/<org>/<project>/<env>.tfstate, holding the lock file only while it works", async () => {
    ws = await createWorkspace({ "main.tf": MODULE });
    const opts = options(ws);
    let keysDuringApply: Promise<string[]> | undefined;
    const log = opts.log;
    opts.log = (text, stream) => {
      log(text, stream);
      if (text.startsWith("time_sleep.wait: Creating...")) keysDuringApply = s3.listKeys(BUCKET);
    };

    const result = await runIac(opts);

    expect(result.error).toBeNull();
    expect(result.status).toBe("succeeded");
    expect(result.outputs.a).toEqual({ value: "hello", sensitive: false, type: "string" });
    expect(await keysDuringApply).toEqual([STATE_KEY, LOCK_KEY]);
    expect(await s3.listKeys(BUCKET)).toEqual([STATE_KEY]);
    const state = JSON.parse((await s3.getObjectText(BUCKET, STATE_KEY)) ?? "null");
    expect(state.resources.map((r: { type: string }) => r.type).sort()).toEqual(["terraform_data", "time_sleep"]);
  });

  it("fails with the lock error when another run holds the lock, leaving both lock and state alone", async () => {
    ws = await createWorkspace({ "main.tf": MODULE });
    const client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    const otherLock = { ID: "other-run", Operation: "OperationTypeApply", Info: "", Who: "someone@elsewhere", Version: "1.10.7", Created: new Date().toISOString(), Path: `${BUCKET}/${STATE_KEY}` };
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: LOCK_KEY, Body: JSON.stringify(otherLock), IfNoneMatch: "*" }));
    const stateBefore = await s3.getObjectText(BUCKET, STATE_KEY);

    const result = await runIac({ ...options(ws), lockTimeout: "1s" });

    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ category: "transient", code: "state_locked" });
    expect(result.error?.message).toContain("Error acquiring the state lock");
    expect(result.error?.message).toContain("other-run");
    expect(ws.logs).toContainEqual({ text: "$ tofu plan -input=false -json -lock-timeout=1s " + `-out=${ws.moduleDir}/porch.tfplan`, stream: "system" });
    expect(JSON.parse((await s3.getObjectText(BUCKET, LOCK_KEY)) ?? "{}").ID).toBe("other-run");
    expect(await s3.getObjectText(BUCKET, STATE_KEY)).toBe(stateBefore);
    client.destroy();
  });
});
