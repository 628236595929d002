import crypto from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import twilio from "twilio";
import type { InputData, State } from "../../../src";
import { CallStepError, simulateCall } from "../../../src/testing";
import { AUTH_TOKEN, PUBLIC_HOST, buildApp, validatingConfig } from "../../helpers/app";
import { twiml, twimlApp } from "../../helpers/twiml-app";
import type { ReceivedRequest } from "../../helpers/twiml-app";

const { validateRequest } = twilio;

const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "static");
const holdHash = crypto.createHash("md5").update(fs.readFileSync(path.join(FIXTURES, "hold.mp3"))).digest("hex");

// A tree exercising every kind of request: POST actions (one with a query), a Redirect on
// silence, speech, and the hold-music endpoint fetched by GET with a fingerprint query.
const goodbye: State = {
  name: "GOODBYE",
  isEndState: true,
  twimlFor: () => twiml("<Say>Goodbye</Say><Hangup/>"),
};
const hold: State = {
  name: "HOLD",
  isEndState: true,
  twimlFor: (urlFor) =>
    twiml(`<Say>Hold please</Say><Enqueue waitUrl="${urlFor("/static/hold-music", { absolute: true })}" waitUrlMethod="GET">sales</Enqueue>`),
};
const speechMenu: State = {
  name: "SPEECH_MENU",
  processTransitionUri: "/speech/choice",
  twimlFor: () =>
    twiml('<Gather input="speech" action="/speech/choice?attempt=1"><Say>Say sales</Say></Gather><Redirect>/speech/choice</Redirect>'),
  transitionOut: (input?: InputData) => (input?.SpeechResult === "sales" ? hold : goodbye),
};
const entry: State = {
  name: "ENTRY",
  uri: "/incoming",
  processTransitionUri: "/incoming/choice",
  twimlFor: () =>
    twiml('<Gather action="/incoming/choice" numDigits="1"><Say>Press 1</Say></Gather><Redirect>/incoming/choice</Redirect>'),
  transitionOut: (input?: InputData) => (input?.Digits === "1" ? speechMenu : goodbye),
};

const app = buildApp(
  [entry, speechMenu, hold, goodbye],
  validatingConfig({ staticFiles: { path: FIXTURES, mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3" } } }),
);

function requests(call: { transcript: readonly { type: string }[] }) {
  return call.transcript.filter((e): e is { type: "request"; method: "GET" | "POST"; url: string; status: number } => e.type === "request");
}

describe("signing: a twilioIvr app with validation on", () => {
  it("accepts every request of a multi-step call signed with the auth token", async () => {
    // Record the raw request lines the app gets, then let it answer.
    const seen: string[] = [];
    const recording = (req: IncomingMessage, res: ServerResponse): void => {
      seen.push(`${req.method ?? ""} ${req.url ?? ""}`);
      app(req, res);
    };
    const call = await simulateCall(recording, { uri: "/incoming", authToken: AUTH_TOKEN });
    expect(call.lastSaid).toBe("Press 1");
    await call.press("1");
    expect(call.lastSaid).toBe("Say sales");
    await call.say("sales");
    expect(call.waitingFor).toBe("hold");
    await call.silence();
    await call.hangUp();

    const sent = requests(call);
    expect(sent.map((r) => `${r.method} ${r.url.replace(/\?.*$/, "")} ${r.status}`)).toEqual([
      "POST http://localhost/incoming 200",
      "POST http://localhost/incoming/choice 200",
      "POST http://localhost/speech/choice 200",
      `GET http://${PUBLIC_HOST}/static/hold-music 200`,
      `GET http://${PUBLIC_HOST}/static/hold-music 200`,
    ]);
    expect(sent[2]!.url).toBe("http://localhost/speech/choice?attempt=1");
    expect(sent[3]!.url).toBe(`http://${PUBLIC_HOST}/static/hold-music?v=${holdHash}`);
    // The hold-music GETs carry the queue parameters in the query, and the signature covers them.
    const holdGets = seen.filter((line) => line.startsWith("GET "));
    expect(holdGets).toHaveLength(2);
    for (const line of holdGets) expect(line).toMatch(new RegExp(`^GET /static/hold-music\\?v=${holdHash}&.*QueueSid=QU[0-9a-f]{32}`));
    expect(call.played).toEqual([`http://${PUBLIC_HOST}/static/hold.mp3?v=${holdHash}`, `http://${PUBLIC_HOST}/static/hold.mp3?v=${holdHash}`]);
    expect(call.ended).toBe(true);
  });

  it("is accepted on the silence path too (a Redirect without Digits)", async () => {
    const call = await simulateCall(app, { uri: "/incoming", authToken: AUTH_TOKEN });
    await call.silence();
    expect(call.lastSaid).toBe("Goodbye");
    expect(requests(call).every((r) => r.status === 200)).toBe(true);
    expect(requests(call)).toHaveLength(2);
  });

  it("gets 403 without a token: the step fails with 11200 and the status", async () => {
    const error = await simulateCall(app, { uri: "/incoming" }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(CallStepError);
    expect((error as CallStepError).code).toBe(11200);
    expect((error as CallStepError).message).toMatch(/\b403\b/);
    expect((error as CallStepError).message).toContain("Twilio Request Validation Failed.");
  });

  it("gets 403 with another account's token", async () => {
    await expect(simulateCall(app, { uri: "/incoming", authToken: "someone-elses-token" })).rejects.toThrow(/\b403\b/);
  });
});

describe("signing: the signature Twilio would compute", () => {
  /** Checks a recorded request's signature the way Twilio documents it: URL (with query) plus the POST body. */
  function validAt(origin: string, req: ReceivedRequest): boolean {
    const params = req.method === "POST" ? req.body : {};
    return validateRequest(AUTH_TOKEN, req.headers["x-twilio-signature"] ?? "", `${origin}${req.url}`, params);
  }

  const routes = {
    "/start": twiml('<Gather action="/get-action?x=1" method="GET" numDigits="1"/>'),
    "/get-action": twiml('<Gather action="/post-action?y=2" numDigits="1"/>'),
    "/post-action": twiml("<Hangup/>"),
    "/status": { body: "" },
  };

  it("signs POSTs over URL and body, and GETs over the URL with its query", async () => {
    const t = twimlApp(routes);
    const call = await simulateCall(t.app, { uri: "/start", authToken: AUTH_TOKEN, statusCallback: "/status", params: { Note: "a & b = c" } });
    await call.press("1");
    await call.press("2");
    expect(t.log()).toEqual(["POST /start", "GET /get-action", "POST /post-action", "POST /status"]);
    for (const req of t.requests) expect(validAt("http://localhost", req)).toBe(true);
    // A signature over another URL or token does not match.
    expect(validAt("http://elsewhere.example", t.requests[0]!)).toBe(false);
    const tampered = { ...t.requests[2]!, body: { ...t.requests[2]!.body, Digits: "9" } };
    expect(validAt("http://localhost", tampered)).toBe(false);
  });

  it("signs the public URL given as baseUrl, while the app sees the Host of that URL", async () => {
    const t = twimlApp(routes);
    const call = await simulateCall(t.app, { uri: "/start", authToken: AUTH_TOKEN, baseUrl: `https://${PUBLIC_HOST}` });
    await call.press("1");
    for (const req of t.requests) {
      expect(req.headers.host).toBe(PUBLIC_HOST);
      expect(validAt(`https://${PUBLIC_HOST}`, req)).toBe(true);
    }
  });

  it("sends no X-Twilio-Signature without a token", async () => {
    const t = twimlApp(routes);
    const call = await simulateCall(t.app, { uri: "/start" });
    await call.press("1");
    for (const req of t.requests) expect(req.headers["x-twilio-signature"]).toBeUndefined();
  });
});
