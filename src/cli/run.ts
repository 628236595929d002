import { version } from "../../package.json";
import { PROGRAM, USAGE, UsageError, parseCommandLine } from "./args";
import { runMap } from "./map";
import { runPhoneCall, type PhoneIo } from "./phone";

/** Everything the CLI touches, so that it can run against any streams. */
export interface CliIo extends PhoneIo {
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs `twilio-interactive-flow <argv...>`.
 * @returns the exit code: 0 success (or help), 1 the call (or the map) failed, 2 wrong usage.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${PROGRAM}: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      io.stdout.write(`${USAGE}\n`);
      return 0;
    case "version":
      io.stdout.write(`${version}\n`);
      return 0;
    case "call":
      return runPhoneCall(command.call, io);
    case "map":
      return runMap(command.map, io);
  }
}
