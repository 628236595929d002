// The `twilio-interactive-flow` command: `call <url>`, a terminal phone; `map <url>`, the tree's map.
import { runCli } from "./run";

const interactive = process.stdin.isTTY && process.stdout.isTTY;

function exit(code: number): void {
  process.exitCode = code;
  // The call is over: stop reading (a pipe may still hold unused lines) and let Node exit. If
  // something still holds the event loop open, exit anyway once the output had time to flush.
  process.stdin.destroy();
  setTimeout(() => process.exit(code), 1000).unref();
}

runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, interactive }).then(
  exit,
  (error: unknown) => {
    process.stderr.write(`twilio-interactive-flow: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    exit(1);
  },
);
