// A menu inside a phone tree and against requests Twilio did not make: reached from another
// state's transitionOut (routable or not), as a sub-menu and as another menu's onFailure; the
// attempt in the answer URL is covered by Twilio's signature (a changed attempt is refused with
// 403), and a hand-made attempt that is out of range or not a number is clamped or read as 1.
import type { IncomingMessage, ServerResponse } from "node:http";
import request from "supertest";
import { menu } from "../../../src";
import type { InputData, MenuOptions, State } from "../../../src";
import { CallStepError, simulateCall } from "../../../src/testing";
import { AUTH_TOKEN, PUBLIC_HOST, buildApp, devConfig, endState, sign, validatingConfig } from "../../helpers/app";
import { INVALID, PROMPT, SALES, SUPPORT, TIMEOUT } from "../../helpers/menu-states";

const FAILED = endState("FAILED", "<Response><Say>Goodbye.</Say><Hangup/></Response>");

function mainMenu(overrides: Partial<MenuOptions> = {}): State {
  return menu({
    name: "MAIN",
    uri: "/incoming-call",
    processTransitionUri: "/main-menu",
    prompt: PROMPT,
    options: [
      { keys: ["1"], to: SALES },
      { keys: ["2"], to: SUPPORT },
    ],
    onFailure: FAILED,
    ...overrides,
  });
}

describe("a menu in a phone tree", () => {
  it("as the target of another state's transitionOut, not routable itself: attempt 1, then retries and onFailure on its own route", async () => {
    const sub = mainMenu({ name: "SUB", uri: undefined, processTransitionUri: "/sub-menu", prompt: "Sub menu: press 1 or 2." });
    const welcome: State = {
      name: "WELCOME",
      uri: "/incoming-call",
      processTransitionUri: "/welcome",
      twimlFor: () => '<Response><Gather action="/welcome" numDigits="1"><Say>Welcome. Press 9.</Say></Gather></Response>',
      transitionOut: (input?: InputData) => (input?.Digits === "9" ? sub : FAILED),
    };
    const app = buildApp([welcome, sub, SALES, SUPPORT, FAILED], validatingConfig());
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    await call.press("9");
    expect(call.said).toEqual(["Welcome. Press 9.", "Sub menu: press 1 or 2."]);
    await call.press("5");
    await call.silence();
    await call.press("5");
    expect(call.said.slice(2)).toEqual([INVALID, "Sub menu: press 1 or 2.", TIMEOUT, "Sub menu: press 1 or 2.", "Goodbye."]);
    const posted = call.transcript.flatMap((e) => (e.type === "request" ? [new URL(e.url).pathname + new URL(e.url).search] : []));
    expect(posted).toEqual(["/incoming-call", "/welcome", "/sub-menu?attempt=1", "/sub-menu?attempt=2", "/sub-menu?attempt=3"]);
    // Not routable: its only route is the answer route, where a POST with no input counts as silence at attempt 1.
    const res = await request(app).post("/sub-menu").set("Host", PUBLIC_HOST).set("X-Twilio-Signature", sign(`http://${PUBLIC_HOST}/sub-menu`, {})).type("form").send("");
    expect(res.status).toBe(200);
    expect(res.text).toContain('action="/sub-menu?attempt=2"');
  });

  it("reached through a non-renderable branching state", async () => {
    const main = mainMenu({ uri: undefined });
    const router: State = { name: "ROUTER", uri: "/incoming-call", transitionOut: () => main };
    const app = buildApp([router, main, SALES, SUPPORT, FAILED], validatingConfig());
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    expect(call.said).toEqual([PROMPT]);
    await call.press("2");
    expect(call.lastSaid).toBe("Support.");
  });

  it("a sub-menu as a choice, a way back to the main menu (which starts again at attempt 1), and a menu as another menu's onFailure", async () => {
    const lastChance = mainMenu({ name: "LAST_CHANCE", uri: undefined, processTransitionUri: "/last-chance", prompt: "Last chance: press 1.", tries: 1 });
    const tree: { main?: State } = {};
    const sub = menu({
      name: "SUB",
      processTransitionUri: "/sub-menu",
      prompt: "Press 2 for support, or star to go back.",
      options: [
        { keys: ["2"], to: SUPPORT },
        { keys: ["*"], phrases: ["go back"], to: () => tree.main! },
      ],
      onFailure: lastChance,
    });
    const main = mainMenu({ options: [{ keys: ["1"], to: SALES }, { keys: ["9"], to: sub }] });
    tree.main = main;
    const app = buildApp([main, sub, lastChance, SALES, SUPPORT, FAILED], validatingConfig());
    const call = await simulateCall(app, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    await call.press("5"); // main, attempt 1: wrong
    await call.press("9"); // main, attempt 2: the sub-menu
    await call.say("go back please"); // back to the main menu: attempt 1 again
    const gathers = call.transcript.flatMap((e) => (e.type === "gather" ? [new URL(e.action).pathname + new URL(e.action).search] : []));
    expect(gathers).toEqual(["/main-menu?attempt=1", "/main-menu?attempt=2", "/sub-menu?attempt=1", "/main-menu?attempt=1"]);
    await call.press("9");
    await call.press("0");
    await call.press("0");
    await call.press("0"); // the sub-menu's three tries fail: its onFailure is the last-chance menu
    expect(call.lastSaid).toBe("Last chance: press 1.");
    await call.press("1");
    expect(call.lastSaid).toBe("Sales.");
  });
});

describe("a menu and the attempt in the answer URL", () => {
  const FORM = { CallSid: "CA0123456789abcdef0123456789abcdef", From: "+15551234567", Digits: "7" };

  /** A POST to `path` as Twilio would send it through the public host, signed for `signedPath`. */
  function post(app: Parameters<typeof request>[0], path: string, form: Record<string, string> = FORM, signedPath = path): request.Test {
    return request(app)
      .post(path)
      .set("Host", PUBLIC_HOST)
      .set("X-Twilio-Signature", sign(`http://${PUBLIC_HOST}${signedPath}`, form))
      .type("form")
      .send(new URLSearchParams(form).toString());
  }

  it("validation on: a signed answer to attempt 1 is accepted; the same request with the attempt changed is refused (403) and runs no code", async () => {
    const onFailure = jest.fn((): State => FAILED);
    const app = buildApp([mainMenu({ onFailure }), SALES, SUPPORT], validatingConfig());
    const genuine = await post(app, "/main-menu?attempt=1");
    expect(genuine.status).toBe(200);
    expect(genuine.text).toContain('action="/main-menu?attempt=2"');
    for (const forged of ["/main-menu?attempt=3", "/main-menu?attempt=999", "/main-menu", "/main-menu?attempt=1&attempt=3"]) {
      const res = await post(app, forged, FORM, "/main-menu?attempt=1");
      expect({ forged, status: res.status }).toEqual({ forged, status: 403 });
    }
    expect(onFailure).not.toHaveBeenCalled();
    // Signed for attempt 3 (as Twilio would sign the third attempt's answer), it is accepted and fails the menu.
    const third = await post(app, "/main-menu?attempt=3");
    expect(third.status).toBe(200);
    expect(third.text).toContain("<Say>Goodbye.</Say>");
    expect(onFailure).toHaveBeenCalledTimes(1);
  });

  it("validation on: a call whose answer URL is changed on the way (attempt 1 -> 3) fails with 403 instead of skipping attempts", async () => {
    const app = buildApp([mainMenu(), SALES, SUPPORT, FAILED], validatingConfig());
    // A man in the middle: rewrites the attempt after the simulator signed the URL.
    const tampering = (req: IncomingMessage, res: ServerResponse): void => {
      req.url = req.url?.replace("attempt=1", "attempt=3");
      app(req, res);
    };
    const call = await simulateCall(tampering, { uri: "/incoming-call", authToken: AUTH_TOKEN });
    const pressed = call.press("7");
    await expect(pressed).rejects.toBeInstanceOf(CallStepError);
    await expect(pressed).rejects.toThrow(/answered HTTP 403/);
    expect(call.said).toEqual([PROMPT]);
  });

  describe("hand-made requests (signed)", () => {
    const app = buildApp([mainMenu(), SALES, SUPPORT, FAILED], validatingConfig());
    const silent = { CallSid: FORM.CallSid, From: FORM.From };

    it("attempt above tries is clamped to tries: a wrong answer or silence goes to onFailure, a right one to its choice", async () => {
      expect((await post(app, "/main-menu?attempt=999")).text).toContain("<Say>Goodbye.</Say>");
      expect((await post(app, "/main-menu?attempt=4", silent)).text).toContain("<Say>Goodbye.</Say>");
      expect((await post(app, "/main-menu?attempt=999", { ...FORM, Digits: "1" })).text).toContain("<Say>Sales.</Say>");
    });

    it("attempt 2 of 3: a wrong answer renders attempt 3", async () => {
      const res = await post(app, "/main-menu?attempt=2");
      expect(res.text).toContain('action="/main-menu?attempt=3"');
      expect(res.text).toContain(`<Say>${INVALID}</Say><Say>${PROMPT}</Say>`);
    });

    it.each(["/main-menu?attempt=abc", "/main-menu", "/main-menu?attempt=0", "/main-menu?attempt=-2", "/main-menu?attempt=1.5", "/main-menu?attempt="])(
      "%s is read as attempt 1: a wrong answer renders attempt 2",
      async (path) => {
        const res = await post(app, path);
        expect(res.status).toBe(200);
        expect(res.text).toContain('action="/main-menu?attempt=2"');
        expect(res.text).not.toContain("Goodbye");
      },
    );

    it("a repeated attempt parameter: the first one counts", async () => {
      expect((await post(app, "/main-menu?attempt=2&attempt=1")).text).toContain('action="/main-menu?attempt=3"');
      expect((await post(app, "/main-menu?attempt=3&attempt=1")).text).toContain("<Say>Goodbye.</Say>");
    });
  });

  it("validation off: the same rules for an unsigned request", async () => {
    const app = buildApp([mainMenu({ tries: 2 }), SALES, SUPPORT, FAILED], devConfig());
    const res = await request(app).post("/main-menu?attempt=abc").type("form").send("CallSid=CA1&Digits=8");
    expect(res.text).toContain('action="/main-menu?attempt=2"');
    const last = await request(app).post("/main-menu?attempt=77").type("form").send("CallSid=CA1");
    expect(last.text).toContain("<Say>Goodbye.</Say>");
  });
});
