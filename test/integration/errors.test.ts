import { format } from "node:util";
import createDebug from "debug";
import type { ErrorRequestHandler, Express } from "express";
import request from "supertest";
import type { State } from "../../src";
import { buildApp, endState } from "../helpers/app";

/** Adds the kind of error middleware users add to the returned app; records what reaches it. */
function withErrorMiddleware(app: Express): unknown[] {
  const errors: unknown[] = [];
  const handler: ErrorRequestHandler = (err, _req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    errors.push(err);
    res.status(599).type("text/plain").send(`handled: ${err instanceof Error ? err.message : String(err)}`);
  };
  app.use(handler);
  return errors;
}

function messageOf(err: unknown): string {
  expect(err).toBeInstanceOf(Error);
  return (err as Error).message;
}

/** Captures the library's debug output (silent by default) for the duration of a test. */
let logs: string[] = [];
let restoreLogging: () => void = () => undefined;
beforeEach(() => {
  logs = [];
  const previousNamespaces = createDebug.disable();
  const previousLog = createDebug.log;
  createDebug.log = (...args: unknown[]) => {
    logs.push(format(...args));
  };
  createDebug.enable("twilio-interactive-flow:*");
  restoreLogging = () => {
    createDebug.log = previousLog;
    createDebug.disable();
    if (previousNamespaces !== "") createDebug.enable(previousNamespaces);
  };
});
afterEach(() => {
  restoreLogging();
});

/** A branching entry state at /start whose transitionOut is `transitionOut`. */
function entry(transitionOut: () => unknown): State {
  return { name: "ENTRY", uri: "/start", transitionOut: transitionOut as () => State };
}

/** A normal state whose processTransitionUri /menu/choice leads through `transitionOut`. */
function menu(transitionOut: () => unknown): State {
  return { name: "MENU", processTransitionUri: "/menu/choice", twimlFor: () => "<Response/>", transitionOut: transitionOut as () => State };
}

describe("errors in transitionOut reach the app's error middleware", () => {
  const failures: [string, () => unknown, RegExp][] = [
    [
      "throws",
      () => {
        throw new Error("database down");
      },
      /database down/,
    ],
    ["rejects", () => Promise.reject(new Error("timed out")), /timed out/],
    ["returns undefined", () => undefined, /ENTRY|MENU/],
    ["resolves to undefined", async () => undefined, /ENTRY|MENU/],
    ["returns an object that is not a state", () => ({ foo: 1 }), /ENTRY|MENU/],
    ["returns a string", () => "/next", /ENTRY|MENU/],
  ];

  it.each(failures)("when the entry state's transitionOut %s", async (_label, transitionOut, pattern) => {
    const app = buildApp([entry(transitionOut)]);
    const errors = withErrorMiddleware(app);
    const res = await request(app).post("/start");
    expect(res.status).toBe(599);
    expect(errors).toHaveLength(1);
    expect(messageOf(errors[0])).toMatch(pattern);
    expect(logs.join("\n")).toContain("ENTRY");
  });

  it.each(failures)("when a normal state's transitionOut %s at its processTransitionUri", async (_label, transitionOut, pattern) => {
    const app = buildApp([menu(transitionOut)]);
    const errors = withErrorMiddleware(app);
    const res = await request(app).post("/menu/choice").type("form").send("Digits=1");
    expect(res.status).toBe(599);
    expect(errors).toHaveLength(1);
    expect(messageOf(errors[0])).toMatch(pattern);
    expect(logs.join("\n")).toContain("MENU");
  });
});

describe("errors in twimlFor reach the app's error middleware", () => {
  const failures: [string, () => unknown][] = [
    [
      "throws",
      () => {
        throw new Error("template broken");
      },
    ],
    ["rejects", () => Promise.reject(new Error("template broken"))],
    ["returns undefined", () => undefined],
    ["returns null", () => null],
    ["resolves to undefined", async () => undefined],
    ["resolves to null", async () => null],
  ];

  it.each(failures)("when twimlFor of the routed state %s", async (_label, twimlFor) => {
    const app = buildApp([{ name: "BROKEN", uri: "/broken", isEndState: true, twimlFor: twimlFor as () => string }]);
    const errors = withErrorMiddleware(app);
    const res = await request(app).post("/broken");
    expect(res.status).toBe(599);
    expect(res.text).toMatch(/^handled: /);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(logs.join("\n")).toContain("BROKEN");
  });

  it.each(failures)("when twimlFor of a state reached by a transition %s", async (_label, twimlFor) => {
    const broken: State = { name: "BROKEN", isEndState: true, twimlFor: twimlFor as () => string };
    const app = buildApp([menu(() => broken)]);
    const errors = withErrorMiddleware(app);
    const res = await request(app).post("/menu/choice");
    expect(res.status).toBe(599);
    expect(errors).toHaveLength(1);
    expect(logs.join("\n")).toContain("BROKEN");
  });

  it("keeps the thrown error's message in the error passed on", async () => {
    const app = buildApp([
      {
        name: "BROKEN",
        uri: "/broken",
        isEndState: true,
        twimlFor: () => {
          throw new Error("template broken");
        },
      },
    ]);
    const errors = withErrorMiddleware(app);
    await request(app).post("/broken").expect(599);
    expect(messageOf(errors[0])).toContain("template broken");
  });
});

describe("loops of non-renderable branching states", () => {
  it("A -> B -> A is an error naming the cycle, not a hang", async () => {
    const a = { name: "LOOP_A", uri: "/a", transitionOut: jest.fn((): State => b) };
    const b = { name: "LOOP_B", transitionOut: jest.fn((): State => a) };
    const app = buildApp([a, b]);
    const errors = withErrorMiddleware(app);
    const res = await request(app).post("/a");
    expect(res.status).toBe(599);
    expect(errors).toHaveLength(1);
    expect(messageOf(errors[0])).toMatch(/LOOP_A\W+LOOP_B\W+LOOP_A/);
    expect(a.transitionOut).toHaveBeenCalledTimes(1);
    expect(b.transitionOut).toHaveBeenCalledTimes(1);
  });

  it("a state that branches to itself is an error naming it", async () => {
    const self: State = { name: "SELF", uri: "/self", transitionOut: (): State => self };
    const app = buildApp([self]);
    const errors = withErrorMiddleware(app);
    await request(app).post("/self").expect(599);
    expect(messageOf(errors[0])).toMatch(/SELF\W+SELF/);
  });

  it("a loop reached after a processTransitionUri is detected too", async () => {
    const a: State = { name: "LOOP_A", transitionOut: (): State => b };
    const b: State = { name: "LOOP_B", transitionOut: (): State => a };
    const app = buildApp([menu(() => a)]);
    const errors = withErrorMiddleware(app);
    await request(app).post("/menu/choice").expect(599);
    expect(messageOf(errors[0])).toMatch(/LOOP_A\W+LOOP_B\W+LOOP_A/);
  });
});

describe("a normal state whose processTransitionUri has no route", () => {
  const orphan: State = {
    name: "ORPHAN_MENU",
    processTransitionUri: "/orphan/choice",
    twimlFor: () => "<Response><Gather action='/orphan/choice'/></Response>",
    transitionOut: () => endState("NEVER"),
  };

  it("rendering it (reached by a branch) is an error naming the state and the path", async () => {
    const app = buildApp([{ name: "ENTRY", uri: "/start", transitionOut: () => orphan }]);
    const errors = withErrorMiddleware(app);
    const res = await request(app).post("/start");
    expect(res.status).toBe(599);
    expect(res.text).not.toContain("Gather");
    const message = messageOf(errors[0]);
    expect(message).toContain("ORPHAN_MENU");
    expect(message).toContain("/orphan/choice");
  });

  it("rendering it after a transition is the same error", async () => {
    const app = buildApp([menu(() => orphan)]);
    const errors = withErrorMiddleware(app);
    await request(app).post("/menu/choice").expect(599);
    expect(messageOf(errors[0])).toContain("ORPHAN_MENU");
  });

  it("rendering it is fine once it is among the states", async () => {
    const res = await request(buildApp([{ name: "ENTRY", uri: "/start", transitionOut: () => orphan }, orphan])).post("/start");
    expect(res.status).toBe(200);
    expect(res.text).toContain("Gather");
  });
});

describe("a backgroundTrigger that rejects", () => {
  // Jest (circus) turns an unhandled rejection during a test into a failure of that test; a
  // listener on `process` inside the test sandbox never sees it. Waiting past Node's
  // unhandled-rejection check (after the microtask queue drains) gives it the chance to fire.
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 25));

  it("is logged with the state's name, still renders 200, and is not an unhandled rejection", async () => {
    const state: State = {
      name: "NOTIFY",
      uri: "/notify",
      backgroundTrigger: () => Promise.reject(new Error("webhook unreachable")),
      twimlFor: () => "<Response>still here</Response>",
    };
    const app = buildApp([state]);
    const errors = withErrorMiddleware(app);
    const res = await request(app).post("/notify");
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>still here</Response>");
    await settle();
    expect(errors).toEqual([]);
    const logged = logs.filter((line) => line.includes("webhook unreachable"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("NOTIFY");
  });

  it("that rejects later, after the answer was sent, is handled too", async () => {
    let reject: (err: Error) => void = () => undefined;
    const state: State = {
      name: "NOTIFY_LATER",
      uri: "/notify",
      backgroundTrigger: () =>
        new Promise<void>((_resolve, rej) => {
          reject = rej;
        }),
      twimlFor: () => "<Response/>",
    };
    await request(buildApp([state])).post("/notify").expect(200);
    reject(new Error("late failure"));
    await settle();
    expect(logs.some((line) => line.includes("late failure") && line.includes("NOTIFY_LATER"))).toBe(true);
  });
});

describe("without an error middleware", () => {
  it("an error gives Express's default 500 and the app keeps serving", async () => {
    let fail = true;
    const app = buildApp([
      {
        name: "FLAKY",
        uri: "/flaky",
        isEndState: true,
        twimlFor: () => {
          if (fail) throw new Error("first call fails");
          return "<Response/>";
        },
      },
    ]);
    const res = await request(app).post("/flaky");
    expect(res.status).toBe(500);
    fail = false;
    await request(app).post("/flaky").expect(200);
  });

  it.each([
    ["a rejected transitionOut", [entry(() => Promise.reject(new Error("x")))]],
    ["a loop", ((): State[] => {
      const a: State = { name: "A", uri: "/start", transitionOut: (): State => b };
      const b: State = { name: "B", transitionOut: (): State => a };
      return [a, b];
    })()],
  ])("%s gives a 500", async (_label, states) => {
    await request(buildApp(states)).post("/start").expect(500);
  });
});
