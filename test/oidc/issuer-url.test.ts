import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/porch-error.js";
import { iamProviderId, oidcDocumentPaths, validateIssuerUrl } from "../../src/oidc/issuer-url.js";

describe("validateIssuerUrl", () => {
  it.each(["https://oidc.example.com", "https://oidc.example.com/porch", "https://example.github.io/org/porch-oidc"])("accepts %s", (url) => {
    expect(validateIssuerUrl(url).hostname).toBe(new URL(url).hostname);
  });

  it.each([
    ["http://oidc.example.com", /must use https/],
    ["https://oidc.example.com:8443", /must not contain a port/],
    ["https://oidc.example.com:443", /must not contain a port/],
    ["https://oidc.example.com/?x=1", /must not contain a query/],
    ["https://oidc.example.com/a?", /must not contain a query/],
    ["https://oidc.example.com/a#frag", /must not contain a fragment/],
    ["https://oidc.example.com/", /must not end with '\/'; use 'https:\/\/oidc.example.com'/],
    ["https://oidc.example.com/porch/", /must not end with '\/'/],
    ["https://OIDC.example.com", /canonical form; write it as 'https:\/\/oidc.example.com'/],
    ["https://oidc.example.com/a/../b", /canonical form; write it as 'https:\/\/oidc.example.com\/b'/],
    [" https://oidc.example.com", /surrounding whitespace/],
    ["https://user:pw@oidc.example.com", /user credentials/],
    ["oidc.example.com", /is not a URL/],
  ])("rejects %s", (url, why) => {
    const err = (() => {
      try {
        validateIssuerUrl(url);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).category).toBe("user");
    expect((err as ConfigError).code).toBe("oidc_issuer_url_invalid");
    expect((err as ConfigError).message).toContain("PORCH_OIDC_ISSUER_URL");
    expect((err as ConfigError).message).toMatch(why);
  });

  it("accepts an IPv6 literal without a port but not with one", () => {
    expect(validateIssuerUrl("https://[2001:db8::1]/x").hostname).toBe("[2001:db8::1]");
    expect(() => validateIssuerUrl("https://[2001:db8::1]:8443/x")).toThrow(/port/);
  });
});

describe("issuer-derived paths", () => {
  it("puts the documents under the issuer path", () => {
    expect(oidcDocumentPaths("https://h.example/a/b")).toEqual({
      discovery: "/a/b/.well-known/openid-configuration",
      jwks: "/a/b/.well-known/jwks.json",
    });
    expect(oidcDocumentPaths("https://h.example")).toEqual({
      discovery: "/.well-known/openid-configuration",
      jwks: "/.well-known/jwks.json",
    });
  });

  it("gives the IAM condition-key prefix as host plus path", () => {
    expect(iamProviderId("https://h.example/a/b")).toBe("h.example/a/b");
    expect(iamProviderId("https://h.example")).toBe("h.example");
  });
});
