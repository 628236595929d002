// Hostile requests for static files: traversal in every encoding, NUL bytes, overlong UTF-8,
// absolute paths, and symlinks inside `staticFiles.path` that lead outside it. Nothing outside
// `path` is ever served (a secret file outside is never in a body), and the status is a 4xx, never
// a 5xx. Symlinks that stay inside `path` are still served, and fingerprinting agrees with serving.
//
// Requests go out through node:http with the path written verbatim: supertest (superagent) parses
// the URL first and would turn `\` into `/` and resolve dot segments before the app saw them.
// fast-check prints the seed of a failure; rerun it with FC_SEED=<seed> (and FC_PATH=<path>).
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Express, NextFunction, Request, Response } from "express";
import fc from "fast-check";
import twilioIvr from "../../src";
import type { State } from "../../src";
import { fingerprintDirectory } from "../../src/static-files";
import { devConfig } from "../helpers/app";

const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }) };
jest.setTimeout(60_000);

const SECRET = `s3cret-content-${crypto.randomBytes(8).toString("hex")}`;
const INTRO = "intro-audio-bytes";
const INNER = "inner-audio-bytes";
const LEGIT = new Set([INTRO, INNER]);

let base: string;
let publicDir: string;

/**
 * base/
 *   secret.txt, outside/secret2.txt, public-evil/secret3.txt   (SECRET, all outside `path`)
 *   public/                        (staticFiles.path)
 *     intro.mp3, sub/inner.mp3, .hidden (SECRET: a dotfile, never served)
 *     alias.mp3 -> intro.mp3       subalias -> sub       sub/up -> ..        (inside: served)
 *     leak.txt -> ../secret.txt    abs-leak.txt -> <base>/secret.txt          (outside)
 *     outdir -> ../outside         evil -> ../public-evil (shares the prefix "public")
 *     sub/up2 -> ../..             chain.txt -> sub/link-out -> ../../secret.txt
 *     dangling -> nowhere          loop-a -> loop-b -> loop-a
 *   link-root -> public            (a `path` that is itself a symlink)
 */
function buildTree(): void {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ivr-hostile-static-")));
  publicDir = path.join(base, "public");
  const write = (rel: string, content: string): void => {
    fs.mkdirSync(path.dirname(path.join(base, rel)), { recursive: true });
    fs.writeFileSync(path.join(base, rel), content);
  };
  const link = (target: string, rel: string): void => {
    fs.symlinkSync(target, path.join(base, rel));
  };
  write("secret.txt", SECRET);
  write("outside/secret2.txt", SECRET);
  write("public-evil/secret3.txt", SECRET);
  write("public/intro.mp3", INTRO);
  write("public/sub/inner.mp3", INNER);
  write("public/.hidden", SECRET);
  link("intro.mp3", "public/alias.mp3");
  link("sub", "public/subalias");
  link("..", "public/sub/up");
  link("../secret.txt", "public/leak.txt");
  link(path.join(base, "secret.txt"), "public/abs-leak.txt");
  link("../outside", "public/outdir");
  link("../public-evil", "public/evil");
  link("../..", "public/sub/up2");
  link("../../secret.txt", "public/sub/link-out");
  link("sub/link-out", "public/chain.txt");
  link("nowhere", "public/dangling");
  link("loop-b", "public/loop-a");
  link("loop-a", "public/loop-b");
  link("public", "link-root");
}

interface Answer {
  status: number;
  body: string;
}

const agent = new http.Agent({ keepAlive: true });

/** Sends `rawPath` exactly as written as the request target. */
function rawRequest(port: number, rawPath: string, method = "GET"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: rawPath, method, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("latin1") });
      });
      res.on("error", reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer within 5 s for ${rawPath}`)));
    req.on("error", reject);
    req.end();
  });
}

function listen(app: Express): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}

function expectNothingOutside(answer: Answer, rawPath: string): void {
  if (answer.body.includes(SECRET)) throw new Error(`${rawPath} answered ${answer.status} with the content of a file outside path`);
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
}

beforeAll(buildTree);
afterAll(() => {
  agent.destroy();
  fs.rmSync(base, { recursive: true, force: true });
});

/** Each request path, relative to the mount; `${base}` stands for the temp dir's absolute path. */
const TRAVERSALS = [
  "/../secret.txt",
  "/%2e%2e/secret.txt",
  "/%2E%2E/secret.txt",
  "/.%2e/secret.txt",
  "/%2e./secret.txt",
  "/%2e%2e%2fsecret.txt",
  "/..%2fsecret.txt",
  "/..%2Fsecret.txt",
  "/%252e%252e/secret.txt",
  "/%252e%252e%252fsecret.txt",
  "/..%252fsecret.txt",
  "/..\\secret.txt",
  "/..%5csecret.txt",
  "/%2e%2e%5csecret.txt",
  "/sub\\..\\..\\secret.txt",
  "/%00../secret.txt",
  "/..%00/secret.txt",
  "/..%00%2fsecret.txt",
  "/intro.mp3%00",
  "/leak.txt%00.mp3",
  "/%c0%ae%c0%ae/secret.txt",
  "/%c0%ae%c0%ae%c0%afsecret.txt",
  "/%e0%80%ae%e0%80%ae/secret.txt",
  "/%c0%2e%c0%2e/secret.txt",
  "/%uff0e%uff0e/secret.txt",
  "/./../secret.txt",
  "/..//secret.txt",
  "/sub/../../secret.txt",
  "/sub/%2e%2e/%2e%2e/secret.txt",
  "/sub/..%2f..%2fsecret.txt",
  "/${base}/secret.txt",
  "//${base}/secret.txt",
  "/%2f${encodedBase}%2fsecret.txt",
  "/leak.txt",
  "/abs-leak.txt",
  "/outdir/secret2.txt",
  "/outdir%2fsecret2.txt",
  "/evil/secret3.txt",
  "/sub/up2/secret.txt",
  "/sub/up/../leak.txt",
  "/subalias/../leak.txt",
  "/sub/up/sub/up2/secret.txt",
  "/chain.txt",
  "/sub/link-out",
  "/.hidden",
  "/%2ehidden",
  "/sub/up/.hidden",
  "/dangling",
  "/loop-a",
  "/sub",
  "/sub/",
  "/",
  `/${"a".repeat(5000)}`,
  `/${"../".repeat(50)}secret.txt`,
];

const SERVED: [string, string][] = [
  ["/intro.mp3", INTRO],
  ["/%69ntro.mp3", INTRO],
  ["/sub/inner.mp3", INNER],
  ["/sub%2finner.mp3", INNER],
  ["/sub/../intro.mp3", INTRO],
  ["/alias.mp3", INTRO],
  ["/subalias/inner.mp3", INNER],
  ["/sub/up/intro.mp3", INTRO],
];

const expand = (rawPath: string): string =>
  rawPath.replaceAll("${base}", base.slice(1)).replaceAll("${encodedBase}", encodeURIComponent(base.slice(1)));

describe.each([
  { label: "path is the directory, mountPath /static", dir: () => publicDir, mountPath: "/static" },
  { label: "path is a symlink to the directory, mountPath /static", dir: () => path.join(base, "link-root"), mountPath: "/static" },
  { label: "path is the directory, no mountPath", dir: () => publicDir, mountPath: undefined },
])("static files when $label", ({ dir, mountPath }) => {
  const prefix = mountPath ?? "";
  let server: { port: number; close: () => Promise<void> };
  beforeAll(async () => {
    const app = twilioIvr([], devConfig({ staticFiles: { path: dir(), ...(mountPath === undefined ? {} : { mountPath }) } }));
    server = await listen(app);
  });
  afterAll(() => server.close());

  it.each(TRAVERSALS)("never serves anything outside path for %s (a 4xx)", async (rawPath) => {
    const target = prefix + expand(rawPath);
    expectNothingOutside(await rawRequest(server.port, target), target);
    expectNothingOutside(await rawRequest(server.port, target, "HEAD"), target);
  });

  it.each(TRAVERSALS.filter((p) => !p.startsWith("/${")).map((p) => [p]))("never serves outside path for an absolute-form target ending in %s", async (rawPath) => {
    const target = `http://ivr.example.com${prefix}${rawPath}`;
    expectNothingOutside(await rawRequest(server.port, target), target);
  });

  it.each(SERVED)("serves %s from inside path (symlinks that stay inside included)", async (rawPath, content) => {
    const answer = await rawRequest(server.port, prefix + rawPath);
    expect(answer).toEqual({ status: 200, body: content });
  });

  it("never serves outside path, and never answers 5xx, for random mixes of traversal pieces", async () => {
    const pieces = fc.constantFrom(
      "..", ".", "/", "//", "\\", "%2e", "%2E", "%2e%2e", ".%2e", "%2f", "%2F", "%5c", "%5C", "%252e", "%252f", "%25", "%00", "%c0%ae", "%c0%af",
      "%e0%80%ae", "%ff", "%", "?", "#", ";", "secret.txt", "secret2.txt", "secret3.txt", "leak.txt", "abs-leak.txt", "outdir", "evil", "sub",
      "subalias", "up", "up2", "link-out", "chain.txt", "intro.mp3", "inner.mp3", ".hidden", "public", "public-evil", "outside", "link-root",
      base.slice(1), encodeURIComponent(base),
    );
    const separators = fc.constantFrom("/", "/", "", "%2f", "\\", "%5c");
    const hostile = fc
      .array(fc.tuple(pieces, separators), { minLength: 1, maxLength: 12 })
      .map((parts) => parts.map(([piece, sep]) => piece + sep).join(""));
    // Detours that stay inside path and end at a real file: these must still be served.
    const benign = fc
      .tuple(
        fc.array(fc.constantFrom("./", "sub/../", "sub/up/", "%2e/", "subalias/../", "//", "sub%2f..%2f"), { maxLength: 4 }),
        fc.constantFrom<[string, string]>(["intro.mp3", INTRO], ["alias.mp3", INTRO], ["sub/inner.mp3", INNER], ["subalias/inner.mp3", INNER]),
      )
      .map(([detours, [file, content]]) => ({ rest: detours.join("") + file, content }));
    // The same detours, ending at a symlink that leads outside.
    const throughSymlinks = fc
      .tuple(
        fc.array(fc.constantFrom("./", "sub/../", "sub/up/", "%2e/", "subalias/../", "//", "sub%2f..%2f"), { maxLength: 4 }),
        fc.constantFrom("leak.txt", "abs-leak.txt", "outdir/secret2.txt", "outdir%2fsecret2.txt", "evil/secret3.txt", "sub/up2/secret.txt", "chain.txt", "sub/link-out"),
      )
      .map(([detours, file]) => detours.join("") + file);
    const statuses = new Map<number, number>();
    const cases = fc.oneof(
      { arbitrary: hostile.map((rest) => ({ rest, content: undefined })), weight: 4 },
      { arbitrary: throughSymlinks.map((rest) => ({ rest, content: undefined })), weight: 1 },
      { arbitrary: benign, weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ rest, content }) => {
        const target = `${prefix}/${rest}`;
        const answer = await rawRequest(server.port, target);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.body.includes(SECRET)) throw new Error(`${target} answered ${answer.status} with the content of a file outside path`);
        expect(answer.status).toBeLessThan(500);
        if (content !== undefined) expect(answer).toEqual({ status: 200, body: content });
        else if (answer.status === 200) expect(LEGIT.has(answer.body)).toBe(true);
      }),
      { numRuns: 400, ...seed },
    );
    // The runs reached real files as well as refusals.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(404)).toBeGreaterThan(0);
  });
});

describe("fingerprinting agrees with serving", () => {
  it("fingerprints no file whose real path is outside path, nor a dotfile, dangling link or loop", () => {
    const keys = [...fingerprintDirectory(publicDir).keys()];
    expect(keys).toEqual(expect.arrayContaining(["intro.mp3", "alias.mp3"]));
    // sub/ is reached as sub and as subalias and sub/up leads back to the root: each file is fingerprinted under one name at least.
    expect(keys.some((k) => k.endsWith("inner.mp3"))).toBe(true);
    for (const key of keys) {
      expect(key).not.toMatch(/leak|outdir|evil|up2|link-out|chain|dangling|loop|hidden/);
      const real = fs.realpathSync(path.join(publicDir, key));
      expect(real.startsWith(`${publicDir}/`)).toBe(true);
    }
  });

  it("serves every fingerprinted file, by its fingerprinted URL, with the content the fingerprint hashes", async () => {
    const app = twilioIvr([], devConfig({ staticFiles: { path: publicDir, mountPath: "/static" } }));
    const server = await listen(app);
    try {
      for (const [rel, md5] of fingerprintDirectory(publicDir)) {
        const answer = await rawRequest(server.port, `/static/${rel}?v=${md5}`);
        expect(answer.status).toBe(200);
        expect(crypto.createHash("md5").update(Buffer.from(answer.body, "latin1")).digest("hex")).toBe(md5);
      }
    } finally {
      await server.close();
    }
  });

  it("gives urlFor no fingerprint for a symlink leading outside (it throws, suggesting fingerprint: false)", async () => {
    const probe: State = { name: "probe", uri: "/probe", isEndState: true, twimlFor: (urlFor) => urlFor("/static/leak.txt") };
    const app = twilioIvr([probe], devConfig({ staticFiles: { path: publicDir, mountPath: "/static" } }));
    const errors: unknown[] = [];
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(err);
      res.status(500).end();
    });
    const server = await listen(app);
    try {
      expect((await rawRequest(server.port, "/probe", "POST")).status).toBe(500);
      expect(String(errors[0])).toMatch(/no such file in config.staticFiles.path/);
    } finally {
      await server.close();
    }
  });
});

describe("files that change on disk while the app runs", () => {
  let root: string;
  let server: { port: number; close: () => Promise<void> };
  beforeAll(async () => {
    root = path.join(base, "changing");
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, "first.mp3"), INTRO);
    server = await listen(twilioIvr([], devConfig({ staticFiles: { path: root, mountPath: "/static" } })));
  });
  afterAll(() => server.close());

  it("serves a file added after start-up, as serve-static would (checked once with realpath)", async () => {
    fs.writeFileSync(path.join(root, "later.mp3"), INNER);
    fs.mkdirSync(path.join(root, "newdir"));
    fs.writeFileSync(path.join(root, "newdir", "deeper.mp3"), INTRO);
    expect(await rawRequest(server.port, "/static/later.mp3")).toEqual({ status: 200, body: INNER });
    expect(await rawRequest(server.port, "/static/later.mp3")).toEqual({ status: 200, body: INNER });
    expect(await rawRequest(server.port, "/static/newdir/deeper.mp3")).toEqual({ status: 200, body: INTRO });
  });

  it("does not serve a symlink leading outside that was added after start-up", async () => {
    fs.symlinkSync(path.join(base, "secret.txt"), path.join(root, "late-leak.txt"));
    fs.symlinkSync(path.join(base, "outside"), path.join(root, "late-out"));
    for (const target of ["/static/late-leak.txt", "/static/late-out/secret2.txt", "/static/late-out%2fsecret2.txt"]) {
      expectNothingOutside(await rawRequest(server.port, target), target);
      // Asked twice: a refusal is not remembered as anything else.
      expectNothingOutside(await rawRequest(server.port, target), target);
    }
  });

  it("stops serving a file deleted after start-up (404, not 500)", async () => {
    fs.rmSync(path.join(root, "first.mp3"));
    expect((await rawRequest(server.port, "/static/first.mp3")).status).toBe(404);
  });
});
