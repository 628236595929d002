// The "Menus" section of README.md: its example run as written (imports adapted to this repository,
// validation on with a test token: the simulator signs every request), and each claim the section
// makes about matching, attempts, the description and errors, checked against a real app.
import type { ErrorRequestHandler, Express } from "express";
import request from "supertest";
import twilio from "twilio";
import twilioIvr, { ConfigError, menu, StateError } from "../../src";
import type { CallSession, MenuOptions, State } from "../../src";
import { simulateCall } from "../../src/testing";

const AUTH_TOKEN = "readme-menu-token-7c2e9a41";
const HOST = "ivr.example.com";

// ---- The README's example ---------------------------------------------------------------------

const connect = (name: string, text: string): State => ({
  name,
  isEndState: true,
  twimlFor: () => `<Response><Say>${text}</Say><Hangup/></Response>`,
});
const sales = connect("SALES", "Connecting you to sales.");
const support = connect("SUPPORT", "Connecting you to support.");
const operator = connect("OPERATOR", "Connecting you to an operator.");

const mainMenu = menu({
  name: "MAIN_MENU",
  uri: "/incoming-call",
  processTransitionUri: "/main-menu",
  // Attempt 1 hears the first prompt; attempts 2 and 3 the second.
  prompt: [
    "Welcome to Acme. For sales, press 1 or say sales. For support, press 2 or say support.",
    "For sales, press 1. For support, press 2. For an operator, press 0.",
  ],
  options: [
    { keys: ["1"], phrases: ["sales", "buy something"], to: sales },
    { keys: ["2"], phrases: ["support", "help", "something is broken"], to: support },
    { keys: ["0"], phrases: ["operator", "a person"], to: operator },
  ],
  onFailure: operator, // after 3 attempts without a choice
});

const app = twilioIvr([mainMenu], {
  twilio: { authToken: AUTH_TOKEN },
  urlFor: { host: () => HOST, scheme: () => "https" },
});

const FIRST = "Welcome to Acme. For sales, press 1 or say sales. For support, press 2 or say support.";
const AGAIN = "For sales, press 1. For support, press 2. For an operator, press 0.";
const INVALID = "Sorry, that is not one of the choices.";
const TIMEOUT = "Sorry, I didn't catch that.";

const dial = (target: Express = app) => simulateCall(target, { uri: "/incoming-call", authToken: AUTH_TOKEN, baseUrl: `https://${HOST}` });

/** The text after the action, and the URL the next answer goes to (the last <Gather>'s action). */
async function step(call: Awaited<ReturnType<typeof dial>>, act: () => Promise<void>): Promise<{ heard: string[]; next: string | undefined }> {
  const from = call.said.length;
  await act();
  const gathers = call.transcript.filter((e) => e.type === "gather");
  const last = call.ended ? undefined : gathers.at(-1);
  return { heard: call.said.slice(from), next: last === undefined ? undefined : new URL(last.action).pathname + new URL(last.action).search };
}

describe("the README's menu example", () => {
  test("the table: calls, presses 7, says nothing, says 'Uh, something is broken.'", async () => {
    const call = await dial();
    expect(call.said).toEqual([FIRST]);
    expect(new URL(call.transcript.find((e) => e.type === "gather")!.action).pathname).toBe("/main-menu");
    expect(await step(call, () => call.press("7"))).toEqual({ heard: [INVALID, AGAIN], next: "/main-menu?attempt=2" });
    expect(await step(call, () => call.silence())).toEqual({ heard: [TIMEOUT, AGAIN], next: "/main-menu?attempt=3" });
    expect(await step(call, () => call.say("Uh, something is broken."))).toEqual({ heard: ["Connecting you to support."], next: undefined });
    expect(call.ended).toBe(true);
  });

  test("the table's last row: silence on the third attempt goes to onFailure, the operator", async () => {
    const call = await dial();
    await call.press("7");
    await call.silence();
    expect(await step(call, () => call.silence())).toEqual({ heard: ["Connecting you to an operator."], next: undefined });
  });

  test("attempt 1's TwiML is the README's", async () => {
    const res = await request(app)
      .post("/incoming-call")
      .type("form")
      .set("X-Twilio-Signature", twilio.getExpectedTwilioSignature(AUTH_TOKEN, `https://${HOST}/incoming-call`, {}))
      .send({});
    expect(res.status).toBe(200);
    const documented = `<?xml version="1.0" encoding="UTF-8"?><Response>
  <Gather action="/main-menu?attempt=1" method="POST" input="dtmf speech" numDigits="1"
          hints="sales, buy something, support, help, something is broken, operator, a person">
    <Say>Welcome to Acme. For sales, press 1 or say sales. For support, press 2 or say support.</Say>
  </Gather>
  <Redirect method="POST">/main-menu?attempt=1</Redirect>
</Response>`;
    const normal = (xml: string): string => xml.replace(/>\s+</g, "><").replace(/\s+/g, " ");
    expect(res.text).toBe(normal(documented));
  });

  test.each([
    ["1", "Connecting you to sales."],
    ["2", "Connecting you to support."],
    ["0", "Connecting you to an operator."],
  ])("key %s picks its choice", async (key, heard) => {
    const call = await dial();
    await call.press(key);
    expect(call.lastSaid).toBe(heard);
  });

  test("the description prints as the README shows", () => {
    const lines: string[] = [];
    for (const { keys, phrases, to } of mainMenu.menu.choices) {
      lines.push(`${keys.join(" ")} / ${phrases.join(", ")} -> ${typeof to === "function" ? "(decided per call)" : to.name}`);
    }
    expect(lines).toEqual(["1 / sales, buy something -> SALES", "2 / support, help, something is broken -> SUPPORT", "0 / operator, a person -> OPERATOR"]);
  });

  test("the description has every default filled in, and is frozen: changing it changes nothing", async () => {
    expect(mainMenu.menu).toMatchObject({ input: ["dtmf", "speech"], numDigits: 1, finishOnKey: undefined, timeout: undefined, tries: 3, onFailure: operator });
    expect(() => {
      (mainMenu.menu as { tries: number }).tries = 1;
    }).toThrow(TypeError);
    expect(() => {
      (mainMenu.menu.choices[0]!.keys as string[]).push("5");
    }).toThrow(TypeError);
    expect(() => {
      (mainMenu as { menu: unknown }).menu = {};
    }).toThrow(TypeError);
    // Still three attempts, and 5 is still no choice.
    const call = await dial();
    await call.press("5");
    await call.press("5");
    expect(call.ended).toBe(false);
    await call.press("5");
    expect(call.lastSaid).toBe("Connecting you to an operator.");
  });

  test("a menu is an ordinary normal state", () => {
    expect(mainMenu).toMatchObject({ name: "MAIN_MENU", uri: "/incoming-call", processTransitionUri: "/main-menu" });
    expect(typeof mainMenu.twimlFor).toBe("function");
    expect(typeof mainMenu.transitionOut).toBe("function");
  });
});

// ---- How answers are matched -------------------------------------------------------------------

/** A validation-off app around one menu whose choices end the call saying their name. */
function menuApp(options: Partial<MenuOptions> & Pick<MenuOptions, "options">): Express {
  const m = menu({ name: "M", uri: "/m", processTransitionUri: "/m-answer", prompt: "Choose.", onFailure: connect("FAILED", "failed"), ...options });
  return twilioIvr([m], { twilio: { authToken: "", validate: false }, urlFor: { host: () => HOST } });
}
const to = (name: string): State => connect(name, name);

/** What the menu at `app` does with `answer` on its first attempt: the choice's name, "invalid" or "timeout". */
async function outcome(target: Express, answer: Record<string, string>): Promise<string> {
  const res = await request(target).post("/m-answer?attempt=1").type("form").send(answer);
  expect(res.status).toBe(200);
  if (res.text.includes(`<Say>${INVALID}</Say>`)) return "invalid";
  if (res.text.includes(`<Say>${TIMEOUT}</Say>`)) return "timeout";
  return /<Say>([^<]*)<\/Say>/.exec(res.text)?.[1] ?? res.text;
}
const said = (target: Express, words: string) => outcome(target, { SpeechResult: words, Confidence: "0.2" });

describe("how answers are matched, as the README says", () => {
  test("keys: equal to a key, exactly ('12' is not '1')", async () => {
    const target = menuApp({ options: [{ keys: ["1"], to: to("ONE") }, { keys: ["123"], to: to("ONE_TWO_THREE") }] });
    expect(await outcome(target, { Digits: "1" })).toBe("ONE");
    expect(await outcome(target, { Digits: "123" })).toBe("ONE_TWO_THREE");
    expect(await outcome(target, { Digits: "12" })).toBe("invalid");
  });

  test("speech: case, accents, apostrophes and punctuation are dropped; filler around a phrase does not matter, inside it does", async () => {
    const target = menuApp({ options: [{ phrases: ["sales team"], to: to("SALES") }, { phrases: ["cafe"], to: to("CAFE") }, { phrases: ["id like help"], to: to("HELP") }] });
    expect(await said(target, "Uh, I think the SALES TEAM, please.")).toBe("SALES");
    expect(await said(target, "sales, uh, team")).toBe("invalid");
    expect(await said(target, "Le Café!")).toBe("CAFE");
    expect(await said(target, "I'd like help.")).toBe("HELP");
  });

  test("speech: 'Uh, I think sales, please.' matches sales", async () => {
    const target = menuApp({ options: [{ keys: ["1"], phrases: ["sales"], to: to("SALES") }, { keys: ["2"], phrases: ["support"], to: to("SUPPORT") }] });
    expect(await said(target, "Uh, I think sales, please.")).toBe("SALES");
  });

  test("speech: the longest matching phrase wins; a tie between choices picks none", async () => {
    const target = menuApp({ options: [{ phrases: ["hours"], to: to("HOURS") }, { phrases: ["lunch hours"], to: to("LUNCH_HOURS") }, { phrases: ["lunch"], to: to("LUNCH") }] });
    expect(await said(target, "What are your lunch hours?")).toBe("LUNCH_HOURS");
    expect(await said(target, "your hours")).toBe("HOURS");
    expect(await said(target, "lunch or hours")).toBe("invalid");
  });

  test("speech: numbers as words become digits, single digits in a row join, star and pound are keys", async () => {
    const target = menuApp({
      options: [
        { keys: ["2"], phrases: ["support"], to: to("TWO") },
        { keys: ["21"], to: to("TWENTY_ONE") },
        { keys: ["123"], to: to("ONE_TWO_THREE") },
        { keys: ["*"], to: to("STAR") },
        { keys: ["#"], to: to("POUND") },
      ],
    });
    for (const words of ["two", "2", "Press two."]) expect(await said(target, words)).toBe("TWO");
    expect(await said(target, "twenty one")).toBe("TWENTY_ONE");
    expect(await said(target, "one two three")).toBe("ONE_TWO_THREE");
    expect(await said(target, "star")).toBe("STAR");
    expect(await said(target, "pound")).toBe("POUND");
    expect(await said(target, "hash")).toBe("POUND");
  });

  test("speech: no phrase matched, a key said aloud picks its choice; two keys said pick none", async () => {
    const target = menuApp({ options: [{ keys: ["1"], phrases: ["sales"], to: to("SALES") }, { keys: ["2"], phrases: ["support"], to: to("SUPPORT") }] });
    expect(await said(target, "one")).toBe("SALES");
    expect(await said(target, "one or two")).toBe("invalid");
  });

  test("neither keys nor speech is silence; so is # alone, in the simulator", async () => {
    const target = menuApp({ options: [{ keys: ["1"], phrases: ["sales"], to: to("SALES") }] });
    expect(await outcome(target, {})).toBe("timeout");
    expect(await outcome(target, { Digits: "", SpeechResult: "  " })).toBe("timeout");
    const call = await dial();
    await call.press("#");
    expect(call.said).toEqual([FIRST, TIMEOUT, AGAIN]);
  });
});

// ---- Attempts ----------------------------------------------------------------------------------

describe("attempts travel in the signed answer URL", () => {
  const sign = (path: string, params: Record<string, string>): string => twilio.getExpectedTwilioSignature(AUTH_TOKEN, `https://${HOST}${path}`, params);
  const post = (path: string, params: Record<string, string>, signature = sign(path, params)) =>
    request(app).post(path).type("form").set("X-Twilio-Signature", signature).send(params);

  test("the apology and the prompt are said inside the <Gather>, so the caller may answer during them", async () => {
    const res = await post("/main-menu?attempt=1", { Digits: "7" });
    expect(res.text).toContain(`<Gather action="/main-menu?attempt=2" method="POST" input="dtmf speech" numDigits="1" hints="sales, buy something, support, help, something is broken, operator, a person"><Say>${INVALID}</Say><Say>${AGAIN}</Say></Gather>`);
    expect(res.text).toContain('<Redirect method="POST">/main-menu?attempt=2</Redirect>');
  });

  test("a request to ?attempt=3 carrying the signature of ?attempt=1 gets 403", async () => {
    const params = { CallSid: "CA1" };
    expect((await post("/main-menu?attempt=1", params)).status).toBe(200);
    const forged = await post("/main-menu?attempt=3", params, sign("/main-menu?attempt=1", params));
    expect(forged.status).toBe(403);
    expect(forged.text).not.toContain("operator");
    expect((await post("/main-menu?attempt=3", params)).text).toContain("Connecting you to an operator.");
  });

  test.each([
    ["/main-menu", "the bare processTransitionUri"],
    ["/main-menu?attempt=0", "0"],
    ["/main-menu?attempt=two", "not a number"],
    ["/main-menu?attempt=1.5", "not whole"],
  ])("%s (%s) counts as attempt 1", async (path) => {
    const res = await post(path, {});
    expect(res.status).toBe(200);
    expect(res.text).toContain('action="/main-menu?attempt=2"');
    expect(res.text).toContain(`<Say>${TIMEOUT}</Say>`);
  });

  test("an attempt above tries counts as the last", async () => {
    expect((await post("/main-menu?attempt=99", { Digits: "9" })).text).toContain("Connecting you to an operator.");
  });

  test("transitionOut called directly counts as an answer to attempt 1", async () => {
    const next = await mainMenu.transitionOut({});
    expect(next.name).toBe("MAIN_MENU");
    const twiml = String(await next.twimlFor!((p: string) => p));
    expect(twiml).toContain('action="/main-menu?attempt=2"');
    expect(await mainMenu.transitionOut({ Digits: "1" })).toBe(sales);
  });

  test("works without sessions; with them, to functions get the call's session", async () => {
    const seen: (string | undefined)[] = [];
    const pick = menu({
      name: "PICK",
      uri: "/pick",
      processTransitionUri: "/picked",
      prompt: "Press 1.",
      options: [
        {
          keys: ["1"],
          to: async (_input, session?: CallSession) => {
            seen.push(session?.callSid);
            await session?.set("picked", "one");
            return connect("DONE", `Done: ${String(await session?.get("picked"))}.`);
          },
        },
      ],
      onFailure: operator,
    });
    const withSessions = twilioIvr([pick], { twilio: { authToken: "", validate: false }, urlFor: { host: () => HOST }, sessions: {} });
    const call = await simulateCall(withSessions, { uri: "/pick", callSid: "CA-menu-session" });
    await call.press("1");
    expect(call.lastSaid).toBe("Done: one.");
    expect(seen).toEqual(["CA-menu-session"]);
  });

  test("a menu reached from another state starts at attempt 1", async () => {
    const back: State = { name: "BACK", uri: "/back", transitionOut: () => mainMenu };
    const target = twilioIvr([mainMenu, back], { twilio: { authToken: "", validate: false }, urlFor: { host: () => HOST } });
    const res = await request(target).post("/back").type("form").send({});
    expect(res.text).toContain('action="/main-menu?attempt=1"');
    expect(res.text).toContain(FIRST);
  });
});

// ---- Errors ------------------------------------------------------------------------------------

describe("menu errors, as the README lists them", () => {
  const valid = (): MenuOptions => ({ name: "MAIN_MENU", processTransitionUri: "/main-menu", prompt: "Choose.", options: [{ keys: ["1"], to: sales }], onFailure: operator });

  function problems(options: unknown): string {
    try {
      menu(options as MenuOptions);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe("ERR_IVR_STATE_INVALID");
      return (err as Error).message;
    }
    throw new Error("menu() accepted the options");
  }

  test("one error lists every problem, starting with the menu's name", () => {
    const message = problems({ name: "MAIN_MENU", processTransitionUri: "main-menu", options: [{ keys: ["1", "a"], to: 3 }, { keys: ["1"], to: sales }], tries: 0 });
    expect(message.startsWith('Invalid state provided: menu("MAIN_MENU"): ')).toBe(true);
    for (const part of ["processTransitionUri", "options.prompt", '"a" is not a key', "options[0].to", 'key "1" is in options[0] and options[1]', "options.tries", "options.onFailure"]) {
      expect(message).toContain(part);
    }
  });

  test.each<[string, Partial<Record<keyof MenuOptions, unknown>>, string]>([
    ["name missing", { name: undefined }, "options.name"],
    ["uri not starting with /", { uri: "m" }, "options.uri"],
    ["options missing", { options: undefined }, "options.options"],
    ["a choice with neither keys nor phrases", { options: [{ to: sales }] }, "neither keys nor phrases"],
    ["a phrase with no words", { options: [{ phrases: ["?!"], to: sales }] }, "has no words"],
    ["the same phrase twice", { options: [{ phrases: ["Sales!"], to: sales }, { phrases: ["sales"], to: support }] }, "same words"],
    ["a phrase that says another choice's key", { options: [{ keys: ["1"], to: sales }, { phrases: ["press one"], to: support }] }, 'says key "1"'],
    ["input dtmf with phrases", { input: "dtmf", options: [{ keys: ["1"], phrases: ["sales"], to: sales }] }, 'options.input is "dtmf"'],
    ["numDigits shorter than a key", { numDigits: 1, options: [{ keys: ["12"], to: sales }] }, "options.numDigits"],
    ["finishOnKey not one key", { finishOnKey: "##" }, "options.finishOnKey"],
    ["finishOnKey part of a key", { finishOnKey: "1" }, "options.finishOnKey"],
    ["timeout not positive", { timeout: -1 }, "options.timeout"],
    ["numDigits not whole", { numDigits: 1.5 }, "options.numDigits"],
    ["hints of the wrong type", { hints: 3 }, "options.hints"],
    ["language of the wrong type", { language: "" }, "options.language"],
    ["a prompt that is not well-formed", { prompt: "<Say>Hi" }, "well-formed"],
    ["a prompt with another verb", { prompt: "<Dial>+15550001111</Dial>" }, "<Dial>"],
    ["bare text mixed with verbs", { onInvalid: "<Pause/>Oops" }, "mixes text"],
    ["elements inside a verb", { onTimeout: "<Say><Play>a.wav</Play></Say>" }, "holds elements"],
  ])("%s", (_, change, expected) => {
    expect(problems({ ...valid(), ...change })).toContain(expected);
  });

  describe("at call time, as for any state", () => {
    const caught: unknown[] = [];
    const keep: ErrorRequestHandler = (err, _req, res, _next) => {
      caught.push(err);
      res.status(500).end();
    };
    beforeEach(() => {
      caught.length = 0;
    });

    test("a prompt function whose result breaks the rules: StateError ERR_IVR_RENDER", async () => {
      const target = twilioIvr(
        [menu({ name: "BAD_PROMPT", uri: "/bad", processTransitionUri: "/bad-answer", prompt: () => "<Dial>1</Dial>", options: [{ keys: ["1"], to: sales }], onFailure: operator })],
        { twilio: { authToken: "", validate: false }, urlFor: { host: () => HOST } },
      );
      target.use(keep);
      expect((await request(target).post("/bad")).status).toBe(500);
      expect(caught[0]).toBeInstanceOf(StateError);
      expect(caught[0]).toMatchObject({ code: "ERR_IVR_RENDER", stateName: "BAD_PROMPT" });
    });

    test("a to function that returns something other than a state: StateError ERR_IVR_TRANSITION", async () => {
      const target = twilioIvr(
        [menu({ name: "BAD_TO", uri: "/bad", processTransitionUri: "/bad-answer", prompt: "Press 1.", options: [{ keys: ["1"], to: () => 42 as unknown as State }], onFailure: operator })],
        { twilio: { authToken: "", validate: false }, urlFor: { host: () => HOST } },
      );
      target.use(keep);
      expect((await request(target).post("/bad-answer?attempt=1").type("form").send({ Digits: "1" })).status).toBe(500);
      expect(caught[0]).toBeInstanceOf(StateError);
      expect(caught[0]).toMatchObject({ code: "ERR_IVR_TRANSITION" });
    });
  });
});
