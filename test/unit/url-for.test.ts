import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { NextFunction, Request, Response } from "express";
import fc from "fast-check";
import request from "supertest";
import { createPathFingerprinter, type Fingerprinter } from "../../src/fingerprint";
import { createUrlFor, type UrlForSettings } from "../../src/url-for";
import type { State, UrlFor } from "../../src";
import { buildApp, devConfig, PUBLIC_HOST } from "../helpers/app";

const FIXTURES = path.join(__dirname, "..", "fixtures", "static");
const md5 = (file: string): string => crypto.createHash("md5").update(fs.readFileSync(path.join(FIXTURES, file))).digest("hex");
const FIXTURE_FILES = ["intro.mp3", "hold.mp3", "sub/deep/tone.wav"] as const;

/** A request as urlFor sees it: only `protocol` and `get` are consulted. */
function fakeReq(protocol = "http", headers: Record<string, string> = { host: "node-sees.internal:3000" }): Request {
  return { protocol, get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
}

function fixtureFingerprinter(): Fingerprinter {
  return createPathFingerprinter("/static", new Map(FIXTURE_FILES.map((f) => [`/static/${f}`, md5(f)])));
}

function makeUrlFor(settings: Partial<UrlForSettings> = {}, req: Request = fakeReq()): UrlFor {
  return createUrlFor(req, { fingerprinter: undefined, host: () => PUBLIC_HOST, scheme: undefined, ...settings });
}

describe("urlFor fingerprint defaults", () => {
  it("fingerprints by default when a fingerprinter exists and no query is given", () => {
    const urlFor = makeUrlFor({ fingerprinter: fixtureFingerprinter() });
    expect(urlFor("/static/intro.mp3")).toBe(`/static/intro.mp3?v=${md5("intro.mp3")}`);
  });

  it("does not fingerprint by default when a query is given", () => {
    const fingerprinter = jest.fn(fixtureFingerprinter());
    const urlFor = makeUrlFor({ fingerprinter });
    expect(urlFor("/gather", { query: { step: "2" } })).toBe("/gather?step=2");
    expect(fingerprinter).not.toHaveBeenCalled();
  });

  it("does not fingerprint by default without a fingerprinter", () => {
    expect(makeUrlFor()("/static/intro.mp3")).toBe("/static/intro.mp3");
  });

  it("skips the fingerprinter with fingerprint: false", () => {
    const fingerprinter = jest.fn(fixtureFingerprinter());
    expect(makeUrlFor({ fingerprinter })("/not-static", { fingerprint: false })).toBe("/not-static");
    expect(fingerprinter).not.toHaveBeenCalled();
  });

  it("throws when fingerprint: true is combined with a query", () => {
    const urlFor = makeUrlFor({ fingerprinter: fixtureFingerprinter() });
    expect(() => urlFor("/static/intro.mp3", { fingerprint: true, query: { a: "1" } })).toThrow(/fingerprint.*query/);
  });

  it("throws on fingerprint: true without a fingerprinter", () => {
    expect(() => makeUrlFor()("/static/intro.mp3", { fingerprint: true })).toThrow(/fingerprint: true.*staticFiles/);
  });

  it("calls the fingerprinter with exactly the given path", () => {
    const fingerprinter = jest.fn((url: string) => `${url}?rev=9`);
    expect(makeUrlFor({ fingerprinter })("/static/a b.mp3")).toBe("/static/a b.mp3?rev=9");
    expect(fingerprinter).toHaveBeenCalledTimes(1);
    expect(fingerprinter).toHaveBeenCalledWith("/static/a b.mp3");
  });

  it("propagates the built-in fingerprinter's error for a path outside the mount path", () => {
    const urlFor = makeUrlFor({ fingerprinter: fixtureFingerprinter() });
    expect(() => urlFor("/voicemail")).toThrow(/fingerprint: false/);
  });
});

describe("urlFor absolute URLs", () => {
  it("prefers the scheme option over config scheme and req.protocol", () => {
    const urlFor = makeUrlFor({ scheme: () => "https" }, fakeReq("http"));
    expect(urlFor("/a", { absolute: true, scheme: "ftp" })).toBe(`ftp://${PUBLIC_HOST}/a`);
  });

  it("uses config scheme(req) when no scheme option is given", () => {
    const scheme = jest.fn(() => "https");
    const req = fakeReq("http");
    expect(makeUrlFor({ scheme }, req)("/a", { absolute: true })).toBe(`https://${PUBLIC_HOST}/a`);
    expect(scheme).toHaveBeenCalledWith(req);
  });

  it("falls back to req.protocol without scheme option or config", () => {
    expect(makeUrlFor({}, fakeReq("http"))("/a", { absolute: true })).toBe(`http://${PUBLIC_HOST}/a`);
    expect(makeUrlFor({}, fakeReq("https"))("/a", { absolute: true })).toBe(`https://${PUBLIC_HOST}/a`);
  });

  it("prefers the host option over config host(req), which gets the request", () => {
    const host = jest.fn(() => "config-host.example");
    const req = fakeReq();
    const urlFor = makeUrlFor({ host }, req);
    expect(urlFor("/a", { absolute: true, host: "option-host.example:8443" })).toBe("http://option-host.example:8443/a");
    expect(urlFor("/a", { absolute: true })).toBe("http://config-host.example/a");
    expect(host).toHaveBeenCalledWith(req);
  });

  it("does not use the Host header seen by Node", () => {
    expect(makeUrlFor({}, fakeReq("http", { host: "evil.example" }))("/a", { absolute: true })).toBe(`http://${PUBLIC_HOST}/a`);
  });

  it("ignores host and scheme options when not absolute", () => {
    const host = jest.fn(() => "config-host.example");
    const scheme = jest.fn(() => "https");
    const urlFor = makeUrlFor({ host, scheme });
    expect(urlFor("/a", { host: "x.example", scheme: "ftp" })).toBe("/a");
    expect(urlFor("/a", { absolute: false, host: "x.example" })).toBe("/a");
    expect(host).not.toHaveBeenCalled();
    expect(scheme).not.toHaveBeenCalled();
  });

  it("makes a fingerprinted URL absolute", () => {
    const urlFor = makeUrlFor({ fingerprinter: fixtureFingerprinter(), scheme: () => "https" });
    expect(urlFor("/static/sub/deep/tone.wav", { absolute: true })).toBe(
      `https://${PUBLIC_HOST}/static/sub/deep/tone.wav?v=${md5("sub/deep/tone.wav")}`,
    );
  });

  it("makes a URL with a query absolute", () => {
    expect(makeUrlFor()("/a", { absolute: true, query: { x: "1" } })).toBe(`http://${PUBLIC_HOST}/a?x=1`);
  });
});

describe("urlFor query", () => {
  const urlFor = makeUrlFor();

  it("appends the query with ?", () => {
    expect(urlFor("/a", { query: { x: "1", y: 2, z: true } })).toBe("/a?x=1&y=2&z=true");
  });

  it("appends with & when the path already has a query", () => {
    expect(urlFor("/a?keep=1", { query: { x: "2" } })).toBe("/a?keep=1&x=2");
  });

  it("repeats array values", () => {
    expect(urlFor("/a", { query: { d: ["1", "2", 3] } })).toBe("/a?d=1&d=2&d=3");
  });

  it("drops undefined values", () => {
    expect(urlFor("/a", { query: { gone: undefined, kept: "k" } })).toBe("/a?kept=k");
    expect(urlFor("/a", { query: { gone: undefined } })).toBe("/a");
  });

  it("percent-encodes keys and values", () => {
    const url = urlFor("/a", { query: { "a&b": "c=d e/?" } });
    expect(url).not.toContain(" ");
    expect([...new URLSearchParams(url.slice(url.indexOf("?") + 1))]).toEqual([["a&b", "c=d e/?"]]);
  });
});

describe("urlFor properties", () => {
  const key = fc.string({ unit: "grapheme", maxLength: 8 });
  const value = fc.oneof(fc.string({ unit: "grapheme", maxLength: 12 }), fc.integer(), fc.boolean());
  const queryValue = fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }), fc.constant(undefined));

  it("keeps every user query param, in order, and drops undefined ones", () => {
    const urlFor = makeUrlFor({ fingerprinter: fixtureFingerprinter() });
    fc.assert(
      fc.property(fc.dictionary(key, queryValue, { maxKeys: 6 }), (query) => {
        const url = urlFor("/gather", { query });
        const expected = Object.entries(query).flatMap(([k, v]) =>
          v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((item) => [k, String(item)]),
        );
        const search = url.includes("?") ? url.slice(url.indexOf("?") + 1) : "";
        expect(url.startsWith("/gather")).toBe(true);
        expect([...new URLSearchParams(search)]).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it("adds exactly one v= param equal to the md5 and keeps the path's own query", () => {
    const urlFor = makeUrlFor({ fingerprinter: fixtureFingerprinter() });
    const params = fc.array(fc.tuple(key.filter((k) => k !== "v"), fc.string({ unit: "grapheme", maxLength: 12 })), {
      maxLength: 5,
    });
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURE_FILES), params, (file, pairs) => {
        const own = new URLSearchParams(pairs).toString();
        const url = urlFor(`/static/${file}${own === "" ? "" : `?${own}`}`);
        const [pathname, search = ""] = url.split("?", 2);
        expect(pathname).toBe(`/static/${file}`);
        const parsed = new URLSearchParams(search);
        expect(parsed.getAll("v")).toEqual([md5(file)]);
        expect([...parsed].filter(([k]) => k !== "v")).toEqual(pairs);
      }),
      { numRuns: 100 },
    );
  });
});

describe("urlFor through the real app", () => {
  it("hands twimlFor a urlFor whose results end up in the TwiML", async () => {
    const twimlFor = jest.fn((urlFor: UrlFor) =>
      [
        "<Response>",
        `<Play>${urlFor("/static/intro.mp3", { absolute: true })}</Play>`,
        `<Play>${urlFor("/static/sub/deep/tone.wav")}</Play>`,
        `<Redirect>${urlFor("/menu", { query: { attempt: 2 } })}</Redirect>`,
        `<Redirect>${urlFor("/other", { fingerprint: false, absolute: true, host: "h.example", scheme: "https" })}</Redirect>`,
        "</Response>",
      ].join(""),
    );
    const states: State[] = [{ name: "intro", uri: "/intro", isEndState: true, twimlFor }];
    const app = buildApp(states, devConfig({ staticFiles: { path: FIXTURES, mountPath: "/static" } }));

    const res = await request(app).post("/intro").type("form").send({ CallSid: "CA1" });

    expect(res.status).toBe(200);
    expect(res.text).toBe(
      "<Response>" +
        `<Play>http://${PUBLIC_HOST}/static/intro.mp3?v=${md5("intro.mp3")}</Play>` +
        `<Play>/static/sub/deep/tone.wav?v=${md5("sub/deep/tone.wav")}</Play>` +
        "<Redirect>/menu?attempt=2</Redirect>" +
        "<Redirect>https://h.example/other</Redirect>" +
        "</Response>",
    );
  });

  it("uses config scheme and host with the Express request", async () => {
    const host = jest.fn(() => "public.example");
    const scheme = jest.fn(() => "https");
    const states: State[] = [
      { name: "abs", uri: "/abs", isEndState: true, twimlFor: (urlFor) => `<Response><Redirect>${urlFor("/x", { absolute: true })}</Redirect></Response>` },
    ];
    const app = buildApp(states, devConfig({ urlFor: { host, scheme } }));

    const res = await request(app).post("/abs").set("Host", "internal:1234");

    expect(res.text).toBe("<Response><Redirect>https://public.example/x</Redirect></Response>");
    const req = host.mock.calls[0] as unknown as [Request];
    expect(req[0].get("host")).toBe("internal:1234");
    expect(scheme.mock.calls[0]).toEqual([req[0]]);
  });

  it("sends a urlFor error from twimlFor to the app's error handler", async () => {
    const states: State[] = [{ name: "bad", uri: "/bad", isEndState: true, twimlFor: (urlFor) => urlFor("/voicemail") }];
    const app = buildApp(states, devConfig({ staticFiles: { path: FIXTURES, mountPath: "/static" } }));
    const seen: unknown[] = [];
    app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
      seen.push(err);
      if (res.headersSent) {
        next(err);
        return;
      }
      res.status(500).send("handled");
    });

    const res = await request(app).post("/bad");

    expect(res.status).toBe(500);
    expect(res.text).toBe("handled");
    expect(String(seen[0])).toMatch(/fingerprint: false/);
  });
});
