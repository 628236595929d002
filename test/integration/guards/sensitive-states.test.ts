// Sensitive states: the caller's input to a `sensitive: true` state reaches the state, but never the
// library's log lines, the errors it passes on, or the simulator's readable transcript.
import type { ErrorRequestHandler, Express } from "express";
import fc from "fast-check";
import { menu, StateError, type Config, type InputData, type State } from "../../../src";
import { CallStepError, simulateCall, type SimulatedCall } from "../../../src/testing";
import { buildApp, devConfig } from "../../helpers/app";
import { configError } from "../../helpers/errors";
import { captureDebugLogs } from "../../helpers/log-capture";

const logs = captureDebugLogs();

class PinRejected extends Error {
  readonly status = 402;
}

const goodbye: State = { name: "GOODBYE", isEndState: true, twimlFor: () => "<Response><Say>Goodbye.</Say><Hangup/></Response>" };
const gather = (action: string, prompt: string): string => `<Response><Gather numDigits="20" finishOnKey="#" input="dtmf speech" action="${action}"><Say>${prompt}</Say></Gather></Response>`;

/** What each run of the tree saw and where its errors went. */
interface Tree {
  app: Express;
  received: (InputData | undefined)[];
  errors: unknown[];
}

type Behaviour = "accept" | "throw" | "return-input" | "reject-string";

/**
 * MAIN (a menu, not sensitive) -> key 1 -> PIN (a normal state, sensitive unless told otherwise),
 * whose transitionOut records its input and then behaves as asked.
 */
function tree(behaviour: Behaviour, options: { sensitive?: boolean; config?: Partial<Config> } = {}): Tree {
  const received: (InputData | undefined)[] = [];
  const pin: State = {
    name: "PIN",
    sensitive: options.sensitive ?? true,
    processTransitionUri: "/pin",
    twimlFor: () => gather("/pin", "Enter your PIN, then press pound."),
    transitionOut: (input?: InputData) => {
      received.push(input);
      const entered = String(input?.Digits ?? input?.SpeechResult);
      if (behaviour === "throw") throw new PinRejected(`PIN ${entered} does not match`);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      if (behaviour === "reject-string") return Promise.reject(`bad PIN ${entered}`);
      if (behaviour === "return-input") return entered as unknown as State;
      return goodbye;
    },
  };
  const main = menu({
    name: "MAIN",
    uri: "/incoming",
    processTransitionUri: "/main",
    prompt: "For your account, press 1.",
    options: [{ keys: ["1"], to: pin }],
    onFailure: goodbye,
  });
  const app = buildApp([main, pin, goodbye], devConfig(options.config));
  const errors: unknown[] = [];
  const handler: ErrorRequestHandler = (err, _req, res, _next) => {
    errors.push(err);
    res.status(500).type("text/plain").send(err instanceof Error ? err.message : String(err));
  };
  app.use(handler);
  return { app, received, errors };
}

async function atPin(app: Express): Promise<SimulatedCall> {
  const call = await simulateCall(app, { uri: "/incoming" });
  await call.press("1");
  expect(call.lastSaid).toBe("Enter your PIN, then press pound.");
  return call;
}

/** Everything readable the simulator and the library produced. */
function everythingReadable(call: SimulatedCall, failure?: unknown): string {
  return [call.toString(), JSON.stringify(call), failure instanceof Error ? failure.message : "", ...logs()].join("\n");
}

async function failureOf(step: Promise<void>): Promise<unknown> {
  try {
    await step;
  } catch (err) {
    return err;
  }
  throw new Error("the step was expected to fail");
}

const PIN = "48151623";

describe("a sensitive state still gets the caller's input", () => {
  it("keys and speech reach transitionOut unchanged", async () => {
    const { app, received } = tree("accept");
    const byKeys = await atPin(app);
    await byKeys.press(`${PIN}#`);
    const bySpeech = await atPin(app);
    await bySpeech.say("four eight one five");
    expect(received.map((input) => input?.Digits ?? input?.SpeechResult)).toEqual([PIN, "four eight one five"]);
    expect(byKeys.lastSaid).toBe("Goodbye.");
  });
});

describe("the simulator's readable transcript hides it", () => {
  it("shows how many keys were pressed, not which; the menu's own keys stay visible; entries keep the digits", async () => {
    const call = await atPin(tree("accept").app);
    await call.press(`${PIN}#`);
    const text = call.toString();
    expect(text).toContain("Caller pressed 1\n");
    expect(text).toContain("Caller pressed 9 keys (hidden: sensitive state)");
    expect(everythingReadable(call)).not.toContain(PIN);
    expect(JSON.stringify(call.toJSON())).not.toContain(PIN);
    expect(call.transcript).toContainEqual({ type: "input", digits: `${PIN}#`, sensitive: true });
  });

  it("hides speech the same way", async () => {
    const call = await atPin(tree("accept").app);
    await call.say("my secret is swordfish");
    expect(call.toString()).toContain("Caller said something (hidden: sensitive state)");
    expect(everythingReadable(call)).not.toContain("swordfish");
  });

  it("control: without `sensitive` the same walk shows the digits (so the checks above can fail)", async () => {
    const call = await atPin(tree("throw", { sensitive: false }).app);
    const failure = await failureOf(call.press(`${PIN}#`));
    expect(call.toString()).toContain(`Caller pressed ${PIN}#`);
    expect(everythingReadable(call, failure)).toContain(PIN);
  });

  it("input posted to a sensitive state from another state's Gather is hidden once the app reports where it went", async () => {
    const vault: State = { name: "VAULT", sensitive: true, processTransitionUri: "/vault", twimlFor: () => gather("/vault", "Vault."), transitionOut: () => goodbye };
    const lobby: State = { name: "LOBBY", uri: "/lobby", isEndState: true, twimlFor: () => gather("/vault", "Lobby: enter the code.") };
    const call = await simulateCall(buildApp([lobby, vault, goodbye]), { uri: "/lobby" });
    await call.press(`${PIN}#`);
    expect(call.lastSaid).toBe("Goodbye.");
    expect(call.toString()).toContain("Caller pressed 9 keys (hidden: sensitive state)");
    expect(call.toString()).not.toContain(PIN);
  });

  it("a failed step's CallStepError does not show it either", async () => {
    const call = await atPin(tree("throw").app);
    const failure = await failureOf(call.press(`${PIN}#`));
    expect(failure).toBeInstanceOf(CallStepError);
    expect((failure as Error).message).toContain("hidden: sensitive state");
    expect(everythingReadable(call, failure)).not.toContain(PIN);
  });

  it("a sensitive menu hides the keys pressed at it", async () => {
    const vaultMenu = menu({
      name: "CODE_MENU",
      uri: "/code",
      processTransitionUri: "/code-answer",
      sensitive: true,
      prompt: "Enter the code.",
      options: [{ keys: ["7319"], to: goodbye }],
      onFailure: goodbye,
    });
    const call = await simulateCall(buildApp([vaultMenu, goodbye]), { uri: "/code" });
    await call.press("5555");
    await call.press("7319");
    expect(call.lastSaid).toBe("Goodbye.");
    expect(call.toString()).not.toMatch(/5555|7319/);
    expect(call.toString().match(/Caller pressed 4 keys \(hidden: sensitive state\)/g)).toHaveLength(2);
  });
});

describe("the library's logs and errors never carry it", () => {
  it("a thrown error: logged with the state's name, redacted; the error middleware gets the same object, redacted", async () => {
    const { app, errors } = tree("throw");
    const call = await atPin(app);
    await failureOf(call.press(`${PIN}#`));
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(PinRejected);
    expect((error as PinRejected).status).toBe(402);
    expect((error as Error).message).toBe("PIN [redacted] does not match");
    expect((error as Error).stack).not.toContain(PIN);
    expect(logs().join("\n")).toContain('transitionOut of state "PIN" failed: PIN [redacted] does not match');
    expect(everythingReadable(call)).not.toContain(PIN);
  });

  it("a string rejection is redacted on its way to the error middleware", async () => {
    const { app, errors } = tree("reject-string");
    await failureOf((await atPin(app)).press(`${PIN}#`));
    expect(errors).toEqual(["bad PIN [redacted]"]);
    expect(logs().join("\n")).not.toContain(PIN);
  });

  it("returning the input instead of a state: the StateError tells the type only", async () => {
    const { app, errors } = tree("return-input");
    await failureOf((await atPin(app)).press(`${PIN}#`));
    expect(errors[0]).toBeInstanceOf(StateError);
    expect((errors[0] as StateError).message).toMatch(/transitionOut of state "PIN" returned a string, which is not a valid state/);
    expect(logs().join("\n")).not.toContain(PIN);
  });

  it("onError that fails is logged redacted, and still gets the raw input to decide with", async () => {
    const seen: (string | undefined)[] = [];
    const { app } = tree("throw", {
      config: {
        onError: (_err, { input }) => {
          seen.push(input.Digits);
          throw new Error(`could not apologise for ${String(input.Digits)}`);
        },
      },
    });
    await failureOf((await atPin(app)).press(`${PIN}#`));
    expect(seen).toEqual([PIN]);
    expect(logs().join("\n")).toContain("config.onError failed");
    expect(logs().join("\n")).not.toContain(PIN);
  });

  it("a background trigger of a sensitive state that fails with the input in its message is logged redacted", async () => {
    let failed!: () => void;
    const logged = new Promise<void>((resolve) => (failed = resolve));
    const receipt: State = {
      name: "RECEIPT",
      uri: "/receipt",
      sensitive: true,
      isEndState: true,
      backgroundTrigger: (_urlFor, input) => {
        setImmediate(failed);
        return Promise.reject(new Error(`card ${String(input?.Digits)} declined`));
      },
      twimlFor: () => "<Response><Say>Thank you.</Say></Response>",
    };
    const card: State = { name: "CARD", uri: "/card", isEndState: true, twimlFor: () => gather("/receipt", "Card number?") };
    const call = await simulateCall(buildApp([card, receipt]), { uri: "/card" });
    await call.press(`${PIN}#`);
    await logged;
    expect(call.lastSaid).toBe("Thank you.");
    expect(logs().join("\n")).toContain('backgroundTrigger of state "RECEIPT" failed: card [redacted] declined');
    expect(everythingReadable(call)).not.toContain(PIN);
  });

  it("control: a state that is not sensitive logs the input as it is", async () => {
    const { app, errors } = tree("throw", { sensitive: false });
    await failureOf((await atPin(app)).press(`${PIN}#`));
    expect((errors[0] as Error).message).toBe(`PIN ${PIN} does not match`);
    expect(logs().join("\n")).toContain(PIN);
  });

  it("property: whatever is keyed or said to a failing sensitive state appears nowhere readable", async () => {
    const { app } = tree("throw");
    const keyed = fc.stringMatching(/^[0-9*]{6,16}$/).map((keys) => ({ kind: "keys" as const, value: keys }));
    const spoken = fc
      .array(fc.constantFrom("alpha", "bravo", "seven", "niner", "zulu", "swordfish", "x-ray", "tango"), { minLength: 3, maxLength: 6 })
      .map((words) => ({ kind: "speech" as const, value: words.join(" ") }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(keyed, spoken), async ({ kind, value }) => {
        logs().length = 0;
        const call = await atPin(app);
        const failure = await failureOf(kind === "keys" ? call.press(`${value}#`) : call.say(value));
        expect(everythingReadable(call, failure)).not.toContain(value);
      }),
      { numRuns: 60 },
    );
  });
});

describe("checked at creation", () => {
  it("`sensitive` must be a boolean, on states and menus", () => {
    const bad = { ...goodbye, uri: "/x", sensitive: "yes" } as unknown as State;
    expect(configError(() => buildApp([bad]), "ERR_IVR_STATE_INVALID").message).toMatch(/"GOODBYE".*`sensitive` must be true or false, got "yes"/);
    expect(
      configError(
        () => menu({ name: "M", processTransitionUri: "/m", prompt: "p", options: [{ keys: ["1"], to: goodbye }], onFailure: goodbye, sensitive: 1 as unknown as boolean }),
        "ERR_IVR_STATE_INVALID",
      ).message,
    ).toMatch(/options\.sensitive must be true or false, got number 1/);
  });
});
