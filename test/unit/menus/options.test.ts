// menu()'s options are checked when the menu is made: every conflict or missing option throws a
// ConfigError (ERR_IVR_STATE_INVALID) naming the menu and the problem, all problems in one error.
// A menu that passes is an ordinary normal state with a frozen description of its choices.
import { ConfigError, menu } from "../../../src";
import type { MenuOptions, State } from "../../../src";
import twilioIvr from "../../../src";

const SALES: State = { name: "SALES", isEndState: true, twimlFor: () => "<Response><Say>Sales</Say></Response>" };
const SUPPORT: State = { name: "SUPPORT", isEndState: true, twimlFor: () => "<Response><Say>Support</Say></Response>" };
const GOODBYE: State = { name: "GOODBYE", isEndState: true, twimlFor: () => "<Response><Hangup/></Response>" };

/** A valid menu's options; tests override one thing at a time. */
function valid(overrides: Record<string, unknown> = {}): MenuOptions {
  return {
    name: "MAIN",
    uri: "/incoming-call",
    processTransitionUri: "/main-menu",
    prompt: "For sales press 1 or say sales. For support press 2 or say support.",
    options: [
      { keys: ["1"], phrases: ["sales"], to: SALES },
      { keys: ["2"], phrases: ["support"], to: SUPPORT },
    ],
    onFailure: GOODBYE,
    ...overrides,
  };
}

/** The ConfigError menu() throws for these options (fails the test if it does not throw one). */
function errorFor(options: unknown): ConfigError {
  let thrown: unknown;
  try {
    menu(options as MenuOptions);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  const error = thrown as ConfigError;
  expect(error.code).toBe("ERR_IVR_STATE_INVALID");
  expect(error.name).toBe("ConfigError");
  return error;
}

/** Expects menu(options) to fail naming the menu and matching every pattern. */
function expectProblem(options: unknown, ...patterns: RegExp[]): void {
  const { message } = errorFor(options);
  expect(message.startsWith('Invalid state provided: menu("MAIN"): ')).toBe(true);
  for (const pattern of patterns) expect(message).toMatch(pattern);
}

describe("menu(): a valid menu", () => {
  it("is accepted as is, and by twilioIvr as a normal state", () => {
    const main = menu(valid());
    expect(main).toMatchObject({ name: "MAIN", uri: "/incoming-call", processTransitionUri: "/main-menu" });
    expect(typeof main.twimlFor).toBe("function");
    expect(typeof main.transitionOut).toBe("function");
    expect(() => twilioIvr([main, SALES, SUPPORT, GOODBYE], { twilio: { authToken: "", validate: false }, urlFor: { host: () => "ivr.example.com" } })).not.toThrow();
  });

  it("has no uri when none is given (a non-routable state)", () => {
    const sub = menu(valid({ uri: undefined }));
    expect("uri" in sub).toBe(false);
  });
});

describe("menu(): missing options", () => {
  it("onFailure", () => {
    expectProblem(valid({ onFailure: undefined }), /options\.onFailure is required/);
  });

  it("prompt (absent, empty array, or not content)", () => {
    expectProblem(valid({ prompt: undefined }), /options\.prompt is required/);
    expectProblem(valid({ prompt: [] }), /options\.prompt is required/);
    expectProblem(valid({ prompt: 42 }), /options\.prompt is required/);
    expectProblem(valid({ prompt: ["Press 1.", 7] }), /options\.prompt\[1\] must be TwiML content \(a string\), got number 7/);
  });

  it("options (absent, not an array, or empty)", () => {
    expectProblem(valid({ options: undefined }), /options\.options must be a non-empty array/);
    expectProblem(valid({ options: {} }), /options\.options must be a non-empty array/);
    expectProblem(valid({ options: [] }), /options\.options must be a non-empty array/);
  });

  it("name: the error calls the menu unnamed", () => {
    const { message } = errorFor(valid({ name: undefined }));
    expect(message).toMatch(/^Invalid state provided: menu\(unnamed\): options\.name is required/);
    expect(errorFor(valid({ name: "" })).message).toMatch(/^Invalid state provided: menu\(unnamed\): options\.name is required/);
  });

  it("processTransitionUri (absent or not a path); uri, when given, must be a path too", () => {
    expectProblem(valid({ processTransitionUri: undefined }), /options\.processTransitionUri must be a path starting with "\/"/);
    expectProblem(valid({ processTransitionUri: "main-menu" }), /options\.processTransitionUri must be a path starting with "\/"/);
    expectProblem(valid({ uri: "incoming-call" }), /options\.uri must be a path starting with "\/"/);
  });

  it("a choice's to, and onFailure, must be states or functions", () => {
    expectProblem(valid({ options: [{ keys: ["1"] }] }), /options\.options\[0\]\.to is required/);
    expectProblem(valid({ options: [{ keys: ["1"], to: { name: "HALF" } }] }), /options\.options\[0\]\.to must be a state or a function/);
    expectProblem(valid({ onFailure: "GOODBYE" }), /options\.onFailure must be a state or a function/);
  });

  it("options must be an object at all", () => {
    const error = errorFor(undefined);
    expect(error.message).toMatch(/^menu\(options\): options must be an object/);
  });
});

describe("menu(): choices that cannot work", () => {
  it("a key that is not keys", () => {
    expectProblem(valid({ options: [{ keys: ["1a"], to: SALES }] }), /options\.options\[0\]\.keys: "1a" is not a key/);
    expectProblem(valid({ options: [{ keys: [""], to: SALES }] }), /options\.options\[0\]\.keys: "" is not a key/);
    // Not strings at all (a plain-JS mistake): reported like any bad key, not a TypeError.
    expectProblem(valid({ options: [{ keys: [1], to: SALES }] }), /options\.options\[0\]\.keys: number 1 is not a key/);
    expectProblem(valid({ options: [{ keys: ["1", null], to: SALES }] }), /options\.options\[0\]\.keys: null is not a key/);
    expectProblem(valid({ options: [{ keys: [2], to: SALES }], finishOnKey: "#" }), /options\.options\[0\]\.keys: number 2 is not a key/);
    expectProblem(valid({ options: [{ keys: "1", to: SALES }] }), /options\.options\[0\]\.keys must be an array/);
  });

  it("a choice with neither keys nor phrases", () => {
    expectProblem(valid({ options: [{ keys: ["1"], to: SALES }, { to: SUPPORT }] }), /options\.options\[1\] has neither keys nor phrases/);
    expectProblem(valid({ options: [{ keys: [], phrases: [], to: SALES }] }), /options\.options\[0\] has neither keys nor phrases/);
  });

  it("a phrase with no words", () => {
    expectProblem(valid({ options: [{ phrases: ["?!"], to: SALES }] }), /options\.options\[0\]\.phrases: "\?!" has no words to match/);
  });

  it("the same key in two choices", () => {
    expectProblem(
      valid({ options: [{ keys: ["1"], to: SALES }, { keys: ["2", "1"], to: SUPPORT }] }),
      /key "1" is in options\[0\] and options\[1\]/,
    );
  });

  it("the same phrase in two choices, however it is written", () => {
    expectProblem(
      valid({ options: [{ phrases: ["Sales"], to: SALES }, { phrases: ["support", "sales!"], to: SUPPORT }] }),
      /phrase "sales!" of options\[1\] matches the same words as a phrase of options\[0\]/,
    );
  });

  it("a phrase that says another choice's key", () => {
    expectProblem(
      valid({ options: [{ keys: ["1"], to: SALES }, { keys: ["2"], phrases: ["press one"], to: SUPPORT }] }),
      /phrase "press one" of options\[1\] says key "1" of options\[0\]/,
    );
  });

  it('input "dtmf" with phrases, and an unknown input', () => {
    expectProblem(valid({ input: "dtmf" }), /options\.input is "dtmf" but some options have phrases/);
    expectProblem(valid({ input: "voice" }), /options\.input must be "dtmf", "speech" or "dtmf speech", got "voice"/);
  });

  it("numDigits shorter than a key", () => {
    expectProblem(valid({ options: [{ keys: ["123"], to: SALES }], numDigits: 2 }), /options\.numDigits is 2 but a key has 3 digits/);
  });

  it("finishOnKey inside a key, or not one key", () => {
    expectProblem(valid({ options: [{ keys: ["1*"], to: SALES }], finishOnKey: "*" }), /options\.finishOnKey "\*" is part of a key of options\[0\]/);
    expectProblem(valid({ finishOnKey: "##" }), /options\.finishOnKey must be one key/);
  });

  it("tries, timeout and numDigits that are not positive whole numbers", () => {
    for (const bad of [0, -1, 1.5, "3"]) {
      expectProblem(valid({ tries: bad }), /options\.tries must be a positive whole number/);
      expectProblem(valid({ timeout: bad }), /options\.timeout must be a positive whole number/);
      expectProblem(valid({ numDigits: bad }), /options\.numDigits must be a positive whole number/);
    }
  });

  it("hints and language of the wrong type", () => {
    expectProblem(valid({ hints: 3 }), /options\.hints must be a string or an array of strings/);
    expectProblem(valid({ language: "" }), /options\.language must be a language tag/);
  });
});

describe("menu(): prompt and message content", () => {
  it("malformed TwiML", () => {
    expectProblem(valid({ prompt: "<Say>Press 1" }), /options\.prompt is not well-formed TwiML content/);
    expectProblem(valid({ prompt: "<Say>Tom & Jerry</Say>" }), /options\.prompt is not well-formed TwiML content/);
  });

  it("verbs a Gather cannot hold", () => {
    expectProblem(valid({ prompt: "<Say>Hi</Say><Hangup/>" }), /options\.prompt holds <Hangup>; a menu prompt may hold only <Say>, <Play> and <Pause>/);
    expectProblem(valid({ prompt: ["Press 1.", "<Gather><Say>Hi</Say></Gather>"] }), /options\.prompt\[1\] holds <Gather>/);
    expectProblem(valid({ onInvalid: "<Redirect>/x</Redirect>" }), /options\.onInvalid holds <Redirect>/);
    expectProblem(valid({ onTimeout: "<Dial>+15550001</Dial>" }), /options\.onTimeout holds <Dial>/);
  });

  it("text mixed with verbs, or elements inside a verb", () => {
    expectProblem(valid({ prompt: "<Say>Hi</Say> and more" }), /options\.prompt mixes text with TwiML verbs/);
    expectProblem(valid({ prompt: "<Say>Hi <emphasis>there</emphasis></Say>" }), /options\.prompt <Say> holds elements/);
  });

  it("messages that are not content", () => {
    expectProblem(valid({ onInvalid: 5 }), /options\.onInvalid must be TwiML content \(a string\), got number 5/);
    expectProblem(valid({ onTimeout: ["Sorry"] }), /options\.onTimeout must be TwiML content \(a string\)/);
  });
});

describe("menu(): one error lists every problem", () => {
  it("names the menu once and lists all problems", () => {
    const { message } = errorFor({
      name: "MAIN",
      processTransitionUri: "main-menu",
      prompt: "<Hangup/>",
      options: [
        { keys: ["1"], to: SALES },
        { keys: ["2", "1"], phrases: ["press one"], to: SUPPORT },
        { to: GOODBYE },
      ],
      input: "dtmf",
      finishOnKey: "1",
      tries: 0,
    });
    expect(message.startsWith('Invalid state provided: menu("MAIN"): ')).toBe(true);
    expect(message.match(/menu\(/g)).toHaveLength(1);
    for (const problem of [
      /options\.processTransitionUri must be a path/,
      /options\.prompt holds <Hangup>/,
      /options\.options\[2\] has neither keys nor phrases/,
      /key "1" is in options\[0\] and options\[1\]/,
      /options\.input is "dtmf" but some options have phrases/,
      /options\.finishOnKey "1" is part of a key of options\[0\]/,
      /options\.tries must be a positive whole number, got number 0/,
      /options\.onFailure is required/,
    ]) {
      expect(message).toMatch(problem);
    }
  });

  it("reports a phrase saying another choice's key along with the other problems", () => {
    const { message } = errorFor(valid({ options: [{ keys: ["1"], to: SALES }, { keys: ["2"], phrases: ["press one"], to: SUPPORT }], tries: -2, timeout: 0 }));
    expect(message).toMatch(/phrase "press one" of options\[1\] says key "1" of options\[0\]: a caller saying it would pick both; options\.timeout must be a positive whole number, got number 0; options\.tries must be a positive whole number, got number -2$/);
  });
});

describe("menu(): the menu description", () => {
  const collections = (to: State) => [{ keys: ["1", "*"], phrases: ["sales", "buy something"], to }];

  it("lists the choices and the resolved settings", () => {
    const pickSupport = (): State => SUPPORT;
    const main = menu(
      valid({
        options: [...collections(SALES), { keys: ["2"], to: pickSupport }],
        timeout: 7,
        tries: 4,
      }),
    );
    expect(main.menu).toEqual({
      choices: [
        { keys: ["1", "*"], phrases: ["sales", "buy something"], to: SALES },
        { keys: ["2"], phrases: [], to: pickSupport },
      ],
      input: ["dtmf", "speech"],
      numDigits: 1,
      finishOnKey: undefined,
      timeout: 7,
      tries: 4,
      onFailure: GOODBYE,
    });
    expect(main.menu.choices[0]!.to).toBe(SALES);
    expect(main.menu.choices[1]!.to).toBe(pickSupport);
  });

  it("fills in the defaults: input from the choices, numDigits from equal key lengths, no finishOnKey when # is a key, 3 tries", () => {
    expect(menu(valid({ options: [{ keys: ["12", "34"], to: SALES }], prompt: "Enter a code" })).menu).toMatchObject({
      input: ["dtmf"],
      numDigits: 2,
      finishOnKey: undefined,
      timeout: undefined,
      tries: 3,
    });
    expect(menu(valid({ options: [{ keys: ["1", "123"], to: SALES }] })).menu.numDigits).toBeUndefined();
    expect(menu(valid({ options: [{ keys: ["#"], to: SALES }, { keys: ["0"], to: SUPPORT }] })).menu.finishOnKey).toBe("");
    expect(menu(valid({ options: [{ phrases: ["sales"], to: SALES }] })).menu).toMatchObject({ input: ["speech"], numDigits: undefined });
    expect(menu(valid({ options: [{ keys: ["123"], to: SALES }], numDigits: 5, finishOnKey: "*" })).menu).toMatchObject({ numDigits: 5, finishOnKey: "*" });
  });

  it("is frozen all the way down, and cannot be replaced", () => {
    const options = valid({ options: collections(SALES) });
    const main = menu(options);
    const description = main.menu;
    expect(Object.isFrozen(description)).toBe(true);
    expect(Object.isFrozen(description.choices)).toBe(true);
    expect(Object.isFrozen(description.choices[0])).toBe(true);
    expect(Object.isFrozen(description.choices[0]!.keys)).toBe(true);
    expect(Object.isFrozen(description.choices[0]!.phrases)).toBe(true);
    expect(Object.isFrozen(description.input)).toBe(true);
    // Strict mode (this file is a module): writes throw.
    expect(() => {
      (description as { tries: number }).tries = 99;
    }).toThrow(TypeError);
    expect(() => {
      (description.choices[0]!.keys as string[]).push("9");
    }).toThrow(TypeError);
    expect(() => {
      (main as { menu: unknown }).menu = {};
    }).toThrow(TypeError);
    expect(main.menu).toBe(description);
    expect(Object.keys(main)).toContain("menu");
  });

  it("is a copy: changing the options afterwards changes neither the description nor the menu", () => {
    const keys = ["1"];
    const phrases = ["sales"];
    const main = menu(valid({ options: [{ keys, phrases, to: SALES }] }));
    keys.push("5");
    phrases.push("buy");
    expect(main.menu.choices[0]).toEqual({ keys: ["1"], phrases: ["sales"], to: SALES });
  });
});

describe("menu(): options changed after the menu was made", () => {
  it("do not change what the menu matches", async () => {
    const keys = ["1"];
    const phrases = ["sales"];
    const main = menu(valid({ options: [{ keys, phrases, to: SALES }, { keys: ["2"], to: SUPPORT }] }));
    keys.push("2", "5");
    phrases.push("buy");
    // Called directly, an answer counts as one to the first attempt: a wrong one renders the menu again.
    const five = await main.transitionOut({ Digits: "5" });
    expect(five).not.toBe(SALES);
    expect(five.name).toBe("MAIN");
    expect(await main.transitionOut({ Digits: "2" })).toBe(SUPPORT);
    expect((await main.transitionOut({ SpeechResult: "buy" })).name).toBe("MAIN");
    expect(await main.transitionOut({ Digits: "1" })).toBe(SALES);
  });
});
