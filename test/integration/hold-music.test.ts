import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import express from "express";
import type { Express, RequestHandler } from "express";
import request from "supertest";
import twilioIvr from "../../src";
import type { Config, HoldMusicConfig, State, StaticFilesConfig, UrlFor } from "../../src";
import { AUTH_TOKEN, PUBLIC_HOST, sign } from "../helpers/app";

const FIXTURES = path.join(__dirname, "..", "fixtures", "static");
const md5 = (file: string): string => crypto.createHash("md5").update(fs.readFileSync(file)).digest("hex");
const HOLD_MD5 = md5(path.join(FIXTURES, "hold.mp3"));
const PLAY_TWIML = /^(?:<\?xml[^>]*\?>)?<Response><Play loop="1000">([^<]*)<\/Play><\/Response>$/;

function config(staticFiles: StaticFilesConfig, validate = false): Config {
  return {
    twilio: validate ? { authToken: AUTH_TOKEN } : { authToken: "", validate: false },
    urlFor: { host: () => PUBLIC_HOST, scheme: () => "https" },
    staticFiles,
  };
}

/** A state whose TwiML is `urlFor(<posted path>)`. */
const probeState: State = { name: "probe", uri: "/probe", isEndState: true, twimlFor: (urlFor, input) => urlFor(String(input?.path)) };

function outerApp(staticFiles: StaticFilesConfig, validate = false): Express {
  const outer = express();
  outer.use(twilioIvr([probeState], config(staticFiles, validate)));
  outer.use((_req, res) => {
    res.status(404).send("outer 404");
  });
  return outer;
}

async function probe(app: Express, urlPath: string): Promise<string> {
  const res = await request(app).post("/probe").type("form").send({ path: urlPath });
  expect(res.status).toBe(200);
  return res.text;
}

/** The URL inside the default `<Play loop="1000">` TwiML; fails the test if the body has another shape. */
function playedUrl(body: string): string {
  const match = PLAY_TWIML.exec(body);
  expect(match).not.toBeNull();
  return match![1]!.replace(/&amp;/g, "&");
}

describe.each([
  { label: "no mountPath", mountPath: undefined, prefix: "" },
  { label: 'mountPath "/static"', mountPath: "/static", prefix: "/static" },
  { label: 'mountPath "/static/"', mountPath: "/static/", prefix: "/static" },
])("default hold-music endpoint with $label", ({ mountPath, prefix }) => {
  const app = outerApp({ path: FIXTURES, ...(mountPath === undefined ? {} : { mountPath }), holdMusic: { fileRelativeUri: "hold.mp3" } });

  it.each(["get", "post"] as const)("answers %s with Play loop=1000 of the absolute fingerprinted file URL", async (method) => {
    const res = await request(app)[method](`${prefix}/hold-music`);

    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/xml/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000");
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}${prefix}/hold.mp3?v=${HOLD_MD5}`);
  });

  it("answers a form-encoded POST like Twilio's default waitUrlMethod", async () => {
    const res = await request(app).post(`${prefix}/hold-music`).type("form").send({ CallSid: "CA1", QueueTime: "3" });
    expect(res.status).toBe(200);
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}${prefix}/hold.mp3?v=${HOLD_MD5}`);
  });

  it("answers the fingerprinted endpoint URL that urlFor gives, fingerprinted by the music file", async () => {
    const url = await probe(app, `${prefix}/hold-music`);
    expect(url).toBe(`${prefix}/hold-music?v=${HOLD_MD5}`);
    const res = await request(app).get(url);
    expect(res.status).toBe(200);
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}${prefix}/hold.mp3?v=${HOLD_MD5}`);
  });

  it("still serves the music file itself", async () => {
    const res = await request(app).get(`${prefix}/hold.mp3`).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => {
        done(null, Buffer.concat(chunks));
      });
    });
    expect(res.status).toBe(200);
    expect((res.body as Buffer).equals(fs.readFileSync(path.join(FIXTURES, "hold.mp3")))).toBe(true);
  });

  it("does not answer other methods", async () => {
    const res = await request(app).put(`${prefix}/hold-music`);
    expect(res.status).toBe(404);
    expect(res.text).toBe("outer 404");
  });
});

describe("hold-music configuration", () => {
  it('treats fileRelativeUri "./hold.mp3" like "hold.mp3"', async () => {
    const plain = outerApp({ path: FIXTURES, mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3" } });
    const dotted = outerApp({ path: FIXTURES, mountPath: "/static", holdMusic: { fileRelativeUri: "./hold.mp3" } });
    const a = await request(plain).get("/static/hold-music");
    const b = await request(dotted).get("/static/hold-music");
    expect(b.status).toBe(200);
    expect(b.text).toBe(a.text);
    expect(playedUrl(b.text)).toBe(`https://${PUBLIC_HOST}/static/hold.mp3?v=${HOLD_MD5}`);
    expect(await probe(dotted, "/static/hold-music")).toBe(`/static/hold-music?v=${HOLD_MD5}`);
  });

  it("plays a music file in a nested folder", async () => {
    const app = outerApp({ path: FIXTURES, mountPath: "/static", holdMusic: { fileRelativeUri: "sub/deep/tone.wav" } });
    const tone = md5(path.join(FIXTURES, "sub/deep/tone.wav"));
    expect(playedUrl((await request(app).get("/static/hold-music")).text)).toBe(`https://${PUBLIC_HOST}/static/sub/deep/tone.wav?v=${tone}`);
    expect(await probe(app, "/static/hold-music")).toBe(`/static/hold-music?v=${tone}`);
  });

  it("serves a custom endpoint that starts with the mount path string under the mount path only", async () => {
    const app = outerApp({ path: FIXTURES, mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3", endpoint: "/static-hold" } });

    const res = await request(app).get("/static/static-hold");
    expect(res.status).toBe(200);
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}/static/hold.mp3?v=${HOLD_MD5}`);
    expect(await probe(app, "/static/static-hold")).toBe(`/static/static-hold?v=${HOLD_MD5}`);

    for (const notIt of ["/static-hold", "/static/hold-music"]) {
      const other = await request(app).get(notIt);
      expect(other.status).toBe(404);
      expect(other.text).toBe("outer 404");
    }
  });

  it("uses holdMusic.twimlFor, called with urlFor only", async () => {
    const twimlFor = jest.fn((urlFor: UrlFor) => `<Response><Say>Please hold</Say><Play>${urlFor("/static/hold.mp3")}</Play></Response>`);
    const app = outerApp({ path: FIXTURES, mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3", twimlFor } });

    const res = await request(app).get("/static/hold-music");

    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000");
    expect(res.text).toBe(`<Response><Say>Please hold</Say><Play>/static/hold.mp3?v=${HOLD_MD5}</Play></Response>`);
    expect(twimlFor).toHaveBeenCalledTimes(1);
    expect(twimlFor.mock.calls[0]).toEqual([expect.any(Function)]);
  });

  it("accepts a promise from holdMusic.twimlFor", async () => {
    const holdMusic: HoldMusicConfig = { fileRelativeUri: "hold.mp3", twimlFor: async () => "<Response><Pause/></Response>" };
    const res = await request(outerApp({ path: FIXTURES, holdMusic })).post("/hold-music");
    expect(res.text).toBe("<Response><Pause/></Response>");
  });

  it.each([
    ["throws", (): never => { throw new Error("music service down"); }, /music service down/],
    ["returns undefined", (): undefined => undefined, /holdMusic\.twimlFor returned undefined/],
    ["returns a plain object", () => ({ loop: 1 }), /holdMusic\.twimlFor returned an object/],
  ])("hands an error to the app's error middleware when holdMusic.twimlFor %s", async (_label, twimlFor, message) => {
    const app = twilioIvr([probeState], config({ path: FIXTURES, holdMusic: { fileRelativeUri: "hold.mp3", twimlFor: twimlFor as HoldMusicConfig["twimlFor"] } }));
    const seen: unknown[] = [];
    app.use(((err, _req, res, _next) => {
      seen.push(err);
      res.status(599).send("handled");
    }) as express.ErrorRequestHandler);
    const res = await request(app).get("/hold-music");
    expect(res.status).toBe(599);
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toMatch(message);
  });

  it("throws at creation when the music file does not exist", () => {
    expect(() => twilioIvr([], config({ path: FIXTURES, mountPath: "/static", holdMusic: { fileRelativeUri: "nope.mp3" } }))).toThrow(
      /fileRelativeUri.*nope\.mp3/,
    );
  });

  it("throws at creation when fileRelativeUri names a directory", () => {
    expect(() => twilioIvr([], config({ path: FIXTURES, holdMusic: { fileRelativeUri: "sub/deep" } }))).toThrow(/sub\/deep/);
  });
});

describe("hold music with a custom fingerprintUrl", () => {
  const fingerprintUrl = (url: string): string => url.replace(/^\/static\//, "/static/v1/");

  it("fingerprints both the endpoint and the music file with the user's function", async () => {
    const spy = jest.fn(fingerprintUrl);
    const app = outerApp({ fingerprintUrl: spy, mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3" } });

    expect(await probe(app, "/static/hold-music")).toBe("/static/v1/hold-music");
    expect(spy).toHaveBeenLastCalledWith("/static/hold-music");

    const res = await request(app).get("/static/hold-music");
    expect(res.status).toBe(200);
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}/static/v1/hold.mp3`);
    expect(spy).toHaveBeenLastCalledWith("/static/hold.mp3");
  });

  it("without user middleware, the endpoint answers before anything else", async () => {
    const app = outerApp({ fingerprintUrl, mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3" } });
    const res = await request(app).get("/static/hold-music");
    expect(res.status).toBe(200);
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}/static/v1/hold.mp3`);
  });

  it("runs the user's middleware first; it can rewrite req.url back to the endpoint and call next()", async () => {
    const calls: string[] = [];
    const middleware: RequestHandler = (req, res, next) => {
      calls.push(req.url);
      if (req.url.startsWith("/v1/hold-music")) {
        req.url = req.url.slice("/v1".length);
        next();
        return;
      }
      res.send(`user served ${req.url}`);
    };
    const holdTwiml = jest.fn((urlFor: UrlFor) => `<Response><Play>${urlFor("/static/hold.mp3", { absolute: true })}</Play></Response>`);
    const app = outerApp({ fingerprintUrl, mountPath: "/static", middleware, holdMusic: { fileRelativeUri: "hold.mp3", twimlFor: holdTwiml } });

    const endpointUrl = await probe(app, "/static/hold-music");
    const res = await request(app).get(endpointUrl);

    expect(calls).toEqual(["/v1/hold-music"]);
    expect(res.status).toBe(200);
    expect(res.text).toBe(`<Response><Play>https://${PUBLIC_HOST}/static/v1/hold.mp3</Play></Response>`);
    expect(holdTwiml).toHaveBeenCalledTimes(1);

    const file = await request(app).get("/static/v1/hold.mp3");
    expect(file.text).toBe("user served /v1/hold.mp3");
    expect(holdTwiml).toHaveBeenCalledTimes(1);
  });

  it("lets the user's middleware answer the endpoint itself", async () => {
    const middleware: RequestHandler = (req, res) => {
      res.send(`user owns ${req.url}`);
    };
    const app = outerApp({ fingerprintUrl, mountPath: "/static", middleware, holdMusic: { fileRelativeUri: "hold.mp3" } });
    const res = await request(app).get("/static/hold-music");
    expect(res.text).toBe("user owns /hold-music");
  });
});

describe("hold-music endpoint order in path mode", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ivr-hold-"));
    fs.writeFileSync(path.join(dir, "hold.mp3"), "music");
    // A file with the endpoint's name: the endpoint must win over the file server.
    fs.writeFileSync(path.join(dir, "hold-music"), "RAW FILE NAMED LIKE THE ENDPOINT");
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers the endpoint before the built-in file server", async () => {
    const app = outerApp({ path: dir, mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3" } });
    const res = await request(app).get("/static/hold-music");
    expect(res.text).not.toContain("RAW FILE");
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}/static/hold.mp3?v=${md5(path.join(dir, "hold.mp3"))}`);
  });

  it("runs the user's middleware before the endpoint, which answers after next()", async () => {
    const seen: string[] = [];
    const middleware: RequestHandler = (req, _res, next) => {
      seen.push(req.url);
      next();
    };
    const app = outerApp({ path: dir, mountPath: "/static", middleware, holdMusic: { fileRelativeUri: "hold.mp3" } });
    const res = await request(app).get(`/static/hold-music?v=${md5(path.join(dir, "hold.mp3"))}`);
    expect(seen).toEqual([`/hold-music?v=${md5(path.join(dir, "hold.mp3"))}`]);
    expect(res.status).toBe(200);
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}/static/hold.mp3?v=${md5(path.join(dir, "hold.mp3"))}`);
  });
});

describe("hold music and request validation", () => {
  const app = outerApp({ path: FIXTURES, mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3" } }, true);
  const endpoint = `https://${PUBLIC_HOST}/static/hold-music`;

  it("rejects an unsigned request with 403", async () => {
    const res = await request(app).get("/static/hold-music");
    expect(res.status).toBe(403);
    expect(res.text).not.toContain("<Play");
  });

  it("answers a GET signed for the public URL", async () => {
    const res = await request(app).get("/static/hold-music").set("X-Twilio-Signature", sign(endpoint));
    expect(res.status).toBe(200);
    expect(playedUrl(res.text)).toBe(`https://${PUBLIC_HOST}/static/hold.mp3?v=${HOLD_MD5}`);
  });

  it("answers a POST signed over its body", async () => {
    const params = { CallSid: "CA1", QueueTime: "12" };
    const res = await request(app).post("/static/hold-music").type("form").set("X-Twilio-Signature", sign(endpoint, params)).send(params);
    expect(res.status).toBe(200);
  });

  it("still serves the music file without a signature", async () => {
    expect((await request(app).get("/static/hold.mp3").buffer(true)).status).toBe(200);
  });
});
