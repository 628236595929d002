// The `wrk` load generator (Debian's package), driven like load.mjs's client: what the issue's own
// measurements use, and lighter on the CPU than a Node client, so the server is loaded harder.
// A round's length is whole seconds (wrk takes no fractions).
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "./load.mjs";

/** wrk's version line, or undefined when it is not on PATH. */
export function wrkVersion() {
  try {
    // `wrk -v` prints its version and exits 1.
    execFileSync("wrk", ["-v"], { stdio: "pipe" });
  } catch (err) {
    const out = `${err.stdout ?? ""}${err.stderr ?? ""}`;
    const match = /^wrk \S+/m.exec(out);
    if (match) return match[0];
  }
  return undefined;
}

/** A Lua string literal of exactly these bytes (a string is taken as UTF-8). */
const luaString = (value) => `"${[...(Buffer.isBuffer(value) ? value : Buffer.from(value))].map((b) => `\\${b}`).join("")}"`;

/** A Lua script sending the target's method, headers and body (or its bodies in turn). */
function script(target) {
  const bodies = target.bodies ?? (target.body === undefined ? [] : [target.body]);
  const headers = Object.entries(target.headers ?? {}).filter(([name]) => name.toLowerCase() !== "content-length");
  return [
    `wrk.method = ${luaString(target.method)}`,
    ...headers.map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(String(value))}`),
    `local bodies = { ${bodies.map((b) => luaString(b)).join(", ")} }`,
    "local i = 0",
    "request = function()",
    "  if #bodies == 0 then return wrk.format(nil, nil, nil, nil) end",
    "  i = i % #bodies + 1",
    // wrk.format adds the Content-Length of the body.
    "  return wrk.format(nil, nil, nil, bodies[i])",
    "end",
  ].join("\n");
}

/** Reads wrk's summary: requests completed, bytes read, seconds, non-2xx/3xx answers, socket errors. */
function parse(out) {
  const done = /(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w*B) read/.exec(out);
  if (!done) throw new Error(`unexpected wrk output:\n${out}`);
  const seconds = Number(done[2]) * ({ us: 1e-6, ms: 1e-3, s: 1, m: 60 }[done[3]] ?? NaN);
  const bytes = Number(done[4]) * ({ B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[done[5]] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { requests: Number(done[1]), seconds, bytes, non2xx, socketErrors };
}

/**
 * A client with load.mjs's interface whose rounds run wrk. Single requests (the bench's checks
 * of each answer) still go through a Node client, since wrk does not hand answers back.
 */
export function createWrkClient(target) {
  const checker = createClient(target);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tif-wrk-"));
  const scriptFile = path.join(dir, "request.lua");
  fs.writeFileSync(scriptFile, script(target));

  function run(durationMs) {
    // Whole seconds, and at least 2: a 1 s wrk run is mostly connection set-up and ramp.
    const seconds = Math.max(2, Math.round(durationMs / 1000));
    const args = ["-t1", `-c${target.connections}`, `-d${seconds}s`, "-s", scriptFile, `http://127.0.0.1:${target.port}${target.path}`];
    return new Promise((resolve, reject) => {
      execFile("wrk", args, { timeout: (seconds + 30) * 1000 }, (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`wrk ${args.join(" ")} failed: ${err.message}\n${stdout}${stderr}`));
          return;
        }
        const r = parse(stdout);
        // wrk counts anything outside 2xx/3xx; the bench's targets all answer 200.
        const errors = r.non2xx + r.socketErrors;
        resolve({
          rps: (r.requests - r.non2xx) / r.seconds,
          completed: r.requests - r.non2xx,
          errors,
          bytes: r.bytes,
          elapsedMs: r.seconds * 1000,
          clientCpuUs: undefined, // wrk's own CPU time is not read back
        });
      });
    });
  }

  return {
    request: checker.request,
    run,
    close: () => {
      checker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
