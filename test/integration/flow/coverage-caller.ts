// Run as a separate process by coverage-recording.test.ts, with TWILIO_FLOW_COVERAGE set: makes
// simulated calls to the coverage tree, as a test file would, then exits.
//   a: presses 1 (sales, hangs up); and a call left waiting at the menu, never ended.
//   b: presses 2 (hours: CHECK_OPEN, OPEN); and a call forked at the menu, the fork saying "sales".
import { simulateCall } from "../../../src/testing";
import { coverageTree, URI } from "./coverage-tree";

async function main(which: string | undefined): Promise<void> {
  const app = coverageTree();
  if (which === "a") {
    const sales = await simulateCall(app, { uri: URI });
    await sales.press("1");
    if (!sales.ended) throw new Error("the sales call should have ended");
    await simulateCall(app, { uri: URI });
  } else if (which === "b") {
    const hours = await simulateCall(app, { uri: URI });
    await hours.press("2");
    if (hours.lastSaid !== "We are open.") throw new Error(`unexpected: ${String(hours.lastSaid)}`);
    const waiting = await simulateCall(app, { uri: URI });
    const fork = await waiting.fork();
    await fork.say("sales, please");
    if (fork.lastSaid !== "Sales.") throw new Error(`unexpected: ${String(fork.lastSaid)}`);
  } else {
    throw new Error("usage: coverage-caller a|b");
  }
}

main(process.argv[2]).then(
  () => {
    process.stdout.write("done\n");
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
