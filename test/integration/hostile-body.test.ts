// Hostile POST bodies: malformed percent-encoding and bytes that are not UTF-8 get 400, oversized
// bodies and too many fields 413, before any user code or the signature check runs; well-formed
// bodies parse exactly as URLSearchParams encodes them and as the previous parser (body-parser's
// urlencoded, extended: false) did for Twilio's parameters.
//
// fast-check prints the seed of a failure; rerun it with FC_SEED=<seed> (and FC_PATH=<path>).
import zlib from "node:zlib";
import bodyParser from "body-parser";
import express, { type Express } from "express";
import fc from "fast-check";
import request from "supertest";
import * as webhooks from "twilio/lib/webhooks/webhooks.js";
import type { InputData, State } from "../../src";
import { FormBodyError, parseFormBody } from "../../src/routing/form-parse";
import { buildApp, sign, validatingConfig } from "../helpers/app";
import { grouped } from "../helpers/form-fields";

const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH === undefined ? {} : { path: process.env.FC_PATH }) };
const FORM_TYPE = "application/x-www-form-urlencoded";

jest.setTimeout(60_000);

/** An end state at /incoming whose twimlFor records the input it got. */
function recorder(): { state: State; twimlFor: jest.Mock } {
  const twimlFor = jest.fn(() => "<Response/>");
  return { state: { name: "RECORDER", uri: "/incoming", isEndState: true, twimlFor }, twimlFor };
}

function lastInput(twimlFor: jest.Mock): InputData {
  expect(twimlFor).toHaveBeenCalled();
  return twimlFor.mock.calls[twimlFor.mock.calls.length - 1][1] as InputData;
}

function post(app: Parameters<typeof request>[0], body: string | Buffer, type = FORM_TYPE): request.Test {
  const test = request(app).post("/incoming").set("Content-Type", type).timeout({ response: 5000, deadline: 10_000 });
  // superagent would form-encode a Buffer as if it were an object of its bytes: send the bytes as they are.
  if (Buffer.isBuffer(body)) test.serialize((data: unknown) => data as string);
  return test.send(body);
}

/**
 * Deep equality of two field objects, compared as their entries in order: Jest's toStrictEqual reads
 * `obj.constructor` to compare types, which goes wrong for a field named "constructor".
 */
function expectSameFields(actual: object, expected: object): void {
  expect(Object.entries(actual)).toStrictEqual(Object.entries(expected));
}

/**
 * An independent model of the form grammar: split on `&` (skipping empty fields), name and value on
 * the first `=`, `+` is a space, then the engine's decodeURIComponent over the bytes (raw bytes >= 0x80
 * escaped first), which throws for a bad `%` and for bytes that are not UTF-8.
 */
function modelParse(bytes: Buffer): Record<string, string | string[]> | "malformed" {
  let text = bytes.toString("latin1");
  if (text.startsWith("\u00ef\u00bb\u00bf")) text = text.slice(3);
  const decode = (part: string): string =>
    decodeURIComponent(part.replaceAll("+", " ").replace(/[\u0080-\u00ff]/g, (c) => `%${c.charCodeAt(0).toString(16)}`));
  const pairs: [string, string][] = [];
  try {
    for (const field of text.split("&")) {
      if (field === "") continue;
      const eq = field.indexOf("=");
      pairs.push(eq === -1 ? [decode(field), ""] : [decode(field.slice(0, eq)), decode(field.slice(eq + 1))]);
    }
  } catch {
    return "malformed";
  }
  return grouped(pairs);
}

describe("malformed bodies", () => {
  const malformed: [string, string | Buffer][] = [
    ["the issue's example, a truncated escape", "Digits=%E0%A4%A"],
    ["a % at the very end", "Digits=1%"],
    ["a % and one hex digit at the end", "Digits=%4"],
    ["a % before non-hex", "Digits=%zz"],
    ["a % with one hex digit then a non-hex", "Digits=%4G"],
    ["a bad escape in a name", "Dig%it=1"],
    ["a bad escape before valid fields", "a=%&CallSid=CA1&Digits=1"],
    ["a valid field repeated, then a bad one", "Digits=1&Digits=%E0%A4%A"],
    ["a truncated UTF-8 sequence (two bytes of three)", "Digits=%E0%A4"],
    ["a lone continuation byte", "Digits=%80"],
    ["0xFF, never in UTF-8", "Digits=%FF"],
    ["an overlong '.' (%C0%AE)", "SpeechResult=%C0%AE%C0%AE"],
    ["an overlong '/' in three bytes", "SpeechResult=%E0%80%AF"],
    ["a UTF-16 surrogate encoded in UTF-8", "SpeechResult=%ED%A0%80"],
    ["a code point above U+10FFFF", "SpeechResult=%F4%90%80%80"],
    ["a multi-byte sequence split across name and value", "a%E0=%A4%A4"],
    ["a multi-byte sequence split across two fields", "a=%E0&b=%A4%A4"],
    ["raw bytes that are not UTF-8", Buffer.from([0x44, 0x3d, 0xff, 0xfe])],
    ["a raw lead byte followed by ASCII", Buffer.concat([Buffer.from("SpeechResult=caf"), Buffer.from([0xc3]), Buffer.from("+au+lait")])],
    ["%25 then a bad escape", "a=%25%2"],
  ];

  it.each(malformed)("answers %s with 400 'Malformed request body.' and runs no user code", async (_label, body) => {
    const { state, twimlFor } = recorder();
    const res = await post(buildApp([state]), body);
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.text).toBe("Malformed request body.");
    expect(twimlFor).not.toHaveBeenCalled();
  });

  it("refuses a bad escape under charset=iso-8859-1 too, and still decodes a good one there", async () => {
    const { state, twimlFor } = recorder();
    const app = buildApp([state]);
    await post(app, "Caller=Ren%E", `${FORM_TYPE}; charset=iso-8859-1`).expect(400, "Malformed request body.");
    await post(app, "Caller=Ren%E9+L%FCthi", `${FORM_TYPE}; charset=iso-8859-1`).expect(200);
    expect(lastInput(twimlFor)).toStrictEqual({ Caller: "René Lüthi" });
  });

  it("keeps serving well-formed bodies after refusing malformed ones", async () => {
    const { state, twimlFor } = recorder();
    const app = buildApp([state]);
    await post(app, "Digits=%E0%A4%A").expect(400);
    await post(app, "Digits=%E0%A4%A4").expect(200);
    expect(lastInput(twimlFor)).toStrictEqual({ Digits: "\u0924" });
  });
});

describe("the signature is never checked over a body that is refused", () => {
  const url = "http://ivr.example.com/incoming";
  // The module the library takes twilio's signature functions from: a check computes one with
  // getExpectedTwilioSignature (the URL as given), then validateRequest (its other forms).
  let spies: jest.SpyInstance[] = [];
  const signatureComputed = (): boolean => spies.some((spy) => spy.mock.calls.length > 0);
  beforeEach(() => {
    spies = [jest.spyOn(webhooks, "getExpectedTwilioSignature"), jest.spyOn(webhooks, "validateRequest")];
  });
  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
  });
  /** A validating app; its creation checks its token with a signature or two, so the spies start counting after it. */
  const validatingApp = (state: State): Express => {
    const app = buildApp([state], validatingConfig());
    for (const spy of spies) spy.mockClear();
    return app;
  };

  it("answers 400 to a malformed body whose signature matches its literal text (which the old parser accepted with 200)", async () => {
    const { state, twimlFor } = recorder();
    const app = validatingApp(state);
    // The old parser handed the state the raw text "%E0%A4%A": a signature over that would have passed.
    const signature = sign(url, { CallSid: "CA1", Digits: "%E0%A4%A" });
    const res = await post(app, "CallSid=CA1&Digits=%E0%A4%A").set("Host", "ivr.example.com").set("X-Twilio-Signature", signature);
    expect(res.status).toBe(400);
    expect(res.text).toBe("Malformed request body.");
    expect(signatureComputed()).toBe(false);
    expect(twimlFor).not.toHaveBeenCalled();
  });

  it("answers 413 to an oversized signed body without checking the signature", async () => {
    const { state, twimlFor } = recorder();
    const app = validatingApp(state);
    const params = { CallSid: "CA1", SpeechResult: "x".repeat(101 * 1024) };
    const res = await post(app, new URLSearchParams(params).toString()).set("Host", "ivr.example.com").set("X-Twilio-Signature", sign(url, params));
    expect(res.status).toBe(413);
    expect(signatureComputed()).toBe(false);
    expect(twimlFor).not.toHaveBeenCalled();
  });

  it("(control) checks the signature of a well-formed body and accepts it when it is right", async () => {
    const { state, twimlFor } = recorder();
    const app = validatingApp(state);
    const params = { CallSid: "CA1", Digits: "\u0924" };
    const res = await post(app, new URLSearchParams(params).toString()).set("Host", "ivr.example.com").set("X-Twilio-Signature", sign(url, params));
    expect(res.status).toBe(200);
    expect(signatureComputed()).toBe(true);
    expect(lastInput(twimlFor)).toStrictEqual(params);
  });
});

describe("oversized bodies and too many fields", () => {
  const manyFields = (count: number, sep = "&"): string => Array.from({ length: count }, (_, i) => `p${i}=1`).join(sep);
  const tooLarge: [string, string | Buffer, Record<string, string>][] = [
    ["a body over 100kb", `Digits=${"1".repeat(101 * 1024)}`, {}],
    ["1001 fields", manyFields(1001), {}],
    ["1000 fields and an empty one (counted like body-parser: every & starts a field)", `${manyFields(1000)}&`, {}],
    ["1001 fields with a malformed escape in the first (too many outranks malformed)", `a=%zz&${manyFields(1000)}`, {}],
    ["1001 fields with bytes that are not UTF-8 in the first", `a=%FF&${manyFields(1000)}`, {}],
    ["a gzip body that inflates past 100kb", zlib.gzipSync(`Digits=${"1".repeat(200 * 1024)}`), { "Content-Encoding": "gzip" }],
  ];

  it.each(tooLarge)("answers %s with 413 'Request body too large.' and runs no user code", async (_label, body, headers) => {
    const { state, twimlFor } = recorder();
    const res = await post(buildApp([state]), body).set(headers);
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.text).toBe("Request body too large.");
    expect(twimlFor).not.toHaveBeenCalled();
  });

  it("accepts exactly 1000 fields and a body just under 100kb (the limits are not off by one)", async () => {
    const { state, twimlFor } = recorder();
    const app = buildApp([state]);
    await post(app, manyFields(1000)).expect(200);
    expect(Object.keys(lastInput(twimlFor))).toHaveLength(1000);
    const prefix = "Digits=";
    await post(app, prefix + "1".repeat(100 * 1024 - prefix.length)).expect(200);
    expect(lastInput(twimlFor).Digits).toHaveLength(100 * 1024 - prefix.length);
  });
});

describe("well-formed bodies parse as before", () => {
  it.each<[string, string | Buffer, Record<string, string | string[]>]>([
    ["Twilio's parameters, + for spaces and escapes", "CallSid=CA123&From=%2B15550001111&SpeechResult=hello+world&FinishedOnKey=%23", { CallSid: "CA123", From: "+15550001111", SpeechResult: "hello world", FinishedOnKey: "#" }],
    ["unicode, escaped and raw", Buffer.from("SpeechResult=caf%C3%A9+%F0%9F%98%80&Caller=Zo\u00eb", "utf8"), { SpeechResult: "café 😀", Caller: "Zoë" }],
    ["empty values and a name without =", "CalledCity=&CalledZip=&Flag", { CalledCity: "", CalledZip: "", Flag: "" }],
    ["repeated names, in order", "Digits=1&Digits=2&Other=x&Digits=3", { Digits: ["1", "2", "3"], Other: "x" }],
    ["empty fields and a trailing &", "&a=1&&b=2&", { a: "1", b: "2" }],
    ["= inside a value", "a=b=c", { a: "b=c" }],
    ["escaped & = + % in values", "q=%26%3D%2B%25", { q: "&=+%" }],
    ["bracketed names stay literal", "a[b]=1&c[d][e]=2", { "a[b]": "1", "c[d][e]": "2" }],
    ["a UTF-8 byte order mark before the first name", Buffer.from("\ufeffCallSid=CA1", "utf8"), { CallSid: "CA1" }],
    ["upper and lower case hex", "a=%c3%a9&b=%C3%A9", { a: "é", b: "é" }],
  ])("%s", async (_label, body, expected) => {
    const { state, twimlFor } = recorder();
    await post(buildApp([state]), body).expect(200);
    expect(lastInput(twimlFor)).toStrictEqual(expected);
  });

  it("a body that is not form-encoded is not parsed (the state gets {})", async () => {
    const { state, twimlFor } = recorder();
    await post(buildApp([state]), '{"Digits":"%E0%A4%A"}', "application/json").expect(200);
    expect(lastInput(twimlFor)).toStrictEqual({});
  });
});

// ---- Properties ---------------------------------------------------------------------------------

const anyText = fc.string({ unit: "binary", maxLength: 12 });
const pairsArb = fc.array(fc.tuple(fc.oneof(anyText, fc.constantFrom("Digits", "CallSid", "__proto__", "constructor", "toString", "hasOwnProperty", "", "a[b]")), anyText), { maxLength: 12 });

/** Pieces a hostile body is made of: valid and broken escapes, separators and raw bytes. */
const hostileBytes = fc
  .array(
    fc.oneof(
      fc.constantFrom("%", "%%", "&", "=", "+", "%E0", "%A4", "%E0%A4%A4", "%C3%A9", "%zz", "%2", "%4G", "%00", "%FF", "%C0%AE", "%ED%A0%80", "%F0%9F%98%80", "%25", "%2B", "%26", "%3D", "Digits", "1"),
      fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from(b).toString("latin1")),
    ),
    { maxLength: 24 },
  )
  .map((pieces) => Buffer.from(pieces.join(""), "latin1"));

describe("properties", () => {
  it("parseFormBody(URLSearchParams encoding of any fields) gives the fields back exactly, as own keys of a plain object", () => {
    fc.assert(
      fc.property(pairsArb, (pairs) => {
        const body = Buffer.from(new URLSearchParams(pairs).toString(), "latin1");
        const parsed = parseFormBody(body);
        // The very object states get: a plain object whose every field is an own data key,
        // names the prototype has (`__proto__`, `toString`) included, the prototype untouched.
        expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
        expectSameFields(parsed, grouped(pairs));
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 2000, ...seed },
    );
  });

  it("parseFormBody agrees with a decodeURIComponent model on any bytes: the same fields, or 400 exactly when the model fails", () => {
    fc.assert(
      fc.property(fc.oneof(hostileBytes, fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))), (bytes) => {
        const expected = modelParse(bytes);
        let actual: Record<string, string | string[]> | "malformed";
        try {
          actual = parseFormBody(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(FormBodyError);
          expect((err as FormBodyError).status).toBe(400);
          actual = "malformed";
        }
        if (actual === "malformed" || expected === "malformed") expect(actual).toBe(expected);
        else expectSameFields(actual, expected);
      }),
      { numRuns: 3000, ...seed },
    );
  });

  it("over HTTP, any fields encoded by URLSearchParams reach the state exactly", async () => {
    const { state, twimlFor } = recorder();
    const app = buildApp([state]);
    await fc.assert(
      fc.asyncProperty(pairsArb, async (pairs) => {
        await post(app, new URLSearchParams(pairs).toString()).expect(200);
        expectSameFields(lastInput(twimlFor), grouped(pairs));
      }),
      { numRuns: 150, ...seed },
    );
  });

  it("over HTTP, any bytes get 200 with the model's fields or 400, never a 5xx and never a hang", async () => {
    const { state, twimlFor } = recorder();
    const app = buildApp([state]);
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileBytes, fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))), async (bytes) => {
        twimlFor.mockClear();
        const res = await post(app, bytes);
        statuses.add(res.status);
        const expected = modelParse(bytes);
        if (expected === "malformed") {
          expect(res.status).toBe(400);
          expect(twimlFor).not.toHaveBeenCalled();
        } else {
          expect(res.status).toBe(200);
          expectSameFields(lastInput(twimlFor), expected);
        }
      }),
      { numRuns: 300, ...seed },
    );
    // Both outcomes were exercised.
    expect([...statuses].sort()).toEqual([200, 400]);
  });

  it("for Twilio-like names, parses exactly as the previous parser (body-parser urlencoded, extended: false) did", async () => {
    const { state, twimlFor } = recorder();
    const app = buildApp([state]);
    const old = express();
    old.post("/incoming", bodyParser.urlencoded({ extended: false, limit: "100kb", parameterLimit: 1000 }), (req, res) => {
      res.json(req.body);
    });
    const name = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,11}$/);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.oneof(name, fc.constantFrom("Digits", "SpeechResult")), anyText), { maxLength: 10 }), async (pairs) => {
        const body = new URLSearchParams(pairs).toString();
        const before = await post(old, body).expect(200);
        await post(app, body).expect(200);
        expect(lastInput(twimlFor)).toStrictEqual(before.body);
      }),
      { numRuns: 100, ...seed },
    );
  });
});
