// A real redis-server (Debian's package, installed by .ci/run) on a free loopback port, with
// persistence off. Tests never mock Redis. Outside CI a missing binary skips the Redis tests
// with a loud notice; under CI it fails them.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/** Path of the redis-server binary, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "redis-server");
    if (dir !== "" && fs.existsSync(candidate)) return candidate;
  }
  return fs.existsSync("/usr/bin/redis-server") ? "/usr/bin/redis-server" : undefined;
}

const binary = findRedisServer();
if (binary === undefined && process.env.CI) {
  throw new Error("redis-server is not installed but CI is set: .ci/run must install it (apt-get install -y redis-server)");
}
if (binary === undefined) {
  console.warn(
    "\n*** redis-server is not installed: the Redis tests are SKIPPED. ***\n" +
      "*** Install it (apt-get install -y redis-server) or run bash .ci/run, which does. ***\n",
  );
}

/** `describe` when redis-server is available, `describe.skip` otherwise (never under CI: see above). */
export const describeWithRedis: jest.Describe = binary === undefined ? describe.skip : describe;

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for redis-server to take). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  return port;
}

/** Sends one inline command and resolves with the first reply line (no client library needed). */
export function rawCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let reply = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis on port ${port}: no reply to ${command} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => socket.write(`${command}\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) {
        clearTimeout(timer);
        socket.end();
        resolve(reply.split("\r\n")[0] ?? "");
      }
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after stop or kill), empty. */
  restart(): Promise<void>;
}

async function waitForPong(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before answering PING`);
    try {
      if ((await rawCommand(port, "PING", 500)) === "+PONG") return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => { resolve(); }));
}

/** Starts redis-server on a free loopback port and resolves once it answers PING. */
export async function startRedisServer(): Promise<RedisServer> {
  if (binary === undefined) throw new Error("redis-server is not installed");
  const port = await freePort();
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"], {
      stdio: "ignore",
    });
    await waitForPong(port, child);
  };
  await launch();
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    const done = exited(child);
    child.kill(signal);
    await done;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
    restart: launch,
  };
}
