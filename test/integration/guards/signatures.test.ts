// Signature validation that explains itself (outside production) and accepts rotated tokens.
import request from "supertest";
import type { State } from "../../../src";
import { PUBLIC_HOST, buildApp, sign, validatingConfig } from "../../helpers/app";
import { configError } from "../../helpers/errors";
import { captureDebugLogs } from "../../helpers/log-capture";

const CURRENT = "current-token-0123456789abcdef";
const OLD = "old-token-fedcba9876543210";
const state: State = { name: "S", uri: "/s", isEndState: true, twimlFor: () => "<Response/>" };
const params = { CallSid: "CA1", Digits: "4" };

function post(app: ReturnType<typeof buildApp>, signature: string | undefined) {
  const req = request(app).post("/s").set("Host", PUBLIC_HOST).type("form");
  return (signature === undefined ? req : req.set("X-Twilio-Signature", signature)).send(params);
}

describe("auth token rotation", () => {
  const app = buildApp([state], validatingConfig({ twilio: { authToken: [CURRENT, OLD] } }));
  const url = `http://${PUBLIC_HOST}/s`;

  it("accepts a signature made with the current token or the old one", async () => {
    await post(app, sign(url, params, CURRENT)).expect(200);
    await post(app, sign(url, params, OLD)).expect(200);
  });

  it("rejects one made with any other token, and a missing one", async () => {
    await post(app, sign(url, params, "another-token")).expect(403);
    await post(app, undefined).expect(403);
  });

  it.each([
    [[], /twilio\.authToken is an empty list/],
    [[CURRENT, ""], /twilio\.authToken\[1\] is empty but `twilio\.validate` is true/],
    [[CURRENT, 42], /twilio\.authToken\[1\] is required and must be a string, got number/],
  ])("rejects the list %p, naming the entry and never echoing a token", (authToken, message) => {
    const error = configError(() => buildApp([state], validatingConfig({ twilio: { authToken: authToken as string[] } })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(CURRENT);
  });
});

describe("a failed signature explains itself outside production", () => {
  const logs = captureDebugLogs();
  const previousEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = previousEnv;
  });

  it("names the URLs it checked and the usual causes, never the token or a signature", async () => {
    process.env.NODE_ENV = "development";
    const app = buildApp([state], validatingConfig({ twilio: { authToken: CURRENT }, urlFor: { host: () => PUBLIC_HOST, scheme: () => "https" } }));
    const wrong = sign(`https://elsewhere.example/s`, params, CURRENT);
    await request(app).post("/s?x=1").set("Host", "internal:3000").set("X-Twilio-Signature", wrong).type("form").send(params).expect(403);
    const line = logs().find((l) => l.includes("rejected POST /s?x=1")) ?? "";
    expect(line).toContain("http://internal:3000/s?x=1 (as Node saw it)");
    expect(line).toContain(`https://${PUBLIC_HOST}/s?x=1 (the public URL`);
    expect(line).toMatch(/proxy or tunnel/);
    expect(line).toMatch(/trust proxy/);
    expect(line).toMatch(/mount path/);
    expect(line).toMatch(/port/);
    expect(line).not.toContain(CURRENT);
    expect(line).not.toContain(wrong);
    expect(line).not.toContain(sign(`https://${PUBLIC_HOST}/s?x=1`, params, CURRENT));
    expect(line).not.toContain("Digits");
  });

  it("says when the header is missing", async () => {
    process.env.NODE_ENV = "test";
    await post(buildApp([state], validatingConfig()), undefined).expect(403);
    expect(logs().some((l) => l.includes("no X-Twilio-Signature header"))).toBe(true);
  });

  it("in production, logs the path only", async () => {
    process.env.NODE_ENV = "production";
    await post(buildApp([state], validatingConfig()), "bogus").expect(403);
    const line = logs().find((l) => l.includes("rejected POST /s")) ?? "";
    expect(line).toContain("missing or invalid X-Twilio-Signature");
    expect(line).not.toContain("Checked:");
  });
});
