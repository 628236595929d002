// A closed-loop HTTP load generator on node:http keep-alive agents: `connections` workers, each
// sending its next request as soon as the previous response has been read to the end.
import http from "node:http";
import { performance } from "node:perf_hooks";

/**
 * @typedef {object} Target
 * @property {number} port
 * @property {"GET" | "POST"} method
 * @property {string} path
 * @property {Buffer} [body]
 * @property {Buffer[]} [bodies] - instead of `body`: requests take these in turn (round robin over all connections)
 * @property {Record<string, string | number>} [headers]
 * @property {number} connections
 */

/** Keeps one agent (one set of warm connections) per target across rounds. */
export function createClient(/** @type {Target} */ target) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: target.connections, maxFreeSockets: target.connections });
  const base = { agent, host: "127.0.0.1", port: target.port, method: target.method, path: target.path };
  const optionsFor = (body) =>
    body === undefined ? { ...base, headers: { ...target.headers } } : { ...base, headers: { ...target.headers, "content-length": body.length } };
  const bodies = target.bodies ?? [target.body];
  const prepared = bodies.map((body) => ({ body, options: optionsFor(body) }));
  let nextBody = 0;

  /**
   * One request, resolved with status, body length and (when asked) the body itself. It sends the
   * target's next body, or `body` when given (e.g. a check's own call).
   */
  function request(keepBody = false, body = undefined) {
    let sending;
    if (body === undefined) {
      sending = prepared[nextBody];
      nextBody = (nextBody + 1) % prepared.length;
    } else {
      sending = { body, options: optionsFor(body) };
    }
    return new Promise((resolve, reject) => {
      const req = http.request(sending.options, (res) => {
        const chunks = [];
        let bytes = 0;
        res.on("data", (chunk) => {
          bytes += chunk.length;
          if (keepBody) chunks.push(chunk);
        });
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, body: keepBody ? Buffer.concat(chunks) : undefined });
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(sending.body);
    });
  }

  /**
   * Runs the loop for `durationMs`. Requests already in flight when time is up are awaited and
   * counted; the rate divides by the time until the last of them finished.
   */
  async function run(durationMs, expectStatus = 200) {
    let completed = 0;
    let errors = 0;
    let bytes = 0;
    const started = performance.now();
    const stopAt = started + durationMs;
    const worker = async () => {
      while (performance.now() < stopAt) {
        try {
          const res = await request();
          if (res.status === expectStatus) completed++;
          else errors++;
          bytes += res.bytes;
        } catch {
          errors++;
        }
      }
    };
    const cpuBefore = process.cpuUsage();
    await Promise.all(Array.from({ length: target.connections }, worker));
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      rps: (completed * 1000) / elapsedMs,
      completed,
      errors,
      bytes,
      elapsedMs,
      clientCpuUs: cpu.user + cpu.system,
    };
  }

  return { request, run, close: () => agent.destroy() };
}
