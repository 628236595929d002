import fc from "fast-check";
import { isPathPattern, routeKey } from "../../src/routing/route-path";

describe("routeKey", () => {
  it.each([
    ["/incoming-call", "/incoming-call"],
    ["/Incoming-Call", "/incoming-call"],
    ["/Incoming-Call/", "/incoming-call"],
    ["/menu///", "/menu"],
    ["/a/B/c/", "/a/b/c"],
    ["/", "/"],
    ["//", "/"],
    ["/a//b", "/a//b"],
  ])("routeKey(%j) is %j", (path, key) => {
    expect(routeKey(path)).toBe(key);
  });

  it("keeps inner segments apart: /a/b and /ab differ", () => {
    expect(routeKey("/a/b")).not.toBe(routeKey("/ab"));
  });

  // ASCII only: Unicode case mapping is not round-trip safe (e.g. "ß" upper-cases to "SS").
  const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/);
  const literalPath = fc.array(segment, { minLength: 0, maxLength: 5 }).map((segments) => `/${segments.join("/")}`);
  const trailingSlashes = fc.integer({ min: 0, max: 3 }).map((n) => "/".repeat(n));

  it("is idempotent, case-insensitive and ignores trailing slashes (property)", () => {
    fc.assert(
      fc.property(literalPath, trailingSlashes, (path, slashes) => {
        const key = routeKey(path);
        expect(routeKey(key)).toBe(key);
        expect(routeKey(path.toUpperCase())).toBe(key);
        expect(routeKey(path.toLowerCase())).toBe(key);
        expect(routeKey(`${path}${slashes}`)).toBe(key);
        expect(key).toBe(key.toLowerCase());
        expect(key === "/" || !key.endsWith("/")).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("maps two paths to the same key only when they differ by case or trailing slashes (property)", () => {
    fc.assert(
      fc.property(literalPath, literalPath, (a, b) => {
        const same = a.toLowerCase().replace(/\/+$/, "") === b.toLowerCase().replace(/\/+$/, "");
        expect(routeKey(a) === routeKey(b)).toBe(same);
      }),
      { numRuns: 100 },
    );
  });
});

describe("isPathPattern", () => {
  it.each(["/calls/:id", "/files/*rest", "/a{/b}", "/:lang/menu"])("%j is an Express path pattern", (path) => {
    expect(isPathPattern(path)).toBe(true);
  });

  it.each(["/", "/incoming-call", "/static/hold.mp3", "/a_b/c~d", "/Menu/"])("%j is a literal path", (path) => {
    expect(isPathPattern(path)).toBe(false);
  });
});
