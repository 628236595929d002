// The "Sensitive states" example of README.md, run as written (import adapted), and its claims checked.
import fs from "node:fs";
import path from "node:path";
import type { ErrorRequestHandler } from "express";
import type { Express } from "express";
import { simulateCall } from "../../src/testing";
import { captureDebugLogs } from "../helpers/log-capture";

const logs = captureDebugLogs();
const CARD = "4111111111111111";

function readmeBlock(): string {
  const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
  const section = readme.indexOf("### Sensitive states");
  const start = readme.indexOf("```ts\n", section) + "```ts\n".length;
  return readme.slice(start, readme.indexOf("```\n", start));
}

async function load(): Promise<{ app: Express }> {
  const previous = process.env.TWILIO_AUTH_TOKEN;
  delete process.env.TWILIO_AUTH_TOKEN;
  try {
    return await import("../fixtures/readme/sensitive-example");
  } finally {
    if (previous !== undefined) process.env.TWILIO_AUTH_TOKEN = previous;
  }
}

it("the fixture is the README's example, word for word", () => {
  const fixture = fs.readFileSync(path.join(__dirname, "../fixtures/readme/sensitive-example.ts"), "utf8");
  expect(fixture.slice(fixture.indexOf("\n") + 1)).toBe(readmeBlock().replace('from "twilio-interactive-flow"', 'from "../../../src"'));
});

it("a card number goes through; the transcript hides it", async () => {
  const { app } = await load();
  const call = await simulateCall(app, { uri: "/pay" });
  await call.press(CARD);
  expect(call.lastSaid).toBe("Thank you.");
  expect(call.toString()).toContain("Caller pressed 16 keys (hidden: sensitive state)");
  expect(call.toString()).not.toContain(CARD);
});

it("a wrong entry: the error middleware and the log see [redacted], never the digits", async () => {
  const { app } = await load();
  const seen: string[] = [];
  const handler: ErrorRequestHandler = (err: Error, _req, res, _next) => {
    seen.push(err.message);
    res.status(500).end();
  };
  app.use(handler);
  const call = await simulateCall(app, { uri: "/pay" });
  await expect(call.press("411111111111111#")).rejects.toThrow(/11200/);
  expect(seen).toEqual(["not a card number: [redacted]"]);
  expect(logs().join("\n")).toContain("not a card number: [redacted]");
  expect(logs().join("\n")).not.toContain("411111111111111");
});
