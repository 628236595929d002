import { format } from "node:util";
import createDebug from "debug";
import { log } from "../../src/logger";

describe("logging", () => {
  afterEach(() => createDebug.disable());

  it("uses the twilio-interactive-flow:info|warn|error namespaces", () => {
    expect([log.info.namespace, log.warn.namespace, log.error.namespace]).toEqual([
      "twilio-interactive-flow:info",
      "twilio-interactive-flow:warn",
      "twilio-interactive-flow:error",
    ]);
  });

  it("is silent unless DEBUG enables it, then writes through debug", () => {
    const lines: string[] = [];
    const original = createDebug.log;
    createDebug.log = (...args: unknown[]) => lines.push(format(...args));
    try {
      log.error("hidden %s", "message");
      expect(lines).toEqual([]);
      createDebug.enable("twilio-interactive-flow:*");
      log.error("shown %s", "message");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("twilio-interactive-flow:error");
      expect(lines[0]).toContain("shown message");
    } finally {
      createDebug.log = original;
    }
  });
});
