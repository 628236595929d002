// Signature checking under random hostile requests, over real HTTP: forged signatures, missing
// ones, valid signatures replayed to another URL, and valid signatures over a tampered body (or a
// flipped, truncated or wrong-token signature). Every one gets 403 "Twilio Request Validation
// Failed." and no state function ever runs. A positive control signs the same generated requests
// correctly and sees 200 and the state reached, so the 403s are the signature's doing.
// Three apps: one token; a rotation list (current, old); and a public URL behind a proxy
// (urlFor.host and urlFor.scheme fixed, the Host header an internal one). A fourth mounts the
// single-token app under /ivr. (Body parsing and static traversal are in hostile-body/-static.)
//
// fast-check prints the seed of a failure; rerun it with FC_SEED=<seed> (and FC_PATH=<path>).
import type http from "node:http";
import express from "express";
import fc from "fast-check";
import request from "supertest";
import twilio from "twilio";
import type { Config, InputData, State } from "../../../src";
import { AUTH_TOKEN, PUBLIC_HOST, buildApp, validatingConfig } from "../../helpers/app";
import { listenLoopback, type Loopback } from "../../helpers/loopback";

const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }) };
jest.setTimeout(60_000);

const { getExpectedTwilioSignature } = twilio;
const REJECTED = "Twilio Request Validation Failed.";
const FORM_TYPE = "application/x-www-form-urlencoded";
const CURRENT = "current-token-0123456789abcdef";
const OLD = "old-token-fedcba9876543210";
/** The Host header a proxy in front of the app forwards (the app's public URL is https://PUBLIC_HOST). */
const INTERNAL_HOST = "10.0.0.7:3000";
const MOUNT = "/ivr";

/** The app's POST routes (paths relative to the app). */
const ROUTES = ["/main", "/main/answer", "/end", "/other/deep"] as const;
type Route = (typeof ROUTES)[number];

interface Spies {
  mainTwiml: jest.Mock;
  mainTransition: jest.Mock;
  endTwiml: jest.Mock;
  otherTwiml: jest.Mock;
}

interface Variant {
  label: string;
  tokens: readonly string[];
  /** The Host header requests carry. */
  hostHeader: string;
  /** scheme://host Twilio signs (the public URL). */
  origin: string;
  /** The path prefix the app is mounted under ("" at the root). */
  mount: string;
  server: Loopback;
  spies: Spies;
}

function makeSpies(): Spies {
  return {
    mainTwiml: jest.fn(() => '<Response><Gather action="/main/answer" numDigits="1"><Say>Press a key.</Say></Gather></Response>'),
    mainTransition: jest.fn(),
    endTwiml: jest.fn(() => "<Response><Say>Bye.</Say><Hangup/></Response>"),
    otherTwiml: jest.fn(() => "<Response><Say>Other.</Say><Hangup/></Response>"),
  };
}

function states(spies: Spies): State[] {
  const end: State = { name: "END", uri: "/end", isEndState: true, twimlFor: spies.endTwiml };
  spies.mainTransition.mockImplementation(() => end);
  return [
    { name: "MAIN", uri: "/main", processTransitionUri: "/main/answer", twimlFor: spies.mainTwiml, transitionOut: spies.mainTransition },
    end,
    { name: "OTHER", uri: "/other/deep", isEndState: true, twimlFor: spies.otherTwiml },
  ];
}

async function variant(label: string, config: Config, tokens: readonly string[], hostHeader: string, origin: string, mount = ""): Promise<Variant> {
  const spies = makeSpies();
  const ivr = buildApp(states(spies), config);
  let app: http.RequestListener = ivr;
  if (mount !== "") {
    const outer = express();
    outer.use(mount, ivr);
    app = outer;
  }
  return { label, tokens, hostHeader, origin, mount, server: await listenLoopback(() => app), spies };
}

let variants: Variant[] = [];

beforeAll(async () => {
  variants = [
    await variant("one token", validatingConfig(), [AUTH_TOKEN], PUBLIC_HOST, `http://${PUBLIC_HOST}`),
    await variant("token rotation", validatingConfig({ twilio: { authToken: [CURRENT, OLD] } }), [CURRENT, OLD], PUBLIC_HOST, `http://${PUBLIC_HOST}`),
    await variant(
      "behind a proxy (urlFor host and scheme)",
      validatingConfig({ urlFor: { host: () => PUBLIC_HOST, scheme: () => "https" } }),
      [AUTH_TOKEN],
      INTERNAL_HOST,
      `https://${PUBLIC_HOST}`,
    ),
    await variant("mounted under /ivr", validatingConfig(), [AUTH_TOKEN], PUBLIC_HOST, `http://${PUBLIC_HOST}`, MOUNT),
  ];
});

afterAll(async () => {
  await Promise.all(variants.map((v) => v.server.close()));
});

function allSpies(v: Variant): jest.Mock[] {
  return [v.spies.mainTwiml, v.spies.mainTransition, v.spies.endTwiml, v.spies.otherTwiml];
}

function stateCalls(): number {
  return variants.flatMap(allSpies).reduce((sum, spy) => sum + spy.mock.calls.length, 0);
}

beforeEach(() => {
  for (const spy of variants.flatMap(allSpies)) spy.mockClear();
});

// ---------------------------------------------------------------------------------------------
// Generators

type Pairs = [string, string][];

/** Parameters as an object the way the body parser hands them on (`__proto__` stays an own key). */
function toParams(pairs: Pairs): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of pairs) Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
  return params;
}

const keyArb = fc.oneof(
  fc.constantFrom("CallSid", "AccountSid", "Digits", "SpeechResult", "Confidence", "From", "To", "CallStatus", "__proto__", "constructor", "toString"),
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.string({ minLength: 1, maxLength: 6, unit: "grapheme" }),
);
const valueArb = fc.oneof(
  fc.stringMatching(/^[0-9*#]{0,6}$/),
  fc.string({ maxLength: 24 }),
  fc.string({ maxLength: 8, unit: "grapheme" }),
  fc.constantFrom("", "CA0123456789abcdef0123456789abcdef", "+15551230000", "0.93"),
);
const pairsArb = (minLength = 0): fc.Arbitrary<Pairs> =>
  fc.uniqueArray(fc.tuple(keyArb, valueArb), { minLength, maxLength: 6, selector: ([key]) => key });

const alnum = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
/** A query string as pairs of plain names and values (so URL normalization cannot make two of them equal). */
const queryArb: fc.Arbitrary<Pairs> = fc.uniqueArray(fc.tuple(alnum, alnum), { maxLength: 3, selector: ([key]) => key });
const queryString = (pairs: Pairs): string => (pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`);

const variantIndex = fc.integer({ min: 0, max: 3 });
const routeArb = fc.constantFrom(...ROUTES);
/** Other spellings of a route that Express still routes to it (trailing slash, case). */
const spellingArb = fc.constantFrom<(route: Route) => string>(
  (r) => r,
  (r) => `${r}/`,
  (r) => r.toUpperCase(),
);

/** Any token the variant accepts (rotation: current or old). */
const tokenPick = fc.nat();
function token(v: Variant, pick: number): string {
  return v.tokens[pick % v.tokens.length] ?? AUTH_TOKEN;
}

// ---------------------------------------------------------------------------------------------
// Requests

interface Sent {
  status: number;
  text: string;
  type: string;
}

/** Requests sent over HTTP by this file. */
let sent = 0;

/** POSTs `pairs` form-encoded to the variant's server at `path` (mount path included by the caller). */
async function post(v: Variant, path: string, pairs: Pairs, headers: Record<string, string>): Promise<Sent> {
  sent += 1;
  const body = new URLSearchParams(pairs).toString();
  const res = await request(v.server.base).post(path).set("Host", v.hostHeader).set("Content-Type", FORM_TYPE).set(headers).send(body);
  return { status: res.status, text: res.text, type: String(res.headers["content-type"]) };
}

async function expectRejected(v: Variant, path: string, pairs: Pairs, headers: Record<string, string>): Promise<void> {
  const res = await post(v, path, pairs, headers);
  expect(res.status).toBe(403);
  expect(res.text).toBe(REJECTED);
  expect(res.type).toMatch(/^text\/plain/);
  expect(stateCalls()).toBe(0);
}

const sig = (tokenValue: string, url: string, pairs: Pairs): string => getExpectedTwilioSignature(tokenValue, url, toParams(pairs));

/** Runs one property and checks how many requests it sent. */
async function property<T>(arb: fc.Arbitrary<T>, numRuns: number, body: (input: T) => Promise<void>): Promise<number> {
  const before = sent;
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      await body(input);
    }),
    { numRuns, ...seed },
  );
  return sent - before;
}

afterAll(() => {
  // At least 1,000 generated requests in all.
  expect(sent).toBeGreaterThanOrEqual(1000);
});

// ---------------------------------------------------------------------------------------------
// Properties

const target = fc.record({ vi: variantIndex, route: routeArb, spell: spellingArb, query: queryArb, pairs: pairsArb(), pick: tokenPick });

describe("requests without a valid X-Twilio-Signature get 403 and run no state function", () => {
  it("forged: random base64 of 20 bytes, garbage, empty, very long and Latin-1 header values", async () => {
    const latin1 = fc.oneof(fc.constant(9), fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c));
    const signatureArb = fc.oneof(
      fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => Buffer.from(bytes).toString("base64")),
      fc.string({ minLength: 1, maxLength: 60 }),
      fc.constant(""),
      fc.tuple(fc.string({ minLength: 1, maxLength: 16 }), fc.integer({ min: 200, max: 500 })).map(([s, n]) => s.repeat(n).slice(0, 7000)),
      // Every character Node's client sends in a header value: tab, printable ASCII, 0x80-0xFF (the server reads Latin-1).
      fc.string({ minLength: 1, maxLength: 40, unit: latin1 }),
    );
    const runs = await property(fc.record({ t: target, signature: signatureArb }), 300, async ({ t, signature }) => {
      const v = variants[t.vi] as Variant;
      await expectRejected(v, `${v.mount}${t.spell(t.route)}${queryString(t.query)}`, t.pairs, { "X-Twilio-Signature": signature });
    });
    expect(runs).toBeGreaterThanOrEqual(300);
  });

  it("missing: no X-Twilio-Signature header (or a valid signature under another header name)", async () => {
    const otherHeader = fc.option(fc.constantFrom("X-Twilio-Signature-256", "X-Twilio-Sig", "Twilio-Signature", "X-Signature", "X-Twilio-Signatures"), { nil: undefined });
    const runs = await property(fc.record({ t: target, otherHeader }), 250, async ({ t, otherHeader: header }) => {
      const v = variants[t.vi] as Variant;
      const path = `${v.mount}${t.spell(t.route)}${queryString(t.query)}`;
      const headers = header === undefined ? {} : { [header]: sig(token(v, t.pick), `${v.origin}${path}`, t.pairs) };
      await expectRejected(v, path, t.pairs, headers);
    });
    expect(runs).toBeGreaterThanOrEqual(250);
  });

  it("replayed: a valid signature for one URL sent to another (state, query, host, scheme, mount path)", async () => {
    type Replay = { kind: "state"; other: Route } | { kind: "query"; change: "value" | "add" | "remove"; index: number; key: string; value: string } | { kind: "host"; host: string } | { kind: "scheme" } | { kind: "mount"; mount: string };
    const replayArb: fc.Arbitrary<Replay> = fc.oneof(
      routeArb.map((other) => ({ kind: "state" as const, other })),
      fc.record({ kind: fc.constant("query" as const), change: fc.constantFrom("value" as const, "add" as const, "remove" as const), index: fc.nat(), key: alnum, value: alnum }),
      fc
        .oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}\.example\.org$/), fc.constantFrom(`${PUBLIC_HOST}:8443`, `www.${PUBLIC_HOST}`, "127.0.0.1", "localhost:3000", `${PUBLIC_HOST}.evil.test`))
        .map((host) => ({ kind: "host" as const, host })),
      fc.constant({ kind: "scheme" as const }),
      fc.constantFrom("", "/ivr2", "/IVR", "/ivr/ivr", "/api").map((mount) => ({ kind: "mount" as const, mount })),
    );
    const runs = await property(fc.record({ t: target, replay: replayArb }), 300, async ({ t, replay }) => {
      const v = variants[t.vi] as Variant;
      const qs = queryString(t.query);
      const scheme = v.origin.slice(0, v.origin.indexOf(":"));
      const sentPath = `${v.mount}${t.route}${qs}`;
      let signedUrl: string;
      let path = sentPath;
      switch (replay.kind) {
        case "state":
          fc.pre(replay.other !== t.route);
          signedUrl = `${v.origin}${v.mount}${t.route}${qs}`;
          path = `${v.mount}${replay.other}${qs}`;
          break;
        case "query": {
          const changed: Pairs = t.query.map(([k, val]) => [k, val]);
          const i = changed.length === 0 ? 0 : replay.index % changed.length;
          const at = changed[i];
          if (replay.change === "add") changed.push([replay.key, replay.value]);
          else if (at === undefined) fc.pre(false);
          else if (replay.change === "value") at[1] = replay.value;
          else changed.splice(i, 1);
          fc.pre(new Set(changed.map(([k]) => k)).size === changed.length && queryString(changed) !== qs);
          signedUrl = `${v.origin}${v.mount}${t.route}${qs}`;
          path = `${v.mount}${t.route}${queryString(changed)}`;
          break;
        }
        case "host":
          fc.pre(replay.host.toLowerCase() !== PUBLIC_HOST && replay.host !== v.hostHeader);
          signedUrl = `${scheme}://${replay.host}${sentPath}`;
          break;
        case "scheme":
          // The other scheme, for the public host and for the host as Node saw it.
          signedUrl = `${scheme === "https" ? "http" : "https"}://${t.pick % 2 === 0 ? PUBLIC_HOST : v.hostHeader}${sentPath}`;
          fc.pre(signedUrl !== `http://${v.hostHeader}${sentPath}`);
          break;
        case "mount":
          // Mounted: signed without the mount path or with another one. At the root: signed with one.
          fc.pre(replay.mount !== v.mount && (v.mount !== "" || replay.mount !== ""));
          signedUrl = `${v.origin}${v.mount === "" ? MOUNT : replay.mount}${t.route}${qs}`;
          if (v.mount === "" && replay.mount === "") fc.pre(false);
          break;
      }
      await expectRejected(v, path, t.pairs, { "X-Twilio-Signature": sig(token(v, t.pick), signedUrl, t.pairs) });
    });
    expect(runs).toBeGreaterThanOrEqual(250);
  });

  it("tampered: a valid signature over another body, or a flipped, truncated or wrong-token signature", async () => {
    const whitespace = fc.constantFrom<(s: string) => string>(
      (s) => `${s} `,
      (s) => ` ${s}`,
      (s) => `${s}\t`,
      (s) => `${s}\n`,
      (s) => `${s.slice(0, 1)}  ${s.slice(1)}`,
    );
    const tamperArb = fc.oneof(
      fc.record({ kind: fc.constant("value" as const), index: fc.nat(), value: valueArb }),
      fc.record({ kind: fc.constant("add" as const), key: keyArb, value: valueArb }),
      fc.record({ kind: fc.constant("remove" as const), index: fc.nat() }),
      fc.record({ kind: fc.constant("rename" as const), index: fc.nat(), key: keyArb }),
      fc.record({ kind: fc.constant("keyCase" as const), index: fc.nat() }),
      fc.record({ kind: fc.constant("valueCase" as const), index: fc.nat() }),
      fc.record({ kind: fc.constant("whitespace" as const), index: fc.nat(), pad: whitespace }),
      fc.record({ kind: fc.constant("flip" as const), index: fc.nat(), char: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_".split("")) }),
      fc.record({ kind: fc.constant("truncate" as const), index: fc.nat() }),
      fc.record({ kind: fc.constant("wrongToken" as const), wrong: fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom(`${CURRENT} `, CURRENT.toUpperCase(), OLD.slice(0, -1), `${AUTH_TOKEN}x`, "")) }),
    );
    const swapCase = (s: string): string => (s.toUpperCase() === s ? s.toLowerCase() : s.toUpperCase());
    const runs = await property(fc.record({ t: target, pairs: pairsArb(1), tamper: tamperArb }), 300, async ({ t, pairs, tamper }) => {
      const v = variants[t.vi] as Variant;
      const path = `${v.mount}${t.route}${queryString(t.query)}`;
      const url = `${v.origin}${path}`;
      const tokenValue = token(v, t.pick);
      const good = sig(tokenValue, url, pairs);
      const sentPairs: Pairs = pairs.map(([k, val]) => [k, val]);
      let signature = good;
      const at = "index" in tamper ? sentPairs[tamper.index % sentPairs.length] : undefined;
      const hasKey = (key: string): boolean => sentPairs.some(([k]) => k === key);
      switch (tamper.kind) {
        case "value":
          if (at !== undefined) at[1] = tamper.value;
          break;
        case "add":
          fc.pre(!hasKey(tamper.key));
          sentPairs.push([tamper.key, tamper.value]);
          break;
        case "remove":
          sentPairs.splice(tamper.index % sentPairs.length, 1);
          break;
        case "rename":
          fc.pre(!hasKey(tamper.key));
          if (at !== undefined) at[0] = tamper.key;
          break;
        case "keyCase":
          if (at !== undefined) at[0] = swapCase(at[0]);
          fc.pre(new Set(sentPairs.map(([k]) => k)).size === sentPairs.length);
          break;
        case "valueCase":
          if (at !== undefined) at[1] = swapCase(at[1]);
          break;
        case "whitespace":
          if (at !== undefined) at[1] = tamper.pad(at[1]);
          break;
        case "flip": {
          const i = tamper.index % good.length;
          fc.pre(good[i] !== tamper.char);
          signature = `${good.slice(0, i)}${tamper.char}${good.slice(i + 1)}`;
          break;
        }
        case "truncate":
          signature = good.slice(0, tamper.index % good.length);
          break;
        case "wrongToken":
          // Never one of the tokens the app accepts.
          fc.pre(!v.tokens.includes(tamper.wrong));
          signature = sig(tamper.wrong, url, pairs);
          break;
      }
      // A change Twilio's scheme cannot see (it signs the keys and values concatenated: renaming
      // "ab"="c" to "a"="bc" keeps the signature) is no tampering: skip it.
      if (signature === good) fc.pre(sig(tokenValue, url, sentPairs) !== good);
      await expectRejected(v, path, sentPairs, { "X-Twilio-Signature": signature });
    });
    expect(runs).toBeGreaterThanOrEqual(250);
  });
});

describe("(control) the same requests signed correctly", () => {
  it("get 200 TwiML and reach the state with the parameters sent", async () => {
    const runs = await property(fc.record({ t: target, asSeen: fc.boolean() }), 100, async ({ t, asSeen }) => {
      for (const spy of variants.flatMap(allSpies)) spy.mockClear();
      const v = variants[t.vi] as Variant;
      const path = `${v.mount}${t.spell(t.route)}${queryString(t.query)}`;
      // Twilio signs the public URL; the URL as Node saw it is accepted too (behind the proxy they differ).
      const origin = asSeen ? `http://${v.hostHeader}` : v.origin;
      const res = await post(v, path, t.pairs, { "X-Twilio-Signature": sig(token(v, t.pick), `${origin}${path}`, t.pairs) });
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/^text\/xml/);
      expect(res.text).toMatch(/^(<\?xml[^>]*\?>)?<Response>/);
      const { mainTwiml, mainTransition, endTwiml, otherTwiml } = v.spies;
      const [spy, inputArg] = { "/main": [mainTwiml, 1], "/main/answer": [mainTransition, 0], "/end": [endTwiml, 1], "/other/deep": [otherTwiml, 1] }[t.route] as [jest.Mock, number];
      expect(spy).toHaveBeenCalledTimes(1);
      const input = (spy.mock.calls[0] as unknown[])[inputArg] as InputData;
      const sorted = (entries: [string, unknown][]): [string, unknown][] => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      expect(sorted(Object.entries(input))).toEqual(sorted(t.pairs));
    });
    expect(runs).toBeGreaterThanOrEqual(100);
  });
});
