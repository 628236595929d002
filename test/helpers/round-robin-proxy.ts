// A load balancer in the test process, in front of app processes (test/helpers/app-process.ts):
// each request goes to the next instance in turn, with the Host header of the instance (as many
// proxies do), so a signature is only accepted through `urlFor.host`. No connection reuse: a
// restarted instance never gets a dead pooled socket.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AppProcess } from "./app-process";

/** One request the proxy forwarded: its path and query, the answer's status, and the process that served it (its `x-instance` header, `A:<pid>`). */
export interface Forwarded {
  path: string;
  status: number;
  servedBy: string;
}

export interface RoundRobinProxy {
  /** `127.0.0.1:<port>`: the host Twilio calls, and signs URLs with. */
  host: string;
  url: string;
  /** Every request forwarded since the last `route`. */
  log: Forwarded[];
  /** Sends the following requests to these instances in turn, starting with the first; clears the log. */
  route(...targets: AppProcess[]): void;
  close(): Promise<void>;
}

/** The instance's name in an `x-instance` header (`A:<pid>` -> `A`). */
export const instanceName = (servedBy: string): string => servedBy.split(":")[0] ?? "";

export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let targets: AppProcess[] = [];
  let next = 0;
  const log: Forwarded[] = [];
  const server = http.createServer((req, res) => {
    const target = targets[next++ % targets.length];
    if (target === undefined) {
      res.writeHead(503).end("no instance");
      return;
    }
    const forwarded = http.request(
      {
        host: "127.0.0.1",
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${target.port}` },
        agent: false,
      },
      (answer) => {
        log.push({ path: req.url ?? "", status: answer.statusCode ?? 0, servedBy: String(answer.headers["x-instance"]) });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on("error", (err) => {
      log.push({ path: req.url ?? "", status: 502, servedBy: `${target.name} (down: ${err.message})` });
      res.writeHead(502).end();
    });
    req.pipe(forwarded);
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: `http://${host}`,
    log,
    route: (...instances) => {
      targets = instances;
      next = 0;
      log.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
