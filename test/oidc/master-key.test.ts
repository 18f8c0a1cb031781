import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/porch-error.js";
import { loadMasterKey } from "../../src/oidc/master-key.js";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "porch-master-key-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

describe("loadMasterKey", () => {
  it("reads PORCH_MASTER_KEY as hex, base64 and base64url, and creates no file", async () => {
    for (const text of [bytes.toString("hex"), bytes.toString("base64"), bytes.toString("base64url"), ` ${bytes.toString("hex")}\n`]) {
      const key = await loadMasterKey({ env: { PORCH_MASTER_KEY: text }, dataDir });
      expect(key.equals(bytes)).toBe(true);
    }
    await expect(stat(join(dataDir, "master-key"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it.each([
    [Buffer.alloc(16, 1).toString("base64"), /decodes \(as base64\) to 16 bytes but must be exactly 32/],
    [Buffer.alloc(33, 1).toString("hex"), /decodes \(as hex\) to 33 bytes/],
    ["not a key!", /neither hex nor base64/],
  ])("rejects PORCH_MASTER_KEY=%s", async (text, why) => {
    const err = await loadMasterKey({ env: { PORCH_MASTER_KEY: text }, dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain("PORCH_MASTER_KEY");
    expect((err as ConfigError).message).toMatch(why);
  });

  it("creates <dataDir>/master-key with mode 0600 on first use and reuses it", async () => {
    const nested = join(dataDir, "nested");
    const first = await loadMasterKey({ env: {}, dataDir: nested });
    expect(first.length).toBe(32);
    const file = join(nested, "master-key");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, "utf8")).trim(), "base64").equals(first)).toBe(true);
    const second = await loadMasterKey({ env: {}, dataDir: nested });
    expect(second.equals(first)).toBe(true);
  });

  it("gives concurrent first uses the same key", async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => loadMasterKey({ env: {}, dataDir })));
    for (const k of keys) expect(k.equals(keys[0]!)).toBe(true);
  });

  it("prefers PORCH_MASTER_KEY over an existing file", async () => {
    await loadMasterKey({ env: {}, dataDir });
    const key = await loadMasterKey({ env: { PORCH_MASTER_KEY: bytes.toString("hex") }, dataDir });
    expect(key.equals(bytes)).toBe(true);
  });

  it("refuses a key file other users can read, telling how to fix it", async () => {
    const file = join(dataDir, "master-key");
    await writeFile(file, bytes.toString("base64"));
    await chmod(file, 0o644);
    await expect(loadMasterKey({ env: {}, dataDir })).rejects.toThrow(/chmod 600/);
  });

  it("rejects a key file of the wrong length, naming the file", async () => {
    const file = join(dataDir, "master-key");
    await writeFile(file, Buffer.alloc(8).toString("base64"), { mode: 0o600 });
    await expect(loadMasterKey({ env: {}, dataDir })).rejects.toThrow(new RegExp(`${file}.*decodes \\(as base64\\) to 8 bytes`));
  });

  it("asks for PORCH_MASTER_KEY when there is neither a key nor a data dir", async () => {
    await expect(loadMasterKey({ env: {} })).rejects.toThrow(/set PORCH_MASTER_KEY/);
  });
});
