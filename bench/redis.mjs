// A real redis-server for the sessions scenario (Debian's binary): a free 127.0.0.1 port,
// persistence off, ready once it answers PING. No client library: inline commands over a socket.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/** Path of the redis-server binary, or undefined when it is not installed. */
export function findRedisServer() {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "redis-server");
    if (dir !== "" && fs.existsSync(candidate)) return candidate;
  }
  return fs.existsSync("/usr/bin/redis-server") ? "/usr/bin/redis-server" : undefined;
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for redis-server to take). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Sends one inline command (arguments without spaces) and resolves with the first reply line,
 * e.g. "+PONG", ":64", "$1" (a bulk string's length line: use `bulk` for its value).
 */
export function command(port, line, timeoutMs = 1000) {
  return reply(port, line, timeoutMs, 1).then((lines) => lines[0] ?? "");
}

/** Sends one inline command expecting a bulk string reply; resolves with it, or undefined for nil. */
export async function bulk(port, line, timeoutMs = 1000) {
  const [head, value] = await reply(port, line, timeoutMs, 2);
  if (head === "$-1") return undefined;
  if (!head?.startsWith("$")) throw new Error(`redis: ${line} answered ${head}`);
  return value;
}

function reply(port, line, timeoutMs, wantLines) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis on port ${port}: no reply to ${line.split(" ")[0]} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (lines) => {
      clearTimeout(timer);
      socket.end();
      resolve(lines);
    };
    socket.on("connect", () => socket.write(`${line}\r\n`));
    socket.on("data", (chunk) => {
      text += chunk.toString("utf8");
      const lines = text.split("\r\n");
      // A nil or non-bulk reply is complete after its first line.
      if (lines.length > 1 && (lines.length > wantLines || !lines[0].startsWith("$") || lines[0] === "$-1")) done(lines.slice(0, -1));
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Starts redis-server and resolves once it answers PING, with { port, url, pid, stop(), kill() }.
 * `stop` ends it with SIGTERM and waits; `kill` is synchronous (SIGKILL), for exit paths.
 */
export async function startRedisServer(binary, timeoutMs = 10_000) {
  const port = await freePort();
  const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let spawnError;
  child.on("error", (err) => {
    spawnError = err;
  });
  const handle = {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError !== undefined) throw new Error(`redis-server could not start: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited (code ${child.exitCode}) before answering PING`);
    try {
      if ((await command(port, "PING", 500)) === "+PONG") return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      handle.kill();
      throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
