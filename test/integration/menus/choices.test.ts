// A menu's choices, reached through the simulator (in-process app, every request signed with the
// auth token and validated by the app): keys, phrases inside longer sentences, numbers said as
// words, multi-digit entries, `to` as a function, speech-only and keys-only menus.
import { menu } from "../../../src";
import type { CallSession, InputData, MenuOptions, State } from "../../../src";
import { simulateCall, type SimulatedCall } from "../../../src/testing";
import { AUTH_TOKEN, buildApp, devConfig, endState, validatingConfig } from "../../helpers/app";

const LUNCH = endState("LUNCH", "<Response><Say>Here are today's lunch specials.</Say><Hangup/></Response>");
const DINNER = endState("DINNER", "<Response><Say>Dinner is served from six.</Say><Hangup/></Response>");
const BAR = endState("BAR", "<Response><Say>The bar opens at five.</Say><Hangup/></Response>");
const GOODBYE = endState("GOODBYE", "<Response><Say>Goodbye.</Say><Hangup/></Response>");

const PROMPT = "For lunch specials press 1, for dinner press 2, for the bar press 3.";

function restaurantMenu(overrides: Partial<MenuOptions> = {}): State {
  return menu({
    name: "MAIN",
    uri: "/incoming-call",
    processTransitionUri: "/main-menu",
    prompt: PROMPT,
    options: [
      { keys: ["1"], phrases: ["lunch specials", "lunch"], to: LUNCH },
      { keys: ["2"], phrases: ["dinner"], to: DINNER },
      { keys: ["3"], phrases: ["bar", "drinks"], to: BAR },
    ],
    onFailure: GOODBYE,
    ...overrides,
  });
}

/** Calls the menu (validation on, requests signed) and checks it is waiting at its first Gather. */
async function callMenu(main: State = restaurantMenu(), states: State[] = [LUNCH, DINNER, BAR, GOODBYE]): Promise<SimulatedCall> {
  const app = buildApp([main, ...states], validatingConfig());
  const call = await simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
  expect(call.waitingFor).toBe("gather");
  expect(call.said).toEqual([PROMPT]);
  return call;
}

/** The webhooks the call sent, as `METHOD path?query (status)`. */
function requests(call: SimulatedCall): string[] {
  return call.transcript.flatMap((e) => (e.type === "request" ? [`${e.method} ${new URL(e.url).pathname}${new URL(e.url).search} (${e.status})`] : []));
}

describe("a menu: keys", () => {
  it.each([
    ["1", "Here are today's lunch specials."],
    ["2", "Dinner is served from six."],
    ["3", "The bar opens at five."],
  ])("pressing %s goes to its choice at once", async (key, heard) => {
    const call = await callMenu();
    await call.press(key);
    expect(call.said).toEqual([PROMPT, heard]);
    expect(call.ended).toBe(true);
    expect(requests(call)).toEqual(["POST /incoming-call (200)", "POST /main-menu?attempt=1 (200)"]);
  });

  it("reads only the first key when numDigits is 1 (the default for one-key choices)", async () => {
    const call = await callMenu();
    await call.press("21");
    expect(call.lastSaid).toBe("Dinner is served from six.");
  });
});

describe("a menu: speech", () => {
  it.each([
    ["Uh, I'd like the lunch specials, please.", "Here are today's lunch specials."],
    ["LUNCH!", "Here are today's lunch specials."],
    ["what's for dinner tonight?", "Dinner is served from six."],
    ["Drinks... at the BAR, please", "The bar opens at five."],
    ["Dinner.", "Dinner is served from six."],
  ])("%j picks the choice whose phrase is in it", async (sentence, heard) => {
    const call = await callMenu();
    await call.say(sentence);
    expect(call.said).toEqual([PROMPT, heard]);
    expect(call.ended).toBe(true);
  });

  it.each([
    ["one", "Here are today's lunch specials."],
    ["press one please", "Here are today's lunch specials."],
    ["Two.", "Dinner is served from six."],
    ["I'll take number three", "The bar opens at five."],
    ["3", "The bar opens at five."],
  ])("a key said aloud (%j) picks its choice", async (sentence, heard) => {
    const call = await callMenu();
    await call.say(sentence);
    expect(call.lastSaid).toBe(heard);
  });

  it("a phrase wins over a key said aloud", async () => {
    const call = await callMenu();
    await call.say("not two, I want lunch");
    expect(call.lastSaid).toBe("Here are today's lunch specials.");
  });

  it("two keys said aloud, or two phrases of the same length from different choices, pick nothing", async () => {
    const call = await callMenu();
    await call.say("one or two");
    expect(call.said.slice(-2)).toEqual(["Sorry, that is not one of the choices.", PROMPT]);
    await call.say("dinner at the bar");
    expect(call.said.slice(-2)).toEqual(["Sorry, that is not one of the choices.", PROMPT]);
    expect(call.ended).toBe(false);
  });

  it("the longest phrase heard wins", async () => {
    const TECH = endState("TECH", "<Response><Say>Technical support.</Say></Response>");
    const HELP = endState("HELP", "<Response><Say>Customer support.</Say></Response>");
    const support = menu({
      name: "SUPPORT",
      uri: "/incoming-call",
      processTransitionUri: "/support",
      prompt: PROMPT,
      options: [
        { phrases: ["technical support"], to: TECH },
        { phrases: ["support"], to: HELP },
      ],
      onFailure: GOODBYE,
    });
    const call = await callMenu(support, [TECH, HELP, GOODBYE]);
    await call.say("I need TECHNICAL support, not general support");
    expect(call.lastSaid).toBe("Technical support.");
    const other = await callMenu(support, [TECH, HELP, GOODBYE]);
    await other.say("support, please");
    expect(other.lastSaid).toBe("Customer support.");
  });

  it("a multi-digit key said digit by digit, or as digits, picks its choice", async () => {
    const ACCOUNT = endState("ACCOUNT", "<Response><Say>Account 123.</Say></Response>");
    const codes = menu({
      name: "CODES",
      uri: "/incoming-call",
      processTransitionUri: "/codes",
      prompt: PROMPT,
      options: [
        { keys: ["123"], to: ACCOUNT },
        { keys: ["456"], to: GOODBYE },
      ],
      input: "dtmf speech",
      onFailure: GOODBYE,
    });
    for (const sentence of ["one two three", "One, two, three.", "my code is 1 2 3", "123"]) {
      const call = await callMenu(codes, [ACCOUNT, GOODBYE]);
      await call.say(sentence);
      expect({ sentence, heard: call.lastSaid }).toEqual({ sentence, heard: "Account 123." });
    }
    // "one two" is the key "12", which no choice has.
    const call = await callMenu(codes, [ACCOUNT, GOODBYE]);
    await call.say("one two");
    expect(call.lastSaid).toBe(PROMPT);
    expect(call.said).toContain("Sorry, that is not one of the choices.");
  });
});

describe("a menu: multi-digit entry", () => {
  const ACCOUNT = endState("ACCOUNT", "<Response><Say>Account menu.</Say></Response>");
  const OPERATOR = endState("OPERATOR", "<Response><Say>Operator.</Say></Response>");

  function entryMenu(keys: [string, string], overrides: Partial<MenuOptions> = {}): State {
    return menu({
      name: "ENTRY",
      uri: "/incoming-call",
      processTransitionUri: "/entry",
      prompt: PROMPT,
      options: [
        { keys: [keys[0]], to: ACCOUNT },
        { keys: [keys[1]], to: OPERATOR },
      ],
      onFailure: GOODBYE,
      ...overrides,
    });
  }

  /** The Gather's attributes as rendered. */
  function gatherAttributes(call: SimulatedCall): Record<string, string> {
    const tag = /<Gather ([^>]*)>/.exec(call.twiml ?? "")?.[1] ?? "";
    return Object.fromEntries(Array.from(tag.matchAll(/(\w+)="([^"]*)"/g), (m) => [m[1]!, m[2]!]));
  }

  it("keys of one length: numDigits is that length, so the entry ends by itself", async () => {
    const call = await callMenu(entryMenu(["123", "000"]), [ACCOUNT, OPERATOR, GOODBYE]);
    expect(gatherAttributes(call)).toMatchObject({ numDigits: "3" });
    expect(gatherAttributes(call).finishOnKey).toBeUndefined();
    await call.press("123");
    expect(call.lastSaid).toBe("Account menu.");
  });

  it("keys of different lengths: no numDigits; the caller ends with # (Twilio's finishOnKey)", async () => {
    const main = entryMenu(["123", "0"]);
    const call = await callMenu(main, [ACCOUNT, OPERATOR, GOODBYE]);
    expect(gatherAttributes(call).numDigits).toBeUndefined();
    await call.press("123#");
    expect(call.lastSaid).toBe("Account menu.");
    const short = await callMenu(main, [ACCOUNT, OPERATOR, GOODBYE]);
    await short.press("0#");
    expect(short.lastSaid).toBe("Operator.");
    // A wrong entry, then the right one on the second attempt.
    const wrong = await callMenu(main, [ACCOUNT, OPERATOR, GOODBYE]);
    await wrong.press("12#");
    expect(wrong.said.slice(-2)).toEqual(["Sorry, that is not one of the choices.", PROMPT]);
    await wrong.press("123#");
    expect(wrong.lastSaid).toBe("Account menu.");
  });

  it("a key with #: no finishOnKey (\"\"), so # is read as a key", async () => {
    const call = await callMenu(entryMenu(["#", "0"]), [ACCOUNT, OPERATOR, GOODBYE]);
    expect(gatherAttributes(call)).toMatchObject({ finishOnKey: "", numDigits: "1" });
    await call.press("#");
    expect(call.lastSaid).toBe("Account menu.");
  });

  it("an explicit finishOnKey and a longer numDigits: the entry ends on that key", async () => {
    const call = await callMenu(entryMenu(["123", "45"], { finishOnKey: "*", numDigits: 6 }), [ACCOUNT, OPERATOR, GOODBYE]);
    expect(gatherAttributes(call)).toMatchObject({ finishOnKey: "*", numDigits: "6" });
    await call.press("45*");
    expect(call.lastSaid).toBe("Operator.");
  });
});

describe("a menu: `to` as a function", () => {
  it("gets exactly the input (sessions off), may be async, and its state is rendered", async () => {
    const calls: unknown[][] = [];
    const to = async (...args: unknown[]): Promise<State> => {
      calls.push(args);
      await new Promise((resolve) => setTimeout(resolve, 1));
      const input = args[0] as InputData;
      return endState("PICKED", `<Response><Say>You said ${String(input.SpeechResult)}.</Say></Response>`);
    };
    const main = restaurantMenu({ options: [{ keys: ["1"], phrases: ["lunch"], to }, { keys: ["2"], to: DINNER }] });
    const call = await callMenu(main, [DINNER, GOODBYE]);
    await call.say("Lunch, please");
    expect(call.lastSaid).toBe("You said Lunch, please.");
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    // The whole webhook input, as Twilio posted it; the attempt (in the URL's query) is not in it.
    expect(calls[0]![0]).toMatchObject({ SpeechResult: "Lunch, please", CallSid: call.callSid, From: "+15005550006" });
    expect(calls[0]![0]).not.toHaveProperty("attempt");
  });

  it("gets (input, session) with sessions on, and the session works", async () => {
    const RECEIPT: State = {
      name: "RECEIPT",
      isEndState: true,
      async twimlFor(_urlFor, _input, session?: CallSession) {
        return `<Response><Say>You chose ${String(await session!.get("choice"))}.</Say></Response>`;
      },
    };
    const seen: unknown[][] = [];
    const to = async (input: InputData, session?: CallSession): Promise<State> => {
      seen.push([input, session]);
      await session!.set("choice", input.Digits ?? "nothing");
      return RECEIPT;
    };
    const main = restaurantMenu({ options: [{ keys: ["1", "2"], to }] });
    const app = buildApp([main, RECEIPT, GOODBYE], validatingConfig({ sessions: {} }));
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    await call.press("9");
    await call.press("2");
    expect(call.lastSaid).toBe("You chose 2.");
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toMatchObject({ Digits: "2", CallSid: call.callSid });
    expect((seen[0]![1] as CallSession).callSid).toBe(call.callSid);
  });

  it("a function returning something that is not a state fails the request (ERR_IVR_TRANSITION)", async () => {
    const main = restaurantMenu({ options: [{ keys: ["1"], to: () => ({ name: "BROKEN" }) as unknown as State }] });
    const app = buildApp([main, GOODBYE], devConfig());
    const call = await simulateCall(app, { uri: "/incoming-call" });
    await expect(call.press("1")).rejects.toThrow(/500/);
  });
});

describe("a menu: what the caller may use", () => {
  it("phrases only: a speech Gather; keys pressed are not heard, so they count as silence", async () => {
    const main = restaurantMenu({
      options: [
        { phrases: ["lunch"], to: LUNCH },
        { phrases: ["dinner"], to: DINNER },
      ],
    });
    const call = await callMenu(main, [LUNCH, DINNER, GOODBYE]);
    expect(call.transcript).toContainEqual(expect.objectContaining({ type: "gather", input: ["speech"] }));
    expect(call.twiml).not.toMatch(/numDigits/);
    await call.press("1");
    expect(call.said.slice(-2)).toEqual(["Sorry, I didn't catch that.", PROMPT]);
    await call.say("dinner please");
    expect(call.lastSaid).toBe("Dinner is served from six.");
  });

  it('input "speech" with keys: the keys are matched when said', async () => {
    const main = restaurantMenu({
      input: "speech",
      options: [
        { keys: ["1"], to: LUNCH },
        { keys: ["2"], phrases: ["dinner"], to: DINNER },
      ],
    });
    const call = await callMenu(main, [LUNCH, DINNER, GOODBYE]);
    expect(call.transcript).toContainEqual(expect.objectContaining({ type: "gather", input: ["speech"] }));
    await call.say("option one");
    expect(call.lastSaid).toBe("Here are today's lunch specials.");
  });

  it("keys only: a dtmf Gather; speech is not heard, so it counts as silence", async () => {
    const main = restaurantMenu({ options: [{ keys: ["1"], to: LUNCH }, { keys: ["2"], to: DINNER }] });
    const call = await callMenu(main, [LUNCH, DINNER, GOODBYE]);
    expect(call.transcript).toContainEqual(expect.objectContaining({ type: "gather", input: ["dtmf"] }));
    await call.say("lunch");
    expect(call.said.slice(-2)).toEqual(["Sorry, I didn't catch that.", PROMPT]);
    await call.press("1");
    expect(call.lastSaid).toBe("Here are today's lunch specials.");
  });
});
