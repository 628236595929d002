// Wrong answers and silence at a menu, through the simulator (requests signed, validated): the
// message, then the prompt again as the next attempt (the attempt in the answer URL), escalating
// prompts, prompt functions, and onFailure once `tries` attempts have failed.
import { menu } from "../../../src";
import type { CallSession, InputData, MenuOptions, State, UrlFor } from "../../../src";
import { simulateCall, type SimulatedCall, type TranscriptEntry } from "../../../src/testing";
import { AUTH_TOKEN, buildApp, endState, validatingConfig } from "../../helpers/app";
import { CountingStore } from "../../helpers/counting-store";
import { INVALID, PROMPT, SALES, SUPPORT, TIMEOUT } from "../../helpers/menu-states";

const FAILED = endState("FAILED", "<Response><Say>Let me put you through to an operator.</Say><Hangup/></Response>");

function mainMenu(overrides: Partial<MenuOptions> = {}): State {
  return menu({
    name: "MAIN",
    uri: "/incoming-call",
    processTransitionUri: "/main-menu",
    prompt: PROMPT,
    options: [
      { keys: ["1"], phrases: ["sales"], to: SALES },
      { keys: ["2"], phrases: ["support"], to: SUPPORT },
    ],
    onFailure: FAILED,
    ...overrides,
  });
}

async function callMenu(main: State, config = validatingConfig()): Promise<SimulatedCall> {
  const app = buildApp([main, SALES, SUPPORT, FAILED], config);
  return simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
}

/** The attempt in each Gather's action URL, in order. */
function gatherAttempts(call: SimulatedCall): number[] {
  return call.transcript.flatMap((e) => (e.type === "gather" ? [Number(new URL(e.action).searchParams.get("attempt"))] : []));
}

/** What was said at each Gather, grouped by Gather (what the caller heard per attempt). */
function heardPerAttempt(call: SimulatedCall): string[][] {
  const groups: string[][] = [];
  let inGather = false;
  for (const entry of call.transcript) {
    if (entry.type === "gather") {
      groups.push([]);
      inGather = true;
    } else if (entry.type === "say" && inGather) {
      groups.at(-1)!.push(entry.text);
    } else if (entry.type !== "pause" && entry.type !== "play") {
      inGather = false;
    }
  }
  return groups;
}

describe("a menu: wrong answers and silence", () => {
  it("a wrong key: the invalid message, then the prompt again, as attempt 2", async () => {
    const call = await callMenu(mainMenu());
    await call.press("7");
    expect(call.ended).toBe(false);
    expect(call.said).toEqual([PROMPT, INVALID, PROMPT]);
    const tail: TranscriptEntry[] = call.transcript.slice(3);
    expect(tail).toEqual([
      { type: "input", digits: "7" },
      { type: "request", method: "POST", url: "http://localhost/main-menu?attempt=1", status: 200 },
      { type: "gather", input: ["dtmf", "speech"], timeout: 5, action: "http://localhost/main-menu?attempt=2", method: "POST" },
      { type: "say", text: INVALID, loop: 1 },
      { type: "say", text: PROMPT, loop: 1 },
    ]);
    await call.press("2");
    expect(call.lastSaid).toBe("Support.");
  });

  it("a wrong sentence counts as a wrong answer too", async () => {
    const call = await callMenu(mainMenu());
    await call.say("I'd like to speak to a human");
    expect(call.said).toEqual([PROMPT, INVALID, PROMPT]);
    expect(gatherAttempts(call)).toEqual([1, 2]);
  });

  it("silence: Twilio follows the Redirect to the same attempt's URL; the timeout message, then the prompt, as attempt 2", async () => {
    const call = await callMenu(mainMenu());
    await call.silence();
    expect(call.said).toEqual([PROMPT, TIMEOUT, PROMPT]);
    expect(call.transcript.slice(3)).toEqual([
      { type: "input", silence: true },
      { type: "redirect", url: "http://localhost/main-menu?attempt=1", method: "POST" },
      { type: "request", method: "POST", url: "http://localhost/main-menu?attempt=1", status: 200 },
      { type: "gather", input: ["dtmf", "speech"], timeout: 5, action: "http://localhost/main-menu?attempt=2", method: "POST" },
      { type: "say", text: TIMEOUT, loop: 1 },
      { type: "say", text: PROMPT, loop: 1 },
    ]);
  });

  it("custom messages, plain text or TwiML content, are heard before the prompt", async () => {
    const call = await callMenu(
      mainMenu({
        onInvalid: "That key does nothing.",
        onTimeout: '<Say voice="Polly.Joanna">Are you still there?</Say><Pause length="1"/>',
      }),
    );
    await call.press("9");
    await call.silence();
    expect(heardPerAttempt(call)).toEqual([[PROMPT], ["That key does nothing.", PROMPT], ["Are you still there?", PROMPT]]);
    expect(call.transcript).toContainEqual({ type: "say", text: "Are you still there?", loop: 1, voice: "Polly.Joanna" });
    expect(call.transcript.filter((e) => e.type === "pause")).toEqual([{ type: "pause", seconds: 1 }]);
  });

  it("an empty message says nothing before the prompt", async () => {
    const call = await callMenu(mainMenu({ onInvalid: "", onTimeout: "" }));
    await call.press("9");
    await call.silence();
    expect(heardPerAttempt(call)).toEqual([[PROMPT], [PROMPT], [PROMPT]]);
  });
});

describe("a menu: onFailure after `tries` attempts", () => {
  it("default 3 tries: wrong, silence, wrong -> onFailure; exactly three prompts heard", async () => {
    const call = await callMenu(mainMenu());
    await call.press("9");
    await call.silence();
    expect(call.ended).toBe(false);
    await call.press("0");
    expect(call.ended).toBe(true);
    expect(heardPerAttempt(call)).toEqual([[PROMPT], [INVALID, PROMPT], [TIMEOUT, PROMPT]]);
    expect(call.said.filter((text) => text === PROMPT)).toHaveLength(3);
    expect(call.lastSaid).toBe("Let me put you through to an operator.");
    expect(gatherAttempts(call)).toEqual([1, 2, 3]);
    const last = call.transcript.filter((e) => e.type === "request").at(-1);
    expect(last).toEqual({ type: "request", method: "POST", url: "http://localhost/main-menu?attempt=3", status: 200 });
  });

  it("a right answer on the last attempt still picks the choice", async () => {
    const call = await callMenu(mainMenu());
    await call.press("9");
    await call.press("8");
    await call.say("sales please");
    expect(call.lastSaid).toBe("Sales.");
    expect(call.said).not.toContain("Let me put you through to an operator.");
  });

  it("tries: 1 -> the first wrong answer, or silence, goes straight to onFailure, with no message", async () => {
    const wrong = await callMenu(mainMenu({ tries: 1 }));
    await wrong.press("9");
    expect(wrong.said).toEqual([PROMPT, "Let me put you through to an operator."]);
    expect(wrong.ended).toBe(true);
    const silent = await callMenu(mainMenu({ tries: 1 }));
    await silent.silence();
    expect(silent.said).toEqual([PROMPT, "Let me put you through to an operator."]);
  });

  it("tries: 5 -> five attempts, the fifth answer decides", async () => {
    const call = await callMenu(mainMenu({ tries: 5 }));
    for (let i = 0; i < 4; i++) await call.press("9");
    expect(gatherAttempts(call)).toEqual([1, 2, 3, 4, 5]);
    expect(call.ended).toBe(false);
    await call.silence();
    expect(call.lastSaid).toBe("Let me put you through to an operator.");
    expect(call.said.filter((text) => text === PROMPT)).toHaveLength(5);
  });

  it("onFailure as a function gets the last answer (sessions off: exactly one argument)", async () => {
    const seen: unknown[][] = [];
    const onFailure = (...args: unknown[]): State => {
      seen.push(args);
      const input = args[0] as InputData;
      return endState("BYE", `<Response><Say>Last you pressed ${input.Digits ?? "nothing"}.</Say></Response>`);
    };
    const call = await callMenu(mainMenu({ onFailure, tries: 2 }));
    await call.silence();
    await call.press("7");
    expect(call.lastSaid).toBe("Last you pressed 7.");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(1);
    expect(seen[0]![0]).toMatchObject({ Digits: "7", CallSid: call.callSid });

    const silent = await callMenu(mainMenu({ onFailure, tries: 1 }));
    await silent.silence();
    expect(silent.lastSaid).toBe("Last you pressed nothing.");
    expect(seen[1]![0]).not.toHaveProperty("Digits");
  });

  it("onFailure as a function gets (input, session) with sessions on", async () => {
    const onFailure = async (_input: InputData, session?: CallSession): Promise<State> => {
      const failures = await session!.update((data) => ({ ...data, failures: Number(data.failures ?? 0) + 1 }));
      return endState("BYE", `<Response><Say>Failures: ${String(failures.failures)}.</Say></Response>`);
    };
    const app = buildApp([mainMenu({ onFailure, tries: 1 }), SALES, SUPPORT], validatingConfig({ sessions: {} }));
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    await call.press("9");
    expect(call.lastSaid).toBe("Failures: 1.");
  });

  it("with sessions on, the attempts need no store: no store round trip for a whole failing menu", async () => {
    const store = new CountingStore();
    const call = await callMenu(mainMenu(), validatingConfig({ sessions: { store } }));
    await call.press("9");
    await call.silence();
    await call.press("9");
    expect(call.lastSaid).toBe("Let me put you through to an operator.");
    expect(store.calls).toEqual([]);
  });
});

describe("a menu: escalating prompts", () => {
  const PROMPTS = ["Press 1 for sales or 2 for support.", "Please press 1 for sales, or 2 for support.", "To reach sales, press the 1 key. For support, press 2."];

  it("attempt n hears prompt n; the last one repeats", async () => {
    const call = await callMenu(mainMenu({ prompt: PROMPTS, tries: 5 }));
    await call.press("9");
    await call.silence();
    await call.say("hmm");
    await call.press("8");
    expect(heardPerAttempt(call)).toEqual([
      [PROMPTS[0]],
      [INVALID, PROMPTS[1]],
      [TIMEOUT, PROMPTS[2]],
      [INVALID, PROMPTS[2]],
      [INVALID, PROMPTS[2]],
    ]);
    await call.press("1");
    expect(call.lastSaid).toBe("Sales.");
  });

  it("an array longer than tries: the prompts after the last attempt are never heard", async () => {
    const call = await callMenu(mainMenu({ prompt: PROMPTS, tries: 2 }));
    await call.press("9");
    await call.press("9");
    expect(call.said).toEqual([PROMPTS[0], INVALID, PROMPTS[1], "Let me put you through to an operator."]);
  });

  it("array items may be TwiML content", async () => {
    const call = await callMenu(mainMenu({ prompt: ["<Play>https://cdn.example.com/menu.mp3</Play>", '<Say language="en-GB">Press 1 or 2.</Say>'] }));
    expect(call.played).toEqual(["https://cdn.example.com/menu.mp3"]);
    await call.silence();
    expect(call.said).toEqual([TIMEOUT, "Press 1 or 2."]);
    expect(call.transcript.at(-1)).toEqual({ type: "say", text: "Press 1 or 2.", loop: 1, language: "en-GB" });
  });
});

describe("a menu: prompt as a function", () => {
  it("gets exactly (urlFor, attempt) for each attempt, and may be async", async () => {
    const calls: unknown[][] = [];
    const prompt = async (...args: unknown[]): Promise<string> => {
      calls.push(args);
      const [urlFor, attempt] = args as [UrlFor, number];
      await new Promise((resolve) => setTimeout(resolve, 1));
      return `<Play>${urlFor(`/sounds/menu-${attempt}.mp3`, { absolute: true })}</Play><Say>Attempt ${attempt}.</Say>`;
    };
    const call = await callMenu(mainMenu({ prompt }));
    await call.press("9");
    await call.silence();
    expect(calls.map((args) => args.length)).toEqual([2, 2, 2]);
    expect(calls.map((args) => typeof args[0])).toEqual(["function", "function", "function"]);
    expect(calls.map((args) => args[1])).toEqual([1, 2, 3]);
    expect(call.played).toEqual([1, 2, 3].map((n) => `http://ivr.example.com/sounds/menu-${n}.mp3`));
    expect(heardPerAttempt(call)).toEqual([["Attempt 1."], [INVALID, "Attempt 2."], [TIMEOUT, "Attempt 3."]]);
  });

  it("gets exactly (urlFor, attempt) with sessions on as well", async () => {
    const lengths: number[] = [];
    const prompt = (...args: unknown[]): string => {
      lengths.push(args.length);
      return "Press 1.";
    };
    const call = await callMenu(mainMenu({ prompt }), validatingConfig({ sessions: {} }));
    await call.press("9");
    expect(lengths).toEqual([2, 2]);
  });

  it("plain text from the function is said, escaped", async () => {
    const call = await callMenu(mainMenu({ prompt: (_urlFor, attempt) => `Attempt ${attempt}: R&D <lab> says "hi" & 'bye'` }));
    expect(call.said).toEqual([`Attempt 1: R&D <lab> says "hi" & 'bye'`]);
    expect(call.twiml).toContain("Attempt 1: R&amp;D &lt;lab&gt; says");
  });

  it("content a Gather cannot hold, or not a string, fails that request (500), naming the menu", async () => {
    const errors: unknown[] = [];
    const capture = (app: ReturnType<typeof buildApp>): ReturnType<typeof buildApp> => {
      app.use((err: unknown, _req: unknown, res: { status(code: number): { end(): void } }, _next: unknown) => {
        errors.push(err);
        res.status(500).end();
      });
      return app;
    };
    const hangup = capture(buildApp([mainMenu({ prompt: (_u, attempt) => (attempt === 1 ? "Press 1." : "<Hangup/>") }), SALES, SUPPORT, FAILED], validatingConfig()));
    const call = await simulateCall(hangup, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    await expect(call.press("9")).rejects.toThrow(/500/);
    const numeric = capture(buildApp([mainMenu({ prompt: (() => 42) as unknown as () => string }), SALES, SUPPORT, FAILED], validatingConfig()));
    await expect(simulateCall(numeric, { uri: "/incoming-call", authToken: AUTH_TOKEN })).rejects.toThrow(/500/);
    expect(errors).toEqual([
      expect.objectContaining({ code: "ERR_IVR_RENDER", stateName: "MAIN", message: expect.stringMatching(/prompt of menu "MAIN" for attempt 2 holds <Hangup>/) }),
      expect.objectContaining({ code: "ERR_IVR_RENDER", stateName: "MAIN", message: expect.stringMatching(/prompt function of menu "MAIN" returned number/) }),
    ]);
  });
});
