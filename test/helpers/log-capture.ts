// Captures the library's debug log lines (all `twilio-interactive-flow:*` namespaces) per test.
import { format } from "node:util";
import createDebug from "debug";

/**
 * Installs beforeEach/afterEach hooks in the current scope: each test starts with an empty log,
 * debug output is enabled and collected, and disabled again after the test. Returns a getter for
 * the lines captured in the running test.
 */
export function captureDebugLogs(): () => string[] {
  let logs: string[] = [];
  beforeEach(() => {
    logs = [];
    createDebug.enable("twilio-interactive-flow:*");
    createDebug.log = (...args: unknown[]) => {
      logs.push(format(...args));
    };
  });
  afterEach(() => {
    createDebug.disable();
  });
  return () => logs;
}
