import request from "supertest";
import twilio from "twilio";
import type { State, UrlFor } from "../../src";
import { buildApp, endState } from "../helpers/app";

const anyUrlFor = expect.any(Function);

describe("each state kind is routable", () => {
  it("an end state with a uri renders its TwiML", async () => {
    const twimlFor = jest.fn(() => "<Response><Hangup/></Response>");
    const res = await request(buildApp([{ name: "END", uri: "/end", isEndState: true, twimlFor }]))
      .post("/end")
      .type("form")
      .send("CallSid=CA1");
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response><Hangup/></Response>");
    expect(twimlFor.mock.calls).toStrictEqual([[anyUrlFor, { CallSid: "CA1" }]]);
  });

  it("a normal state renders at its uri and transitions at its processTransitionUri", async () => {
    const after = { name: "AFTER", isEndState: true as const, twimlFor: jest.fn(() => "<Response>after</Response>") };
    const menu = {
      name: "MENU",
      uri: "/menu",
      processTransitionUri: "/menu/choice",
      twimlFor: jest.fn(() => "<Response>menu</Response>"),
      transitionOut: jest.fn(() => after),
    };
    const app = buildApp([menu]);

    const rendered = await request(app).post("/menu").type("form").send("From=%2B1555");
    expect(rendered.status).toBe(200);
    expect(rendered.text).toBe("<Response>menu</Response>");
    expect(menu.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, { From: "+1555" }]]);
    expect(menu.transitionOut).not.toHaveBeenCalled();

    const transitioned = await request(app).post("/menu/choice").type("form").send("Digits=2");
    expect(transitioned.status).toBe(200);
    expect(transitioned.text).toBe("<Response>after</Response>");
    expect(menu.transitionOut.mock.calls).toStrictEqual([[{ Digits: "2" }]]);
    expect(menu.twimlFor).toHaveBeenCalledTimes(1);
    expect(after.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, undefined]]);
  });

  it("an asynchronous state with a uri triggers its background work and renders", async () => {
    const state = {
      name: "ASYNC",
      uri: "/async",
      twimlFor: jest.fn(() => "<Response>hold on</Response>"),
      backgroundTrigger: jest.fn(() => undefined),
    };
    const res = await request(buildApp([state])).post("/async").type("form").send("CallSid=CA9");
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>hold on</Response>");
    expect(state.backgroundTrigger.mock.calls).toStrictEqual([[anyUrlFor, { CallSid: "CA9" }]]);
    expect(state.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, { CallSid: "CA9" }]]);
  });

  it("a non-renderable branching state with a uri is an entry point that renders where it branches to", async () => {
    const target = { name: "TARGET", isEndState: true as const, twimlFor: jest.fn(() => "<Response>target</Response>") };
    const branch = { name: "BRANCH", uri: "/branch", transitionOut: jest.fn(() => target) };
    const res = await request(buildApp([branch])).post("/branch").type("form").send("From=%2B1666");
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>target</Response>");
    expect(branch.transitionOut.mock.calls).toStrictEqual([[{ From: "+1666" }]]);
    expect(target.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, undefined]]);
  });
});

describe("which input each user function gets", () => {
  it("a chain of branching states: only the first transitionOut gets the input; the rendered state gets undefined", async () => {
    const rendered = {
      name: "R",
      twimlFor: jest.fn(() => "<Response>R</Response>"),
      backgroundTrigger: jest.fn(() => undefined),
    };
    const b = { name: "B", transitionOut: jest.fn(() => rendered) };
    const a = { name: "A", uri: "/a", transitionOut: jest.fn(() => b) };
    const res = await request(buildApp([a])).post("/a").type("form").send("Digits=7&CallSid=CA7");
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>R</Response>");
    expect(a.transitionOut.mock.calls).toStrictEqual([[{ Digits: "7", CallSid: "CA7" }]]);
    expect(b.transitionOut.mock.calls).toStrictEqual([[undefined]]);
    expect(rendered.backgroundTrigger.mock.calls).toStrictEqual([[anyUrlFor, undefined]]);
    expect(rendered.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, undefined]]);
  });

  it("a directly routable renderable state gets the input in backgroundTrigger and twimlFor, in that order", async () => {
    const order: string[] = [];
    const state = {
      uri: "/direct",
      twimlFor: jest.fn(() => {
        order.push("twimlFor");
        return "<Response/>";
      }),
      backgroundTrigger: jest.fn(() => {
        order.push("backgroundTrigger");
      }),
    };
    await request(buildApp([state])).post("/direct").type("form").send("Digits=5").expect(200);
    expect(order).toEqual(["backgroundTrigger", "twimlFor"]);
    expect(state.backgroundTrigger.mock.calls).toStrictEqual([[anyUrlFor, { Digits: "5" }]]);
    expect(state.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, { Digits: "5" }]]);
  });

  it("backgroundTrigger and twimlFor receive the same working urlFor", async () => {
    const seen: UrlFor[] = [];
    const state: State = {
      uri: "/direct",
      backgroundTrigger: (urlFor: UrlFor) => {
        seen.push(urlFor);
      },
      twimlFor: (urlFor: UrlFor) => {
        seen.push(urlFor);
        return `<Response><Redirect>${urlFor("/next", { absolute: true })}</Redirect></Response>`;
      },
    };
    const res = await request(buildApp([state])).post("/direct").expect(200);
    expect(res.text).toBe("<Response><Redirect>http://ivr.example.com/next</Redirect></Response>");
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe(seen[1]);
  });

  it("POST to processTransitionUri: transitionOut(body), then the result renders with no input, even through branching", async () => {
    const rendered = {
      name: "RENDERED",
      twimlFor: jest.fn(() => "<Response>rendered</Response>"),
      backgroundTrigger: jest.fn(() => undefined),
    };
    const branch = { name: "BRANCH", transitionOut: jest.fn(() => rendered) };
    const menu = {
      name: "MENU",
      processTransitionUri: "/menu/choice",
      twimlFor: jest.fn(() => "<Response>menu</Response>"),
      transitionOut: jest.fn(() => branch),
    };
    const res = await request(buildApp([menu])).post("/menu/choice").type("form").send("Digits=9");
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>rendered</Response>");
    expect(menu.transitionOut.mock.calls).toStrictEqual([[{ Digits: "9" }]]);
    expect(branch.transitionOut.mock.calls).toStrictEqual([[undefined]]);
    expect(rendered.backgroundTrigger.mock.calls).toStrictEqual([[anyUrlFor, undefined]]);
    expect(rendered.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, undefined]]);
    expect(menu.twimlFor).not.toHaveBeenCalled();
  });

  it("a transition back to the same normal state renders it with no input", async () => {
    const menu = {
      name: "MENU",
      uri: "/menu",
      processTransitionUri: "/menu/choice",
      twimlFor: jest.fn(() => "<Response>menu</Response>"),
      transitionOut: jest.fn((): State => menu),
    };
    await request(buildApp([menu])).post("/menu/choice").type("form").send("Digits=*").expect(200);
    expect(menu.transitionOut.mock.calls).toStrictEqual([[{ Digits: "*" }]]);
    expect(menu.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, undefined]]);
  });
});

describe("background work does not block rendering", () => {
  it("renders while backgroundTrigger's promise never settles", async () => {
    const state: State = {
      uri: "/slow",
      backgroundTrigger: () => new Promise<never>(() => undefined),
      twimlFor: () => "<Response>rendered anyway</Response>",
    };
    // A short client timeout turns a regression (awaiting the trigger) into a failure, not a hung run.
    const res = await request(buildApp([state])).post("/slow").timeout(2000);
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>rendered anyway</Response>");
  });

  it("renders before backgroundTrigger's promise resolves", async () => {
    let finishBackground: () => void = () => undefined;
    let backgroundDone = false;
    const state: State = {
      uri: "/slow",
      backgroundTrigger: () =>
        new Promise<void>((resolve) => {
          finishBackground = () => {
            backgroundDone = true;
            resolve();
          };
        }),
      twimlFor: () => "<Response/>",
    };
    await request(buildApp([state])).post("/slow").timeout(2000).expect(200);
    expect(backgroundDone).toBe(false);
    finishBackground();
  });
});

describe("asynchronous user functions", () => {
  it("awaits an async transitionOut and an async twimlFor", async () => {
    const target: State = { name: "T", isEndState: true, twimlFor: async () => "<Response>async twiml</Response>" };
    const branch: State = { name: "B", uri: "/b", transitionOut: async () => target };
    const res = await request(buildApp([branch])).post("/b");
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>async twiml</Response>");
  });

  it("awaits an async transitionOut from processTransitionUri", async () => {
    const menu: State = {
      processTransitionUri: "/menu/choice",
      twimlFor: () => "<Response/>",
      transitionOut: async (input) => endState(`PRESSED ${input?.Digits ?? "nothing"}`),
    };
    const res = await request(buildApp([menu])).post("/menu/choice").type("form").send("Digits=4");
    expect(res.status).toBe(200);
    expect(res.text).toContain("<Say>PRESSED 4</Say>");
  });
});

describe("what twimlFor may return", () => {
  it("twilio's VoiceResponse renders as its toString()", async () => {
    const build = (): twilio.twiml.VoiceResponse => {
      const response = new twilio.twiml.VoiceResponse();
      response.say("Welcome");
      response.gather({ numDigits: 1, action: "/menu/choice" }).say("Press 1");
      return response;
    };
    const state: State = { uri: "/voice", isEndState: true, twimlFor: build };
    const res = await request(buildApp([state])).post("/voice");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/xml; charset=utf-8");
    expect(res.text).toBe(build().toString());
    expect(res.text).toContain("<Say>Welcome</Say>");
  });

  it("a promise of a VoiceResponse renders too", async () => {
    const state: State = {
      uri: "/voice",
      isEndState: true,
      twimlFor: async () => {
        const response = new twilio.twiml.VoiceResponse();
        response.hangup();
        return response;
      },
    };
    const res = await request(buildApp([state])).post("/voice");
    expect(res.status).toBe(200);
    expect(res.text).toContain("<Response><Hangup/></Response>");
  });

  it("an object with its own toString() renders as that string", async () => {
    const state: State = { uri: "/obj", isEndState: true, twimlFor: () => ({ toString: () => "<Response>custom</Response>" }) };
    const res = await request(buildApp([state])).post("/obj");
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>custom</Response>");
  });

  /**
   * The shape of twilio 2.x's `TwimlResponse`, which apps written for the original still return:
   * a constructor function whose verbs are prototype methods (chainable; nesting through a
   * callback called with `this` as the nested element), and `toString()` on the prototype, not
   * the instance. Built here from its documented API, as twilio 3+ no longer ships it.
   */
  function LegacyTwimlResponse(this: LegacyNode): void {
    this.children = [];
  }
  interface LegacyNode {
    children: string[];
    say(text: string, attributes?: Record<string, string>): LegacyNode;
    gather(attributes: Record<string, string>, nest: (this: LegacyNode) => void): LegacyNode;
  }
  const attributeText = (attributes: Record<string, string> = {}): string => Object.entries(attributes).map(([name, value]) => ` ${name}="${value}"`).join("");
  Object.assign(LegacyTwimlResponse.prototype, {
    say(this: LegacyNode, text: string, attributes?: Record<string, string>) {
      this.children.push(`<Say${attributeText(attributes)}>${text}</Say>`);
      return this;
    },
    gather(this: LegacyNode, attributes: Record<string, string>, nest: (this: LegacyNode) => void) {
      const inner = new (LegacyTwimlResponse as unknown as new () => LegacyNode)();
      nest.call(inner);
      this.children.push(`<Gather${attributeText(attributes)}>${inner.children.join("")}</Gather>`);
      return this;
    },
    toString(this: LegacyNode) {
      return `<?xml version="1.0" encoding="UTF-8"?><Response>${this.children.join("")}</Response>`;
    },
  });
  const legacyMenu = (): LegacyNode =>
    new (LegacyTwimlResponse as unknown as new () => LegacyNode)().say("Welcome", { voice: "woman" }).gather({ numDigits: "1", action: "/menu/choice" }, function nest() {
      this.say("Press 1 for sales");
    });
  const LEGACY_TWIML =
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="woman">Welcome</Say>' +
    '<Gather numDigits="1" action="/menu/choice"><Say>Press 1 for sales</Say></Gather></Response>';

  it("a legacy TwimlResponse (toString on its prototype) renders as its toString(), sync or promised", async () => {
    const app = buildApp([
      { name: "SYNC", uri: "/legacy", isEndState: true, twimlFor: () => legacyMenu() },
      { name: "ASYNC", uri: "/legacy-async", isEndState: true, twimlFor: async () => legacyMenu() },
    ]);
    for (const uri of ["/legacy", "/legacy-async"]) {
      const res = await request(app).post(uri).type("form").send("CallSid=CA1");
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("text/xml; charset=utf-8");
      expect(res.text).toBe(LEGACY_TWIML);
    }
  });

  it("an empty string is a valid, empty answer: 200 with an empty body", async () => {
    const state: State = { uri: "/empty", isEndState: true, twimlFor: () => "" };
    const res = await request(buildApp([state])).post("/empty");
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    expect(res.headers["content-type"]).toBe("text/xml; charset=utf-8");
  });
});
