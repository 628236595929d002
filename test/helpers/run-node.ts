// Runs a Node script (e.g. the bundled CLI) as a child process and collects what it printed.
import { spawn } from "node:child_process";

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout split into lines, without the empty one after the last newline. */
  lines: string[];
}

export interface NodeRunOptions {
  /** The child's environment, whole. */
  env: NodeJS.ProcessEnv;
  /** Written to stdin at once; stdin is then closed unless `keepStdinOpen`. Default: stdin closed with nothing. */
  input?: string;
  keepStdinOpen?: boolean;
  /** The run fails (and the child is killed) past it. */
  timeoutMs: number;
}

/** `process.env` without the named variables: what a child should not inherit from the test run. */
export function envWithout(...names: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !names.includes(name)));
}

/** Runs `node script ...args` to its exit. */
export function runNode(script: string, args: readonly string[], options: NodeRunOptions): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: options.env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${script} did not exit within ${options.timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lines: stdout.split("\n").filter((line, i, all) => i < all.length - 1 || line !== "") });
    });
    child.stdin.on("error", () => undefined); // the child may exit before reading everything
    child.stdin.write(options.input ?? "");
    if (options.keepStdinOpen !== true) child.stdin.end();
  });
}

/**
 * Keeps an environment variable as the test run had it: tests may change it, and it is put back
 * after each test (installs the afterEach hook). Returns the function that puts it back, for a
 * test that needs it back sooner.
 */
export function restoreEnvAfterEach(name: string): () => void {
  const original = process.env[name];
  const restore = (): void => {
    if (original === undefined) delete process.env[name];
    else process.env[name] = original;
  };
  afterEach(restore);
  return restore;
}
