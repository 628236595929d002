// mapFlow: the map of trees whose structure is known: menus, branching states, holds, redirect
// cycles, errors, truncation, a server that does not report its states.
import express from "express";
import { menu, type InputData, type State } from "../../../src";
import { mapFlow, type FlowEdge, type FlowMap } from "../../../src/testing";
import { buildApp, devConfig } from "../../helpers/app";
import { listenLoopback } from "../../helpers/loopback";

const say = (text: string): string => `<Response><Say>${text}</Say><Hangup/></Response>`;
const end = (name: string, text = `${name} here.`): State => ({ name, isEndState: true, twimlFor: () => say(text) });

/** Edges as short strings, e.g. "MAIN -key 1,2-> SALES", sorted: easy to compare with the known structure. */
function edges(map: FlowMap): string[] {
  return map.edges.map((e: FlowEdge) => `${e.from} -${e.kind}${e.inputs.length > 0 ? ` ${e.inputs.join(",")}` : ""}-> ${e.to}`).sort();
}

describe("a menu with keys and phrases, a branching state, and a retry on silence", () => {
  const sales = end("SALES", "Connecting you to sales.");
  const support = end("SUPPORT");
  const afterHours = end("AFTER_HOURS");
  // Branches on the input it was given: a non-renderable state, never seen on the wire.
  // Branches by something other than the caller's keys (a branching state after the first gets no
  // input): the map shows the branch taken when it was explored, not the one never taken.
  const supportOpen = (): boolean => false;
  const supportRouter: State = { name: "SUPPORT_ROUTER", transitionOut: () => (supportOpen() ? support : afterHours) };
  const main = menu({
    name: "MAIN",
    uri: "/incoming",
    processTransitionUri: "/main",
    prompt: "For sales, press 1 or say sales. For support, press 2.",
    options: [
      { keys: ["1"], phrases: ["sales", "buy"], to: sales },
      { keys: ["2"], phrases: ["support"], to: supportRouter },
    ],
    tries: 2,
    onFailure: end("GOODBYE"),
  });
  const app = buildApp([main, supportRouter, sales, support, afterHours, end("GOODBYE")]);

  it("has every state, with its kind and what the caller hears, and every edge", async () => {
    const map = await mapFlow(app, { uri: "/incoming" });
    expect(map.nodes.map((n) => [n.id, n.kind])).toEqual([
      ["(call)", "start"],
      ["MAIN", "menu"],
      ["SALES", "end"],
      ["(hangup)", "hangup"],
      ["SUPPORT_ROUTER", "branching"],
      ["AFTER_HOURS", "end"],
      ["GOODBYE", "end"],
    ]);
    expect(map.nodes.find((n) => n.id === "MAIN")?.prompt).toBe("For sales, press 1 or say sales. For support, press 2.");
    expect(edges(map)).toEqual([
      "(call) -call-> MAIN",
      "AFTER_HOURS -hangup-> (hangup)",
      "GOODBYE -hangup-> (hangup)",
      "MAIN -key 1-> SALES",
      "MAIN -key 2-> SUPPORT_ROUTER",
      "MAIN -phrase buy,sales-> SALES",
      "MAIN -phrase support-> SUPPORT_ROUTER",
      "MAIN -silence-> GOODBYE",
      "MAIN -silence-> MAIN",
      "SALES -hangup-> (hangup)",
      "SUPPORT_ROUTER -branch-> AFTER_HOURS",
    ]);
    expect(map.truncated).toBe(false);
  });

  it("is the same map every time", async () => {
    expect(await mapFlow(app, { uri: "/incoming" })).toEqual(await mapFlow(app, { uri: "/incoming" }));
  });

  it("stops at maxSteps and says so", async () => {
    const map = await mapFlow(app, { uri: "/incoming", maxSteps: 2 });
    expect(map.steps).toBe(2);
    expect(map.truncated).toBe(true);
    expect(edges(map)).toEqual(["(call) -call-> MAIN", "MAIN -key 1-> SALES", "MAIN -key 2-> SUPPORT_ROUTER", "SALES -hangup-> (hangup)", "SUPPORT_ROUTER -branch-> AFTER_HOURS", "AFTER_HOURS -hangup-> (hangup)"].sort());
  });
});

describe("Gathers that are not menus", () => {
  it("a one-key Gather: every key is tried, keys leading to the same state share an edge", async () => {
    const other = end("OTHER");
    const nine = end("NINE");
    const pick: State = {
      name: "PICK",
      uri: "/pick",
      processTransitionUri: "/pick-answer",
      twimlFor: () => '<Response><Gather numDigits="1" action="/pick-answer"><Say>Press a key.</Say></Gather><Say>Nothing pressed.</Say><Hangup/></Response>',
      transitionOut: (input?: InputData) => (input?.Digits === "9" ? nine : other),
    };
    const map = await mapFlow(buildApp([pick, other, nine]), { uri: "/pick" });
    expect(edges(map)).toEqual([
      "(call) -call-> PICK",
      "NINE -hangup-> (hangup)",
      "OTHER -hangup-> (hangup)",
      "PICK -key *,0,1,2,3,4,5,6,7,8-> OTHER",
      "PICK -key 9-> NINE",
      "PICK -silence-> (hangup)",
    ]);
  });

  it("a PIN Gather is explored with the inputs you give; a sensitive state is marked", async () => {
    const welcome = end("WELCOME");
    const wrong = end("WRONG_PIN");
    const pin: State = {
      name: "PIN",
      uri: "/pin",
      sensitive: true,
      processTransitionUri: "/pin-answer",
      twimlFor: () => '<Response><Gather numDigits="4" action="/pin-answer"><Say>Your PIN?</Say></Gather></Response>',
      transitionOut: (input?: InputData) => (input?.Digits === "2468" ? welcome : wrong),
    };
    const app = buildApp([pin, welcome, wrong]);
    const guessed = await mapFlow(app, { uri: "/pin" });
    expect(edges(guessed)).toEqual(["(call) -call-> PIN", "PIN -silence-> (hangup)"]);
    const map = await mapFlow(app, { uri: "/pin", inputs: { PIN: ["2468", "0000"] } });
    expect(edges(map)).toContain("PIN -key 2468-> WELCOME");
    expect(edges(map)).toContain("PIN -key 0000-> WRONG_PIN");
    expect(map.nodes.find((n) => n.id === "PIN")?.sensitive).toBe(true);
  });

  it("a speech Gather is explored with its hints", async () => {
    const yes = end("YES");
    const no = end("NO");
    const ask: State = {
      name: "ASK",
      uri: "/ask",
      processTransitionUri: "/ask-answer",
      twimlFor: () => '<Response><Gather input="speech" hints="yes please, no thanks" action="/ask-answer"><Say>Shall we?</Say></Gather><Hangup/></Response>',
      transitionOut: (input?: InputData) => (String(input?.SpeechResult).startsWith("yes") ? yes : no),
    };
    expect(edges(await mapFlow(buildApp([ask, yes, no]), { uri: "/ask" }))).toEqual([
      "(call) -call-> ASK",
      "ASK -phrase no thanks-> NO",
      "ASK -phrase yes please-> YES",
      "ASK -silence-> (hangup)",
      "NO -hangup-> (hangup)",
      "YES -hangup-> (hangup)",
    ]);
  });
});

describe("redirects, holds and errors", () => {
  it("a cycle through redirects: each state once, the cycle as edges, and exploration ends", async () => {
    const ping: State = {
      name: "PING",
      uri: "/ping",
      isEndState: true,
      twimlFor: () => '<Response><Gather numDigits="1" action="/done"><Say>Ping.</Say></Gather><Redirect>/pong</Redirect></Response>',
    };
    const pong: State = {
      name: "PONG",
      uri: "/pong",
      isEndState: true,
      twimlFor: () => '<Response><Gather numDigits="1" action="/done"><Say>Pong.</Say></Gather><Redirect>/ping</Redirect></Response>',
    };
    const done: State = { name: "DONE", uri: "/done", isEndState: true, twimlFor: () => say("Done.") };
    const map = await mapFlow(buildApp([ping, pong, done]), { uri: "/ping" });
    expect(map.nodes.map((n) => n.id).sort()).toEqual(["(call)", "(hangup)", "DONE", "PING", "PONG"]);
    expect(edges(map)).toContain("PING -silence-> PONG");
    expect(edges(map)).toContain("PONG -silence-> PING");
    expect(edges(map)).toContain("PING -key *,0,1,2,3,4,5,6,7,8,9-> DONE");
    expect(map.truncated).toBe(false);
  });

  it("a hold: the queue is a node", async () => {
    const hold: State = { name: "HOLD", uri: "/hold", isEndState: true, twimlFor: () => "<Response><Say>Please hold.</Say><Enqueue>support</Enqueue></Response>" };
    const map = await mapFlow(buildApp([hold]), { uri: "/hold" });
    expect(edges(map)).toEqual(["(call) -call-> HOLD", "HOLD -hold-> queue:support"]);
    expect(map.nodes.find((n) => n.id === "queue:support")).toMatchObject({ kind: "queue", label: "Queue support" });
  });

  it("a state that fails: an edge to the error node from where it failed", async () => {
    const broken: State = { name: "BROKEN", isEndState: true, twimlFor: () => Promise.reject(new Error("down")) };
    const main = menu({ name: "MAIN", uri: "/m", processTransitionUri: "/m-answer", prompt: "Press 1.", options: [{ keys: ["1"], to: broken }], tries: 1, onFailure: end("BYE") });
    const map = await mapFlow(buildApp([main, broken, end("BYE")], devConfig()), { uri: "/m" });
    expect(edges(map)).toContain("MAIN -key 1-> BROKEN");
    expect(edges(map)).toContain("BROKEN -error-> (error)");
  });
});

describe("a server that does not report its states", () => {
  it("nodes are the pages requested", async () => {
    // Hand-written TwiML, not this library: no trace.
    const plain = express();
    plain.post("/start", (_req, res) => {
      res.type("text/xml").send('<Response><Gather numDigits="1" action="/next"><Say>Hi.</Say></Gather></Response>');
    });
    plain.post("/next", (_req, res) => {
      res.type("text/xml").send(say("Bye."));
    });
    const server = await listenLoopback(() => plain);
    try {
      const map = await mapFlow(server.base, { uri: "/start" });
      expect(map.nodes.map((n) => [n.id, n.kind])).toEqual([
        ["(call)", "start"],
        ["page:/start", "page"],
        ["page:/next", "page"],
        ["(hangup)", "hangup"],
      ]);
      expect(edges(map)).toContain("page:/start -key *,0,1,2,3,4,5,6,7,8,9-> page:/next");
    } finally {
      await server.close();
    }
  });
});

describe("options", () => {
  it.each([
    [{ uri: "" }, /options\.uri must be the webhook path/],
    [{ uri: "/x", maxSteps: 0 }, /options\.maxSteps must be a positive integer/],
    [{ uri: "/x", inputs: { PIN: [""] } }, /options\.inputs must map state names/],
  ])("%p is refused", async (options, message) => {
    await expect(mapFlow(buildApp([end("X")]), options as never)).rejects.toThrow(message);
  });
});
