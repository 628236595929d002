import express from "express";
import request from "supertest";
import type { InputData, State } from "../../src";
import { buildApp, endState } from "../helpers/app";

/** An end state at `uri` whose twimlFor records what it was handed. */
function recordingState(uri: string): { state: State; twimlFor: jest.Mock } {
  const twimlFor = jest.fn(() => "<Response/>");
  return { state: { name: "RECORDER", uri, isEndState: true, twimlFor }, twimlFor };
}

/** The input the state was rendered with (second argument of its only twimlFor call). */
function onlyInput(twimlFor: jest.Mock): InputData {
  expect(twimlFor).toHaveBeenCalledTimes(1);
  return twimlFor.mock.calls[0][1] as InputData;
}

describe("request bodies", () => {
  it("parses a form-encoded POST into a plain object of strings", async () => {
    const { state, twimlFor } = recordingState("/incoming");
    const res = await request(buildApp([state]))
      .post("/incoming")
      .type("form")
      .send("CallSid=CA123&From=%2B15550001111&SpeechResult=hello+world");
    expect(res.status).toBe(200);
    expect(twimlFor.mock.calls).toStrictEqual([
      [expect.any(Function), { CallSid: "CA123", From: "+15550001111", SpeechResult: "hello world" }],
    ]);
    expect(Object.getPrototypeOf(onlyInput(twimlFor))).toBe(Object.prototype);
  });

  it("parses non-extended: bracketed keys stay literal keys, not nested objects", async () => {
    const { state, twimlFor } = recordingState("/incoming");
    await request(buildApp([state])).post("/incoming").type("form").send("a[b]=1&c[d][e]=2").expect(200);
    expect(onlyInput(twimlFor)).toStrictEqual({ "a[b]": "1", "c[d][e]": "2" });
  });

  it("hands {} (not undefined) to the state when the POST has no body", async () => {
    const { state, twimlFor } = recordingState("/incoming");
    await request(buildApp([state])).post("/incoming").expect(200);
    expect(twimlFor.mock.calls).toStrictEqual([[expect.any(Function), {}]]);
  });

  it("hands {} to transitionOut when a POST to processTransitionUri has no body", async () => {
    const transitionOut = jest.fn(() => endState("BYE"));
    const normal: State = { name: "MENU", processTransitionUri: "/menu/choice", twimlFor: () => "<Response/>", transitionOut };
    await request(buildApp([normal])).post("/menu/choice").expect(200);
    expect(transitionOut.mock.calls).toStrictEqual([[{}]]);
  });

  it("hands {} to the state when the body is not form-encoded (e.g. JSON)", async () => {
    const { state, twimlFor } = recordingState("/incoming");
    await request(buildApp([state])).post("/incoming").send({ Digits: "1" }).expect(200);
    expect(onlyInput(twimlFor)).toStrictEqual({});
  });

  it("answers malformed percent-encoding with 400 before any state code runs (Twilio always sends valid UTF-8)", async () => {
    const { state, twimlFor } = recordingState("/incoming");
    await request(buildApp([state])).post("/incoming").type("form").send("x=%ZZ&y=%E0%A4%A&z=ok").expect(400, "Malformed request body.");
    expect(twimlFor).not.toHaveBeenCalled();
  });

  it("decodes an iso-8859-1 body declared by its charset", async () => {
    const { state, twimlFor } = recordingState("/incoming");
    await request(buildApp([state]))
      .post("/incoming")
      .set("Content-Type", "application/x-www-form-urlencoded; charset=iso-8859-1")
      .send("Caller=Ren%E9")
      .expect(200);
    expect(onlyInput(twimlFor)).toStrictEqual({ Caller: "René" });
  });

  it.each([
    ["an unsupported charset", { "Content-Type": "application/x-www-form-urlencoded; charset=koi8-r" }, "a=1", 415],
    ["an unsupported Content-Encoding", { "Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "bogus" }, "a=1", 415],
    ["a gzip Content-Encoding over bytes that are not gzip", { "Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip" }, "a=1", 400],
    ["a body over 100kb", { "Content-Type": "application/x-www-form-urlencoded" }, `Digits=${"1".repeat(101 * 1024)}`, 413],
    ["more than 1000 parameters", { "Content-Type": "application/x-www-form-urlencoded" }, Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join("&"), 413],
  ])("answers %s with a 4xx and runs no state code", async (_label, headers, body, status) => {
    const { state, twimlFor } = recordingState("/incoming");
    const res = await request(buildApp([state])).post("/incoming").set(headers).send(body);
    expect(res.status).toBe(status);
    expect(twimlFor).not.toHaveBeenCalled();
  });

  it("keeps serving after rejecting a malformed body", async () => {
    const { state, twimlFor } = recordingState("/incoming");
    const app = buildApp([state]);
    await request(app).post("/incoming").set("Content-Type", "application/x-www-form-urlencoded; charset=koi8-r").send("a=1").expect(415);
    await request(app).post("/incoming").type("form").send("a=1").expect(200);
    expect(twimlFor).toHaveBeenCalledTimes(1);
  });

  it("keeps __proto__ and constructor fields as data: no prototype pollution", async () => {
    const { state, twimlFor } = recordingState("/incoming");
    await request(buildApp([state]))
      .post("/incoming")
      .type("form")
      .send("__proto__=x&__proto__[polluted]=yes&constructor[prototype][polluted]=yes&toString=3&Digits=1")
      .expect(200);
    const input = onlyInput(twimlFor);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(input.Digits).toBe("1");
    expect(input["__proto__[polluted]"]).toBe("yes");
    expect(input["constructor[prototype][polluted]"]).toBe("yes");
    expect(input.toString).toBe("3");
    // A bare `__proto__` field may be dropped by the parser; if it is kept it must be plain data.
    expect([undefined, "x"]).toContain(Object.getOwnPropertyDescriptor(input, "__proto__")?.value);
    for (const value of Object.values(input)) expect(typeof value).toBe("string");
  });
});

describe("responses", () => {
  it("answers with Content-Type text/xml; charset=utf-8 and the TwiML as body", async () => {
    const res = await request(buildApp([{ ...endState("HELLO"), uri: "/hello" }])).post("/hello");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/xml; charset=utf-8");
    expect(res.text).toBe("<Response><Say>HELLO</Say><Hangup/></Response>");
  });
});

describe("routes", () => {
  const states: State[] = [
    { ...endState("FIRST"), uri: "/incoming-call" },
    { ...endState("SECOND"), uri: "/Mixed/Case" },
  ];

  it.each([
    ["/incoming-call", "FIRST"],
    ["/INCOMING-CALL", "FIRST"],
    ["/incoming-call/", "FIRST"],
    ["/Incoming-Call/", "FIRST"],
    ["/mixed/case", "SECOND"],
    ["/MIXED/CASE/", "SECOND"],
  ])("POST %s renders %s (case-insensitive, trailing slash optional)", async (path, name) => {
    const res = await request(buildApp(states)).post(path);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<Say>${name}</Say>`);
  });

  it("matches the path only: a query string does not change the route", async () => {
    const res = await request(buildApp(states)).post("/incoming-call?attempt=2");
    expect(res.status).toBe(200);
    expect(res.text).toContain("<Say>FIRST</Say>");
  });

  it.each(["/incoming-call/extra", "/incoming", "/nowhere"])("POST %s is a 404", async (path) => {
    await request(buildApp(states)).post(path).expect(404);
  });

  it.each(["get", "put", "delete", "patch"] as const)("%s to a state uri falls through to 404 without running the state", async (method) => {
    const twimlFor = jest.fn(() => "<Response/>");
    const app = buildApp([{ uri: "/incoming-call", isEndState: true, twimlFor }]);
    await request(app)[method]("/incoming-call").expect(404);
    expect(twimlFor).not.toHaveBeenCalled();
  });

  it("a GET to a state uri reaches a handler of the outer app", async () => {
    const twimlFor = jest.fn(() => "<Response/>");
    const outer = express();
    outer.use(buildApp([{ uri: "/incoming-call", isEndState: true, twimlFor }]));
    outer.get("/incoming-call", (_req, res) => {
      res.send("outer GET");
    });
    const res = await request(outer).get("/incoming-call");
    expect(res.status).toBe(200);
    expect(res.text).toBe("outer GET");
    expect(twimlFor).not.toHaveBeenCalled();
  });
});

describe("mounting with outer.use(prefix, app)", () => {
  function mounted(): { outer: express.Express; transitionOut: jest.Mock } {
    const transitionOut = jest.fn(() => endState("CHOSEN"));
    const outer = express();
    outer.use(
      "/prefix",
      buildApp([
        { ...endState("ENTRY"), uri: "/entry" },
        { name: "MENU", uri: "/menu", processTransitionUri: "/menu/choice", twimlFor: () => "<Response>menu</Response>", transitionOut },
      ]),
    );
    outer.get("/prefix/entry", (_req, res) => {
      res.send("outer GET");
    });
    outer.post("/entry", (_req, res) => {
      res.send("outer POST without prefix");
    });
    return { outer, transitionOut };
  }

  it("serves state routes under the prefix", async () => {
    const { outer } = mounted();
    const res = await request(outer).post("/prefix/entry");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/xml; charset=utf-8");
    expect(res.text).toContain("<Say>ENTRY</Say>");
  });

  it("serves processTransitionUri under the prefix, with the parsed body", async () => {
    const { outer, transitionOut } = mounted();
    const res = await request(outer).post("/Prefix/Menu/Choice/").type("form").send("Digits=3");
    expect(res.status).toBe(200);
    expect(res.text).toContain("<Say>CHOSEN</Say>");
    expect(transitionOut.mock.calls).toStrictEqual([[{ Digits: "3" }]]);
  });

  it("does not answer state paths outside the prefix", async () => {
    const { outer } = mounted();
    const res = await request(outer).post("/entry");
    expect(res.text).toBe("outer POST without prefix");
    await request(outer).post("/menu").expect(404);
  });

  it("lets other methods fall through to the outer app", async () => {
    const { outer } = mounted();
    const res = await request(outer).get("/prefix/entry");
    expect(res.status).toBe(200);
    expect(res.text).toBe("outer GET");
    await request(outer).put("/prefix/entry").expect(404);
  });
});
