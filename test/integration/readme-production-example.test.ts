// The "Production checklist" example of README.md, run as written (import adapted) against a real
// redis-server: rotated tokens, the public https URL, Redis sessions, onError, the status callback.
import fs from "node:fs";
import path from "node:path";
import type { Express } from "express";
import { createClient } from "redis";
import request from "supertest";
import twilio from "twilio";
import type { RedisStore } from "../../src";
import { simulateCall } from "../../src/testing";
import { describeWithRedis, startRedisServer, type RedisServer } from "../helpers/redis-server";

const CURRENT = "prod-token-current-5d1f0c";
const OLD = "prod-token-old-93ab77";
const HOST = "phone.example.org";

function readmeBlock(): string {
  const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
  const start = readme.indexOf("```ts\n", readme.indexOf("## Production checklist")) + "```ts\n".length;
  return readme.slice(start, readme.indexOf("```\n", start));
}

type Example = { app: Express; store: RedisStore };

/** Loads a fresh copy of the example with `env` set (it reads the environment when loaded). */
function load(env: Record<string, string | undefined>): Example {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try {
    let loaded!: Example;
    jest.isolateModules(() => {
      loaded = jest.requireActual("../fixtures/readme/production-example");
    });
    return loaded;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

it("the fixture is the README's example, word for word", () => {
  const fixture = fs.readFileSync(path.join(__dirname, "../fixtures/readme/production-example.ts"), "utf8");
  expect(fixture.slice(fixture.indexOf("\n") + 1)).toBe(readmeBlock().replace('from "twilio-interactive-flow"', 'from "../../../src"'));
});

it("refuses to start without a token, saying what to set", () => {
  expect(() => load({ TWILIO_AUTH_TOKEN: undefined, TWILIO_AUTH_TOKEN_OLD: undefined })).toThrow("Set TWILIO_AUTH_TOKEN");
});

describeWithRedis("run against a real redis-server", () => {
  let server: RedisServer;
  let example: Example;
  let redis: ReturnType<typeof createClient>;
  beforeAll(async () => {
    server = await startRedisServer();
    example = load({ TWILIO_AUTH_TOKEN: CURRENT, TWILIO_AUTH_TOKEN_OLD: OLD, PUBLIC_HOST: HOST, REDIS_URL: server.url });
    redis = createClient({ url: server.url });
    await redis.connect();
  });
  afterAll(async () => {
    await redis.close();
    await example.store.close?.();
    await server.stop();
  });

  it.each([["current", CURRENT], ["old", OLD]])("a call signed with the %s token on the public https URL keeps its session in Redis", async (_which, token) => {
    const call = await simulateCall(example.app, { uri: "/incoming", authToken: token, baseUrl: `https://${HOST}` });
    expect(call.lastSaid).toBe("For billing, press 1. To hang up, press 2.");
    expect(await redis.hGetAll(`tif:call:${call.callSid}`)).toMatchObject({ "f:greeted": "true" });
    await call.press("2");
    expect(call.lastSaid).toBe("Goodbye.");
  });

  it("a failing state: the caller hears onError's apology, not Twilio's error", async () => {
    const call = await simulateCall(example.app, { uri: "/incoming", authToken: CURRENT, baseUrl: `https://${HOST}` });
    await call.press("1");
    expect(call.lastSaid).toBe("Sorry, something went wrong on our side. Please call again later.");
    expect(call.ended).toBe(true);
  });

  it("an unsigned request, or one signed for another host, gets 403", async () => {
    await request(example.app).post("/incoming").expect(403);
    const forged = twilio.getExpectedTwilioSignature(CURRENT, "https://elsewhere.example/incoming", {});
    await request(example.app).post("/incoming").set("Host", HOST).set("X-Twilio-Signature", forged).expect(403);
  });

  it("the status callback deletes the call's data when it ends", async () => {
    const call = await simulateCall(example.app, { uri: "/incoming", authToken: CURRENT, baseUrl: `https://${HOST}`, statusCallback: "/call-status" });
    expect(await redis.exists(`tif:call:${call.callSid}`)).toBe(1);
    await call.press("2");
    expect(await redis.exists(`tif:call:${call.callSid}`)).toBe(0);
  });
});
