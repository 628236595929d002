// The TwiML a menu answers with: a <Gather> posting to the answer URL of the attempt, holding the
// message about the last attempt and the prompt, then a <Redirect> to the same URL for silence.
// User text is escaped (by twilio's VoiceResponse); the simulator validates every document against
// the TwiML schema and reads back what the caller hears.
import request from "supertest";
import { menu } from "../../../src";
import type { MenuOptions, State } from "../../../src";
import { parseTwiml, simulateCall } from "../../../src/testing";
import { AUTH_TOKEN, buildApp, devConfig, endState, validatingConfig } from "../../helpers/app";

const SALES = endState("SALES");
const SUPPORT = endState("SUPPORT");
const GOODBYE = endState("GOODBYE");
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

function mainMenu(overrides: Partial<MenuOptions> = {}): State {
  return menu({
    name: "MAIN",
    uri: "/incoming-call",
    processTransitionUri: "/main-menu",
    prompt: "Press 1 for sales or 2 for support.",
    options: [
      { keys: ["1"], phrases: ["sales"], to: SALES },
      { keys: ["2"], phrases: ["support", "help"], to: SUPPORT },
    ],
    onFailure: GOODBYE,
    ...overrides,
  });
}

async function firstTwiml(main: State): Promise<string> {
  const res = await request(buildApp([main, SALES, SUPPORT, GOODBYE], devConfig())).post("/incoming-call").type("form").send("CallSid=CA1");
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/xml/);
  return res.text;
}

describe("a menu's TwiML", () => {
  it("with the defaults: input from the choices, numDigits 1, hints from the phrases, and a Redirect for silence", async () => {
    expect(await firstTwiml(mainMenu())).toBe(
      XML_DECLARATION +
        "<Response>" +
        '<Gather action="/main-menu?attempt=1" method="POST" input="dtmf speech" numDigits="1" hints="sales, support, help">' +
        "<Say>Press 1 for sales or 2 for support.</Say>" +
        "</Gather>" +
        '<Redirect method="POST">/main-menu?attempt=1</Redirect>' +
        "</Response>",
    );
  });

  it("with every attribute set", async () => {
    const twiml = await firstTwiml(
      mainMenu({
        options: [
          { keys: ["123"], to: SALES },
          { keys: ["45"], phrases: ["support"], to: SUPPORT },
        ],
        numDigits: 4,
        finishOnKey: "*",
        timeout: 9,
        hints: ["support", "customer service"],
        language: "en-GB",
      }),
    );
    expect(twiml).toContain(
      '<Gather action="/main-menu?attempt=1" method="POST" input="dtmf speech" numDigits="4" finishOnKey="*" timeout="9" hints="support, customer service" language="en-GB">',
    );
  });

  it("keys only: input dtmf and no hints; phrases only: input speech, no numDigits", async () => {
    const keysOnly = await firstTwiml(mainMenu({ options: [{ keys: ["1"], to: SALES }] }));
    expect(keysOnly).toContain('<Gather action="/main-menu?attempt=1" method="POST" input="dtmf" numDigits="1">');
    const speechOnly = await firstTwiml(mainMenu({ options: [{ phrases: ["sales"], to: SALES }] }));
    expect(speechOnly).toContain('<Gather action="/main-menu?attempt=1" method="POST" input="speech" hints="sales">');
  });

  it('a key with # gives finishOnKey="" (none)', async () => {
    expect(await firstTwiml(mainMenu({ options: [{ keys: ["#"], to: SALES }, { keys: ["0"], to: SUPPORT }] }))).toContain(
      '<Gather action="/main-menu?attempt=1" method="POST" input="dtmf" numDigits="1" finishOnKey="">',
    );
  });

  it("hints as a string are kept as written", async () => {
    expect(await firstTwiml(mainMenu({ hints: "sales,support" }))).toContain('hints="sales,support"');
  });

  it("escapes user text: & < > and quotes in prompts, messages, hints and phrases", async () => {
    const prompt = `Tom & Jerry's <"best"> deals > all`;
    const main = mainMenu({
      prompt,
      onInvalid: `That's not "it" & <never> will be.`,
      options: [
        { keys: ["1"], phrases: ["R&D", `"quoted" <lab>`], to: SALES },
        { keys: ["2"], to: SUPPORT },
      ],
    });
    const twiml = await firstTwiml(main);
    expect(twiml).toContain(`<Say>Tom &amp; Jerry's &lt;"best"&gt; deals &gt; all</Say>`);
    // (">" needs no escaping inside an attribute value.)
    expect(twiml).toMatch(/ hints="R&amp;D, &quot;quoted&quot; &lt;lab(>|&gt;)"/);
    // The document parses, and says exactly the text.
    const root = parseTwiml(twiml);
    const gather = root.children[0]!;
    expect(gather.attributes.hints).toBe(`R&D, "quoted" <lab>`);
    expect(gather.children[0]!.text).toBe(prompt);

    // The caller hears exactly the text, on the first attempt and after a wrong answer.
    const app = buildApp([main, SALES, SUPPORT, GOODBYE], validatingConfig());
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    await call.press("9");
    expect(call.said).toEqual([prompt, `That's not "it" & <never> will be.`, prompt]);
    expect(call.twiml).toContain("<Say>That's not \"it\" &amp; &lt;never&gt; will be.</Say>");
  });

  it("TwiML content: entities are read and written back escaped; attributes are kept", async () => {
    const main = mainMenu({
      prompt: '<Say voice="Polly.Amy" language="en-GB" loop="2">Fish &amp; chips &lt;today&gt; &quot;only&quot;</Say><Pause length="2"/><Play loop="1">https://cdn.example.com/a.mp3?x=1&amp;y=2</Play>',
    });
    const twiml = await firstTwiml(main);
    expect(twiml).toContain(
      '<Say voice="Polly.Amy" language="en-GB" loop="2">Fish &amp; chips &lt;today&gt; "only"</Say><Pause length="2"/><Play loop="1">https://cdn.example.com/a.mp3?x=1&amp;y=2</Play>',
    );
    const app = buildApp([main, SALES, SUPPORT, GOODBYE], validatingConfig());
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    expect(call.transcript.slice(2)).toEqual([
      { type: "say", text: 'Fish & chips <today> "only"', loop: 2, voice: "Polly.Amy", language: "en-GB" },
      { type: "pause", seconds: 2 },
      { type: "play", url: "https://cdn.example.com/a.mp3?x=1&y=2", loop: 1 },
    ]);
  });

  it("the retry's TwiML: the message first, then the prompt, in the Gather of the next attempt", async () => {
    const app = buildApp([mainMenu({ timeout: 3 }), SALES, SUPPORT, GOODBYE], devConfig());
    const res = await request(app).post("/main-menu?attempt=1").type("form").send("CallSid=CA1&Digits=7");
    expect(res.text).toBe(
      XML_DECLARATION +
        "<Response>" +
        '<Gather action="/main-menu?attempt=2" method="POST" input="dtmf speech" numDigits="1" timeout="3" hints="sales, support, help">' +
        "<Say>Sorry, that is not one of the choices.</Say>" +
        "<Say>Press 1 for sales or 2 for support.</Say>" +
        "</Gather>" +
        '<Redirect method="POST">/main-menu?attempt=2</Redirect>' +
        "</Response>",
    );
  });
});
