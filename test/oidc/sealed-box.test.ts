import { describe, expect, it } from "vitest";
import { ConfigError, InternalError } from "../../src/errors/porch-error.js";
import { seal, unseal } from "../../src/oidc/sealed-box.js";

const key = Buffer.alloc(32, 1);
const otherKey = Buffer.alloc(32, 2);

describe("sealed box", () => {
  it("round-trips strings and buffers under a versioned format", () => {
    const sealed = seal("hello secret", key);
    expect(sealed).toMatch(/^porch-sealed:v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(sealed).not.toContain("hello");
    expect(unseal(sealed, key).toString("utf8")).toBe("hello secret");
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(unseal(seal(bytes, key), key).equals(bytes)).toBe(true);
  });

  it("uses a fresh nonce for every seal", () => {
    expect(seal("same", key)).not.toBe(seal("same", key));
  });

  it("refuses another master key with a message saying what to restore", () => {
    const sealed = seal("s", key);
    expect(() => unseal(sealed, otherKey)).toThrow(ConfigError);
    expect(() => unseal(sealed, otherKey)).toThrow(/PORCH_MASTER_KEY/);
  });

  it("refuses a value sealed for another context", () => {
    const sealed = seal("s", key, "kid-a");
    expect(unseal(sealed, key, "kid-a").toString()).toBe("s");
    expect(() => unseal(sealed, key, "kid-b")).toThrow(ConfigError);
  });

  it("detects tampering with the ciphertext", () => {
    const parts = seal("secret value", key).split(":");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => unseal(parts.join(":"), key)).toThrow(ConfigError);
  });

  it("rejects malformed input, unknown versions and wrong key sizes as internal errors", () => {
    expect(() => unseal("not sealed", key)).toThrow(InternalError);
    expect(() => unseal(seal("s", key).replace(":v1:", ":v9:"), key)).toThrow(/v9/);
    expect(() => seal("s", Buffer.alloc(16))).toThrow(InternalError);
  });
});
