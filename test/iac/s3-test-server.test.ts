import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3Server, type S3TestServer } from "../fakes/s3/s3-server.js";

describe("S3 test server (s3rver with the conditional-write shim)", () => {
  let s3: S3TestServer;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.createBucket("locks");
    client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  const put = (key: string, body: string, ifNoneMatch?: string) =>
    client.send(new PutObjectCommand({ Bucket: "locks", Key: key, Body: body, ...(ifNoneMatch ? { IfNoneMatch: ifNoneMatch } : {}) }));

  it("answers 412 PreconditionFailed to a second If-None-Match: * write and keeps the first object", async () => {
    await put("a/state.tflock", "first", "*");

    const second = await put("a/state.tflock", "second", "*").then(
      () => null,
      (err: { name?: string; $metadata?: { httpStatusCode?: number } }) => err,
    );

    expect(second?.name).toBe("PreconditionFailed");
    expect(second?.$metadata?.httpStatusCode).toBe(412);
    expect(await s3.getObjectText("locks", "a/state.tflock")).toBe("first");
  });

  it("lets exactly one of several racing conditional writes win", async () => {
    const outcomes = await Promise.allSettled(["w1", "w2", "w3", "w4"].map((body) => put("race.tflock", body, "*")));

    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const winner = ["w1", "w2", "w3", "w4"][outcomes.findIndex((o) => o.status === "fulfilled")];
    expect(await s3.getObjectText("locks", "race.tflock")).toBe(winner);
  });

  it("still overwrites on an unconditional write", async () => {
    await put("plain.json", "v1");
    await put("plain.json", "v2");

    expect(await s3.getObjectText("locks", "plain.json")).toBe("v2");
    expect(await s3.listKeys("locks")).toEqual(["a/state.tflock", "plain.json", "race.tflock"]);
  });
});
