// Runs a TypeScript entry as a separate Node process: bundled with esbuild (the library imported
// from src/, so the process runs the source under test; runtime dependencies stay external and
// resolve from node_modules, as dist/ does), started with `node`, ready once it prints its port.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { build, stop as stopEsbuild } from "esbuild";
import pkg from "../../package.json";

const REPO = path.resolve(__dirname, "..", "..");

/** Everything the package may `require` at run time: kept out of the bundle. */
const EXTERNAL = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)];

export interface Bundle {
  /** The bundled CommonJS file. */
  file: string;
  /** Deletes the bundle's directory. */
  remove(): void;
}

/**
 * Bundles `entry` into node_modules/.cache/<name>-<pid>/ (inside the repository, so the external
 * dependencies resolve from its node_modules; never dist/, which other checks may be using).
 */
export async function bundleEntry(entry: string, name: string): Promise<Bundle> {
  const dir = path.join(REPO, "node_modules", ".cache", `${name}-${process.pid}`);
  const file = path.join(dir, "index.js");
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: EXTERNAL,
    logLevel: "silent",
  });
  // esbuild keeps a service process for further builds: none will come.
  await stopEsbuild();
  return {
    file,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface AppProcess {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** True once the process has exited. */
  readonly exited: boolean;
  /** Kills it at once (default SIGKILL, as a crash would) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Asks it to shut down (SIGTERM); SIGKILL if it has not exited after `graceMs`. Resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** A name for messages (e.g. "A"). */
  name: string;
  /** Added to (and overriding) the test process's environment. */
  env: Record<string, string>;
  /** How long the process may take to print `listening <port>` on stdout, in ms. Default 15 000. */
  readyTimeoutMs?: number;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => { resolve(); }));
}

/**
 * Starts `node <file>` and resolves once it printed `listening <port>` on stdout. Rejects (with
 * its stderr) when it exits first or is not ready within the time limit, killing it in that case.
 */
export function startAppProcess(file: string, options: StartOptions): Promise<AppProcess> {
  const { name, env, readyTimeoutMs = 15_000 } = options;
  const child = spawn(process.execPath, [file], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => (stderr += chunk));
  const exited = exitOf(child);

  return new Promise<AppProcess>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      void exited.then(() => {
        reject(new Error(`app process ${name}: ${why}\n--- stderr ---\n${stderr}`));
      });
    };
    const timer = setTimeout(() => {
      fail(`not listening within ${readyTimeoutMs} ms`);
    }, readyTimeoutMs);
    const exitedEarly = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(`exited (code ${String(code)}, signal ${String(signal)}) before it was listening`);
    };
    child.once("exit", exitedEarly);
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      const match = /^listening (\d+)$/m.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      child.off("exit", exitedEarly);
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      const port = Number(match[1]);
      const kill = async (signal: NodeJS.Signals = "SIGKILL"): Promise<void> => {
        child.kill(signal);
        await exited;
      };
      resolve({
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        pid: child.pid as number,
        stderr: () => stderr,
        get exited() {
          return child.exitCode !== null || child.signalCode !== null;
        },
        kill,
        stop: async (graceMs = 3000) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill("SIGTERM");
          let grace: NodeJS.Timeout | undefined;
          const late = new Promise<"late">((resolveLate) => (grace = setTimeout(() => { resolveLate("late"); }, graceMs)));
          const outcome = await Promise.race([exited.then(() => "exited" as const), late]);
          clearTimeout(grace);
          if (outcome === "late") await kill("SIGKILL");
        },
      });
    });
  });
}

/** The processes' stderr, for failure messages: library errors are logged there. */
export function stderrOf(...instances: AppProcess[]): string {
  return instances.map((p) => `--- ${p.name} (pid ${p.pid}) stderr ---\n${p.stderr()}`).join("\n");
}

/** Runs the undo steps in reverse order, each whatever the others did; a failure is logged, not thrown. */
export async function runCleanup(cleanup: (() => Promise<void> | void)[]): Promise<void> {
  for (const undo of cleanup.reverse()) {
    try {
      await undo();
    } catch (err) {
      console.error("cleanup failed:", err);
    }
  }
}

/** POSTs a form straight to a process (no proxy) with the given `x-twilio-signature`; `servedBy` is its `x-instance` header. */
export function postForm(
  instance: AppProcess,
  route: string,
  params: Record<string, string>,
  signature: string,
): Promise<{ status: number; body: string; servedBy: string }> {
  const body = new URLSearchParams(params).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: instance.port,
        method: "POST",
        path: route,
        agent: false,
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), "x-twilio-signature": signature },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body: text, servedBy: String(res.headers["x-instance"]) });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
