// Files larger than one read (the static server reads 256 kB at a time): served whole and
// byte-identical, by range, by HEAD, and revalidated, from a listening server.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import twilioIvr from "../../src";
import { devConfig } from "../helpers/app";
import { listenLoopback, type Loopback } from "../helpers/loopback";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tif-large-"));
const SIZE = 3_000_000 + 123; // not a multiple of any read size
const content = crypto.randomBytes(SIZE);
fs.writeFileSync(path.join(dir, "big.wav"), content);

let server: Loopback;
let base: string;
beforeAll(async () => {
  const app = twilioIvr([{ name: "E", uri: "/e", isEndState: true, twimlFor: () => "<Response/>" }], devConfig({ staticFiles: { path: dir, mountPath: "/static" } }));
  server = await listenLoopback(() => app);
  base = server.base;
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One request with exactly these headers (fetch would add Cache-Control: no-cache to a conditional one). */
function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${url}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

it("serves a 3 MB file whole and byte-identical, with its length and validators", async () => {
  const res = await get("/static/big.wav?v=whatever");
  expect(res.status).toBe(200);
  expect(res.headers["content-length"]).toBe(String(SIZE));
  expect(res.body.equals(content)).toBe(true);
  expect(res.headers.etag).toBeDefined();
  const again = await get("/static/big.wav", { "If-None-Match": String(res.headers.etag) });
  expect(again.status).toBe(304);
  expect(again.body).toHaveLength(0);
});

it("HEAD gives the length and no body", async () => {
  const res = await get("/static/big.wav", {}, "HEAD");
  expect(res.status).toBe(200);
  expect(res.headers["content-length"]).toBe(String(SIZE));
  expect(res.body).toHaveLength(0);
});

it("property: any byte range comes back exactly (206 with Content-Range)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: SIZE - 1 }), fc.nat({ max: SIZE - 1 }), async (a, b) => {
      const [start, end] = a <= b ? [a, b] : [b, a];
      const res = await get("/static/big.wav", { Range: `bytes=${start}-${end}` });
      expect(res.status).toBe(206);
      expect(res.headers["content-range"]).toBe(`bytes ${start}-${end}/${SIZE}`);
      expect(res.body.equals(content.subarray(start, end + 1))).toBe(true);
    }),
    { numRuns: 40 },
  );
});
