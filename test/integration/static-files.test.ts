import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import express from "express";
import type { Express, Request, RequestHandler, Response } from "express";
import request from "supertest";
import twilioIvr from "../../src";
import type { Config, State, StaticFilesConfig } from "../../src";
import { devConfig, PUBLIC_HOST, validatingConfig } from "../helpers/app";

const FIXTURES = path.join(__dirname, "..", "fixtures", "static");
const bytesOf = (file: string): Buffer => fs.readFileSync(path.join(FIXTURES, file));
const md5 = (file: string): string => crypto.createHash("md5").update(bytesOf(file)).digest("hex");
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** A state whose TwiML is `urlFor(path)`, so tests can read urlFor's answer over HTTP. */
function urlForProbe(uri = "/probe"): State {
  return {
    name: "probe",
    uri,
    isEndState: true,
    twimlFor: (urlFor, input) => urlFor(String(input?.path), input?.absolute === "1" ? { absolute: true } : {}),
  };
}

/** The IVR app mounted in an outer app whose last handler is a recognisable 404. */
function outerApp(staticFiles: StaticFilesConfig, base: Config = devConfig()): Express {
  const outer = express();
  outer.use(twilioIvr([urlForProbe()], { ...base, staticFiles }));
  outer.use((_req, res) => {
    res.status(404).send("outer 404");
  });
  return outer;
}

/** GET that always buffers the body as bytes, whatever its content type. */
async function getBytes(app: Express, url: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const res = await request(app)
    .get(url)
    .buffer(true)
    .parse((stream, done) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        done(null, Buffer.concat(chunks));
      });
    });
  return { status: res.status, headers: res.headers, body: res.body as Buffer };
}

async function probe(app: Express, urlPath: string, absolute = false): Promise<string> {
  const res = await request(app)
    .post("/probe")
    .type("form")
    .send({ path: urlPath, absolute: absolute ? "1" : "0" });
  expect(res.status).toBe(200);
  return res.text;
}

describe.each([
  { label: "no mountPath", mountPath: undefined, prefix: "" },
  { label: 'mountPath "/"', mountPath: "/", prefix: "" },
  { label: 'mountPath "/static"', mountPath: "/static", prefix: "/static" },
  { label: 'mountPath "/static/"', mountPath: "/static/", prefix: "/static" },
  { label: 'mountPath "/a/b"', mountPath: "/a/b", prefix: "/a/b" },
])("static files with $label", ({ mountPath, prefix }) => {
  const app = outerApp({ path: FIXTURES, ...(mountPath === undefined ? {} : { mountPath }) });

  it.each(["intro.mp3", "hold.mp3", "sub/deep/tone.wav"])("serves %s byte for byte", async (file) => {
    const res = await getBytes(app, `${prefix}/${file}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(bytesOf(file))).toBe(true);
  });

  it("fingerprints URLs as <prefix>/<file>?v=<md5>", async () => {
    expect(await probe(app, `${prefix}/intro.mp3`)).toBe(`${prefix}/intro.mp3?v=${md5("intro.mp3")}`);
    expect(await probe(app, `${prefix}/sub/deep/tone.wav`)).toBe(`${prefix}/sub/deep/tone.wav?v=${md5("sub/deep/tone.wav")}`);
  });

  it("serves the fingerprinted URL urlFor produced", async () => {
    const url = await probe(app, `${prefix}/sub/deep/tone.wav`);
    const res = await getBytes(app, url);
    expect(res.status).toBe(200);
    expect(res.body.equals(bytesOf("sub/deep/tone.wav"))).toBe(true);
  });

  it("lets a missing file fall through to the outer app", async () => {
    const res = await request(app).get(`${prefix}/missing.mp3`);
    expect(res.status).toBe(404);
    expect(res.text).toBe("outer 404");
  });
});

describe("static file lookup", () => {
  const app = outerApp({ path: FIXTURES, mountPath: "/static" });

  it("accepts a path with a trailing slash", async () => {
    const slashApp = outerApp({ path: `${FIXTURES}/`, mountPath: "/static" });
    expect(await probe(slashApp, "/static/sub/deep/tone.wav")).toBe(`/static/sub/deep/tone.wav?v=${md5("sub/deep/tone.wav")}`);
    const res = await getBytes(slashApp, "/static/sub/deep/tone.wav");
    expect(res.status).toBe(200);
    expect(res.body.equals(bytesOf("sub/deep/tone.wav"))).toBe(true);
  });

  it("ignores the v parameter for lookup, even a stale one", async () => {
    for (const v of [md5("intro.mp3"), "stale", ""]) {
      const res = await getBytes(app, `/static/intro.mp3?v=${v}`);
      expect(res.status).toBe(200);
      expect(res.body.equals(bytesOf("intro.mp3"))).toBe(true);
    }
  });

  it("does not serve files outside the mount path", async () => {
    const res = await request(app).get("/intro.mp3");
    expect(res.status).toBe(404);
    expect(res.text).toBe("outer 404");
  });

  it("does not serve dotfiles", async () => {
    const res = await getBytes(app, "/static/.hidden");
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe("outer 404");
  });

  it.each(["/static/sub", "/static/sub/", "/static/sub/deep/", "/static/", "/static"])(
    "does not serve or redirect a directory request (%s)",
    async (url) => {
      const res = await request(app).get(url).redirects(0);
      expect(res.status).toBe(404);
      expect(res.text).toBe("outer 404");
      expect(res.headers.location).toBeUndefined();
    },
  );

  it("does not answer POST to a static file", async () => {
    const res = await request(app).post("/static/intro.mp3");
    expect(res.status).toBe(404);
    expect(res.text).toBe("outer 404");
  });
});

describe("static file caching headers", () => {
  const app = outerApp({ path: FIXTURES, mountPath: "/static" });

  it("sets far-future Cache-Control and Expires, plus ETag and Last-Modified", async () => {
    const before = Date.now();
    const res = await getBytes(app, `/static/intro.mp3?v=${md5("intro.mp3")}`);
    const after = Date.now();

    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000");
    const expires = Date.parse(String(res.headers.expires));
    expect(Number.isNaN(expires)).toBe(false);
    // HTTP dates have one-second resolution.
    expect(expires).toBeGreaterThanOrEqual(before + ONE_YEAR_MS - 5000);
    expect(expires).toBeLessThanOrEqual(after + ONE_YEAR_MS + 5000);
    expect(res.headers.etag).toEqual(expect.any(String));
    const lastModified = Date.parse(String(res.headers["last-modified"]));
    expect(lastModified).toBe(Math.floor(fs.statSync(path.join(FIXTURES, "intro.mp3")).mtimeMs / 1000) * 1000);
  });

  it("answers a matching If-None-Match with 304", async () => {
    const first = await getBytes(app, "/static/intro.mp3");
    const res = await request(app).get("/static/intro.mp3").set("If-None-Match", String(first.headers.etag));
    expect(res.status).toBe(304);
  });

  it("sets a content type from the extension", async () => {
    const res = await getBytes(app, "/static/intro.mp3");
    expect(res.headers["content-type"]).toMatch(/^audio\/mpeg/);
  });
});

describe("path traversal", () => {
  const SECRET = "TOP-SECRET-do-not-serve-4f1c";
  let root: string;
  let outer: Express;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ivr-traversal-"));
    const publicDir = path.join(root, "public");
    fs.mkdirSync(path.join(publicDir, "sub"), { recursive: true });
    fs.writeFileSync(path.join(publicDir, "ok.mp3"), "fine");
    fs.writeFileSync(path.join(publicDir, "sub", "ok.mp3"), "fine too");
    fs.writeFileSync(path.join(root, "secret"), SECRET);
    fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ secret: SECRET }));
    fs.writeFileSync(path.join(root, "public-evil.mp3"), SECRET);
    outer = express();
    outer.use(twilioIvr([], devConfig({ staticFiles: { path: publicDir, mountPath: "/static" } })));
    outer.use(twilioIvr([], devConfig({ staticFiles: { path: publicDir } })));
    outer.use((_req, res) => {
      res.status(404).send("outer 404");
    });
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("serves the legitimate file (control)", async () => {
    const res = await getBytes(outer, "/static/ok.mp3");
    expect(res.body.toString()).toBe("fine");
  });

  it.each([
    "/static/../package.json",
    "/static/../secret",
    "/static/..%2fsecret",
    "/static/..%2f..%2fpackage.json",
    "/static/..%2Fpackage.json",
    "/static/%2e%2e/secret",
    "/static/%2e%2e%2fsecret",
    "/static/sub/../../secret",
    "/static/sub/%2e%2e/%2e%2e/secret",
    "/static/..\\secret",
    "/static/..%5csecret",
    "/static/%252e%252e/secret",
    "/static/../public-evil.mp3",
    "/../secret",
    "/..%2fsecret",
    "/%2e%2e/package.json",
  ])("never returns content from outside path for %s", async (url) => {
    const res = await getBytes(outer, url);
    expect(res.body.toString()).not.toContain(SECRET);
    expect(res.status).not.toBe(200);
  });
});

describe("static files and request validation", () => {
  const endState: State = { name: "end", uri: "/end", isEndState: true, twimlFor: () => "<Response/>" };
  const app = twilioIvr([endState], validatingConfig({ staticFiles: { path: FIXTURES, mountPath: "/static" } }));

  it("rejects an unsigned POST to a state (control)", async () => {
    expect((await request(app).post("/end")).status).toBe(403);
  });

  it("serves static files without a signature", async () => {
    const res = await getBytes(app, `/static/intro.mp3?v=${md5("intro.mp3")}`);
    expect(res.status).toBe(200);
    expect(res.body.equals(bytesOf("intro.mp3"))).toBe(true);
  });

  it("serves static files even with a bogus signature", async () => {
    const res = await request(app).get("/static/intro.mp3").set("X-Twilio-Signature", "bogus").buffer(true);
    expect(res.status).toBe(200);
  });
});

describe("custom fingerprintUrl", () => {
  it("is what urlFor uses, called with the full public path including the mount path", async () => {
    const fingerprintUrl = jest.fn((url: string) => `${url}?rev=7`);
    const app = outerApp({ fingerprintUrl, mountPath: "/static/" }, devConfig({ urlFor: { host: () => PUBLIC_HOST, scheme: () => "https" } }));

    expect(await probe(app, "/static/sub/x.mp3")).toBe("/static/sub/x.mp3?rev=7");
    expect(fingerprintUrl).toHaveBeenLastCalledWith("/static/sub/x.mp3");
    expect(await probe(app, "/static/y.mp3", true)).toBe(`https://${PUBLIC_HOST}/static/y.mp3?rev=7`);
    expect(fingerprintUrl).toHaveBeenLastCalledWith("/static/y.mp3");
    expect(fingerprintUrl).toHaveBeenCalledTimes(2);
  });

  it("without middleware, lets requests under the mount path fall through to the outer app", async () => {
    const outer = express();
    outer.use(twilioIvr([], devConfig({ staticFiles: { fingerprintUrl: (u) => `${u}?rev=1`, mountPath: "/static" } })));
    outer.use("/static", (req, res) => {
      res.send(`outer static ${req.url}`);
    });

    const res = await request(outer).get("/static/sub/x.mp3?rev=1");

    expect(res.status).toBe(200);
    expect(res.text).toBe("outer static /sub/x.mp3?rev=1");
  });

  it("with middleware, hands it req.url without the mount path", async () => {
    const middleware = jest.fn((req: Request, res: Response) => {
      res.send(`mw ${req.url}`);
    });
    const app = outerApp({ fingerprintUrl: (u) => `${u}?rev=1`, mountPath: "/static", middleware });

    const res = await request(app).get("/static/sub/x.mp3?rev=1");

    expect(res.text).toBe("mw /sub/x.mp3?rev=1");
    expect(middleware).toHaveBeenCalledTimes(1);
    expect(middleware.mock.calls[0]?.[0].originalUrl).toBe("/static/sub/x.mp3?rev=1");
  });

  it("does not send requests outside the mount path to the middleware", async () => {
    const middleware = jest.fn((_req: Request, res: Response) => {
      res.send("mw");
    });
    const app = outerApp({ fingerprintUrl: (u) => u, mountPath: "/static", middleware });

    const res = await request(app).get("/elsewhere/x.mp3");

    expect(res.text).toBe("outer 404");
    expect(middleware).not.toHaveBeenCalled();
  });
});

describe("custom middleware in path mode", () => {
  it("replaces the built-in file server and sees req.url without the mount path", async () => {
    const middleware = jest.fn((req: Request, res: Response) => {
      res.send(`mw ${req.url}`);
    });
    const app = outerApp({ path: FIXTURES, mountPath: "/static", middleware });

    const res = await request(app).get(`/static/intro.mp3?v=${md5("intro.mp3")}`);

    expect(res.text).toBe(`mw /intro.mp3?v=${md5("intro.mp3")}`);
    expect(await probe(app, "/static/intro.mp3")).toBe(`/static/intro.mp3?v=${md5("intro.mp3")}`);
  });

  it("can hand on with next() to the outer app", async () => {
    const middleware: RequestHandler = (_req, _res, next) => {
      next();
    };
    const app = outerApp({ path: FIXTURES, mountPath: "/static", middleware });

    const res = await request(app).get("/static/intro.mp3");

    expect(res.status).toBe(404);
    expect(res.text).toBe("outer 404");
  });
});
