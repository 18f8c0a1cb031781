import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import yazl from "yazl";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PINNED_OPENTOFU_VERSION, resolveIacBinary } from "../../src/iac/index.js";
import { STAND_IN_TOFU } from "./helpers.js";

const VERSION = PINNED_OPENTOFU_VERSION;
const ZIP_NAME = `tofu_${VERSION}_linux_amd64.zip`;
const SUMS_NAME = `tofu_${VERSION}_SHA256SUMS`;
/** A stand-in release binary: a shell script, not OpenTofu. */
const STAND_IN_RELEASE_BINARY = `#!/bin/sh\necho "OpenTofu v${VERSION} (stand-in release binary)"\n`;

describe("resolveIacBinary", () => {
  let dir: string;
  let emptyPathDir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "porch-resolve-test-"));
    emptyPathDir = path.join(dir, "empty-bin");
    await mkdir(emptyPathDir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("uses PORCH_IAC_BINARY over tofu on PATH", async () => {
    const custom = path.join(dir, "my-tofu");
    await writeFile(custom, "#!/bin/sh\n");
    await chmod(custom, 0o755);

    const binary = await resolveIacBinary({
      env: { PORCH_IAC_BINARY: custom, PATH: path.dirname(STAND_IN_TOFU) },
      cacheDir: path.join(dir, "cache"),
    });

    expect(binary).toBe(custom);
  });

  it("rejects a PORCH_IAC_BINARY that is not an executable file, naming the variable", async () => {
    const notExecutable = path.join(dir, "tofu-without-x");
    await writeFile(notExecutable, "#!/bin/sh\n");

    await expect(resolveIacBinary({ env: { PORCH_IAC_BINARY: notExecutable, PATH: "" }, cacheDir: dir })).rejects.toMatchObject({
      category: "user",
      code: "iac_binary_invalid",
      message: expect.stringContaining("PORCH_IAC_BINARY"),
    });
  });

  it("finds tofu on PATH when PORCH_IAC_BINARY is not set", async () => {
    const binary = await resolveIacBinary({ env: { PATH: `${emptyPathDir}:${path.dirname(STAND_IN_TOFU)}` }, cacheDir: dir });

    expect(binary).toBe(STAND_IN_TOFU);
  });

  describe("downloading the pinned release (local HTTP server with a stand-in release)", () => {
    let server: Server;
    let baseUrl: string;
    let zip: Buffer;
    let sums: string;
    const requests: string[] = [];

    beforeAll(async () => {
      zip = await zipOf({ tofu: STAND_IN_RELEASE_BINARY, "LICENSE": "stand-in" });
      server = createServer((req, res) => {
        requests.push(req.url ?? "");
        const body = req.url === `/v${VERSION}/${ZIP_NAME}` ? zip : req.url === `/v${VERSION}/${SUMS_NAME}` ? Buffer.from(sums) : null;
        res.writeHead(body ? 200 : 404).end(body ?? "not found");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      requests.length = 0;
    });

    const resolve = (cacheDir: string) =>
      resolveIacBinary({ env: { PATH: emptyPathDir }, cacheDir, downloadBaseUrl: baseUrl, platform: "linux", arch: "x64" });

    it("downloads, verifies and extracts tofu into the cache, then reuses it", async () => {
      sums = `${sha256(Buffer.from("other"))}  tofu_${VERSION}_darwin_arm64.zip\n${sha256(zip)}  ${ZIP_NAME}\n`;
      const cacheDir = path.join(dir, "cache");

      const binary = await resolve(cacheDir);

      expect(binary.startsWith(cacheDir)).toBe(true);
      expect(path.basename(binary)).toBe("tofu");
      expect((await stat(binary)).mode & 0o777).toBe(0o755);
      const { stdout } = await promisify(execFile)(binary, ["version"]);
      expect(stdout).toContain(`OpenTofu v${VERSION}`);
      expect(requests).toEqual([`/v${VERSION}/${SUMS_NAME}`, `/v${VERSION}/${ZIP_NAME}`]);

      expect(await resolve(cacheDir)).toBe(binary);
      expect(requests).toHaveLength(2);
      expect(await readdir(cacheDir)).toEqual([path.basename(path.dirname(binary))]);
    });

    it("rejects a zip whose checksum does not match and leaves nothing in the cache", async () => {
      sums = `${sha256(Buffer.from("tampered"))}  ${ZIP_NAME}\n`;
      const cacheDir = path.join(dir, "cache");

      await expect(resolve(cacheDir)).rejects.toMatchObject({ code: "iac_download_checksum_mismatch" });
      expect(await readdir(cacheDir).catch(() => [])).toEqual([]);
    });

    it("reports a release asset that does not exist as a user error", async () => {
      await expect(
        resolveIacBinary({ env: { PATH: emptyPathDir }, cacheDir: path.join(dir, "cache"), downloadBaseUrl: baseUrl, version: "0.0.1", platform: "linux", arch: "x64" }),
      ).rejects.toMatchObject({ category: "user", code: "iac_download_not_found" });
    });
  });
});

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zipfile = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zipfile.addBuffer(Buffer.from(content), name, { mode: 0o100755 });
  zipfile.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zipfile.outputStream.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks))).on("error", reject);
  });
}
