import type { Request } from "express";
import fc from "fast-check";
import twilio from "twilio";
import * as webhooks from "twilio/lib/webhooks/webhooks.js";
import { createSignatureVerifier, isSignedByTwilio, type SignatureSettings } from "../../src/request-validation";

const { getExpectedTwilioSignature } = twilio;

interface FakeRequestParts {
  protocol: string;
  host: string | undefined;
  originalUrl: string;
  body: unknown;
  signature: string | undefined;
}

/** Just enough of an Express request for isSignedByTwilio. */
function fakeRequest(parts: FakeRequestParts): Request {
  const headers: Record<string, string | undefined> = { host: parts.host, "x-twilio-signature": parts.signature };
  return {
    protocol: parts.protocol,
    originalUrl: parts.originalUrl,
    body: parts.body,
    headers,
    get: (name: string) => headers[name.toLowerCase()],
    header: (name: string) => headers[name.toLowerCase()],
  } as unknown as Request;
}

// The fixed vector from twilio-node's request-validation spec and Twilio's security docs.
const VECTOR = {
  authToken: "12345",
  url: "https://mycompany.com/myapp.php?foo=1&bar=2",
  params: { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" },
  signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
};

const vectorSettings: SignatureSettings = { authTokens: [VECTOR.authToken], host: () => "mycompany.com", scheme: () => "https" };

function vectorRequest(overrides: Partial<FakeRequestParts> = {}): Request {
  return fakeRequest({
    protocol: "https",
    host: "mycompany.com",
    originalUrl: "/myapp.php?foo=1&bar=2",
    body: { ...VECTOR.params },
    signature: VECTOR.signature,
    ...overrides,
  });
}

describe("isSignedByTwilio: twilio-node's fixed vector", () => {
  it("the twilio package signs the vector as documented", () => {
    expect(getExpectedTwilioSignature(VECTOR.authToken, VECTOR.url, VECTOR.params)).toBe(VECTOR.signature);
  });

  it("accepts the vector when Node sees the signed URL", () => {
    expect(isSignedByTwilio(vectorRequest(), { ...vectorSettings, host: () => "elsewhere.example", scheme: undefined })).toBe(true);
  });

  it("accepts the vector behind a proxy: Node sees http and an internal Host, urlFor describes the public URL", () => {
    expect(isSignedByTwilio(vectorRequest({ protocol: "http", host: "internal:3000" }), vectorSettings)).toBe(true);
  });

  it("accepts the vector when the Host header carries the default port", () => {
    expect(isSignedByTwilio(vectorRequest({ host: "mycompany.com:443" }), { ...vectorSettings, host: () => "other.example" })).toBe(true);
  });

  it.each<[string, Partial<FakeRequestParts>]>([
    ["a tampered Digits value", { body: { ...VECTOR.params, Digits: "1235" } }],
    ["an extra parameter", { body: { ...VECTOR.params, Extra: "" } }],
    ["a missing parameter", { body: { CallSid: VECTOR.params.CallSid } }],
    ["another path", { originalUrl: "/other.php?foo=1&bar=2" }],
    ["another query string", { originalUrl: "/myapp.php?foo=1&bar=3" }],
    ["no query string", { originalUrl: "/myapp.php" }],
    ["no signature header", { signature: undefined }],
    ["an empty signature header", { signature: "" }],
    ["a truncated signature", { signature: VECTOR.signature.slice(0, -2) }],
  ])("rejects the vector with %s", (_label, overrides) => {
    expect(isSignedByTwilio(vectorRequest(overrides), vectorSettings)).toBe(false);
  });

  it("rejects the vector under another auth token", () => {
    expect(isSignedByTwilio(vectorRequest(), { ...vectorSettings, authTokens: ["54321"] })).toBe(false);
  });

  it("rejects the vector when neither Node's URL nor urlFor's URL is the signed one", () => {
    const req = vectorRequest({ protocol: "http", host: "internal:3000" });
    expect(isSignedByTwilio(req, { ...vectorSettings, scheme: undefined })).toBe(false);
    expect(isSignedByTwilio(req, { ...vectorSettings, host: () => "other.example" })).toBe(false);
  });

  it("returns false, without throwing, when urlFor.host throws or the Host header is garbage", () => {
    const throwing: SignatureSettings = {
      ...vectorSettings,
      host: () => {
        throw new Error("no host");
      },
    };
    expect(isSignedByTwilio(vectorRequest({ protocol: "http", host: "internal:3000" }), throwing)).toBe(false);
    expect(isSignedByTwilio(vectorRequest({ protocol: "http", host: "bad host[" }), { ...vectorSettings, scheme: undefined })).toBe(false);
  });

  it("treats a missing body as no parameters", () => {
    const signature = getExpectedTwilioSignature(VECTOR.authToken, "https://mycompany.com/hold-music", {});
    const req = vectorRequest({ originalUrl: "/hold-music", body: undefined, signature });
    expect(isSignedByTwilio(req, vectorSettings)).toBe(true);
  });
});

describe("isSignedByTwilio: properties", () => {
  const token = fc.string({ minLength: 1, maxLength: 32 });
  const params = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 20 }), { minKeys: 1, maxKeys: 8 });
  const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`);
  const query = fc.option(fc.webQueryParameters(), { nil: undefined });
  const originalUrl = fc.tuple(path, query).map(([p, q]) => (q === undefined || q === "" ? p : `${p}?${q}`));
  const host = fc.domain();

  it("accepts what the twilio package signed over the URL Node sees, and rejects it after any one param changes", () => {
    fc.assert(
      fc.property(token, params, originalUrl, host, fc.nat(), (authToken, body, url, hostname, pick) => {
        const signature = getExpectedTwilioSignature(authToken, `http://${hostname}${url}`, body);
        const settings: SignatureSettings = { authTokens: [authToken], host: () => "unrelated.example", scheme: () => "https" };
        const request = (requestBody: Record<string, string>): Request =>
          fakeRequest({ protocol: "http", host: hostname, originalUrl: url, body: requestBody, signature });
        expect(isSignedByTwilio(request({ ...body }), settings)).toBe(true);

        const keys = Object.keys(body);
        const key = keys[pick % keys.length]!;
        expect(isSignedByTwilio(request({ ...body, [key]: `${body[key]!}x` }), settings)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("accepts a signature over the public URL whatever Host header and protocol Node sees, for that path only", () => {
    fc.assert(
      fc.property(token, params, originalUrl, path, host, host, (authToken, body, url, otherPath, publicHost, internalHost) => {
        fc.pre(!url.startsWith(`${otherPath}?`) && url !== otherPath && publicHost !== internalHost);
        const signature = getExpectedTwilioSignature(authToken, `https://${publicHost}${url}`, body);
        const settings: SignatureSettings = { authTokens: [authToken], host: () => publicHost, scheme: () => "https" };
        const at = (requestUrl: string): Request =>
          fakeRequest({ protocol: "http", host: internalHost, originalUrl: requestUrl, body: { ...body }, signature });
        expect(isSignedByTwilio(at(url), settings)).toBe(true);
        expect(isSignedByTwilio(at(otherPath), settings)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe("isSignedByTwilio: the same verdict as twilio's validateRequest over every candidate (property)", () => {
  const { validateRequest } = twilio;
  const hostname = fc.constantFrom("ivr.example.com", "localhost", "10.0.0.7", "tunnel.example.dev");
  const port = fc.constantFrom("", ":443", ":80", ":3000", ":8443");
  const mount = fc.constantFrom("", "/ivr", "/a/b");
  const path = fc.constantFrom("/incoming-call", "/menu/choice", "/it's", "/caf%C3%A9", "/x y".replace(" ", "%20"));
  const query = fc.constantFrom("", "?menu=main", "?a='b'&c=d", "?q=%27x%27", "?r=1&r=2");
  const body = fc.dictionary(fc.constantFrom("CallSid", "Digits", "From", "To", "SpeechResult", "x"), fc.string({ maxLength: 12 }), { maxKeys: 5 });
  /** What the signer signed: the public URL in one of the forms validateRequest accepts, another URL, or nothing valid. */
  const signedForm = fc.constantFrom("exact", "with-port", "without-port", "normalized", "as-seen", "other-path", "garbage");

  it("accepts and rejects exactly what validateRequest accepts for the public URL or the URL as seen, with any token (directly and through the pipeline's verifier)", () => {
    fc.assert(
      fc.property(
        fc.record({ publicHost: hostname, publicPort: port, seenHost: hostname, seenPort: port, mount, path, query, body, signedForm, signerToken: fc.constantFrom("t1", "t2", "t3") }),
        fc.constantFrom(["t1"], ["t2", "t1"], ["t1", "t2"]),
        (c, tokens) => {
          const originalUrl = `${c.mount}${c.path}${c.query}`;
          const publicUrl = `https://${c.publicHost}${c.publicPort}${originalUrl}`;
          const asSeen = `http://${c.seenHost}${c.seenPort}${originalUrl}`;
          const signedUrl = {
            exact: publicUrl,
            "with-port": `https://${c.publicHost}${c.publicPort || ":443"}${originalUrl}`,
            "without-port": `https://${c.publicHost}${originalUrl}`,
            normalized: new URL(publicUrl).toString(),
            "as-seen": asSeen,
            "other-path": `https://${c.publicHost}${c.publicPort}/elsewhere`,
            garbage: publicUrl,
          }[c.signedForm];
          const signature = c.signedForm === "garbage" ? "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==" : getExpectedTwilioSignature(c.signerToken, signedUrl, c.body);
          const settings: SignatureSettings = { authTokens: tokens, host: () => `${c.publicHost}${c.publicPort}`, scheme: () => "https" };
          const req = fakeRequest({ protocol: "http", host: `${c.seenHost}${c.seenPort}`, originalUrl, body: { ...c.body }, signature });

          const oracle = tokens.some((token) => [publicUrl, asSeen].some((url) => validateRequest(token, signature, url, c.body)));
          expect(isSignedByTwilio(req, settings)).toBe(oracle);
          // The pipeline's verifier, which hands twilio's functions the tokens as KeyObjects.
          expect(createSignatureVerifier(settings)(req)).toBe(oracle);
        },
      ),
      { numRuns: 600 },
    );
  });
});

describe("createSignatureVerifier: the token as twilio's functions get it", () => {
  const params = { CallSid: "CA1", Digits: "7" };
  const url = "https://ivr.example.com/menu?attempt=2";
  const settings: SignatureSettings = { authTokens: ["tok"], host: () => "ivr.example.com", scheme: () => "https" };
  const request = (signature: string): Request => fakeRequest({ protocol: "http", host: "internal:3000", originalUrl: "/menu?attempt=2", body: { ...params }, signature });

  it.each([
    ["throws for anything but a string", (): never => { throw new TypeError("authToken must be a string"); }],
    ["gives another signature for anything but a string", (): string => "not-the-same"],
  ])("falls back to the string when twilio's function %s", (_label, forKeys) => {
    const real = webhooks.getExpectedTwilioSignature;
    const spy = jest.spyOn(webhooks, "getExpectedTwilioSignature").mockImplementation((token, u, p) => (typeof token === "string" ? real(token, u, p) : forKeys()));
    try {
      const isSigned = createSignatureVerifier(settings);
      const checks = spy.mock.calls.length;
      expect(isSigned(request(real("tok", url, params)))).toBe(true);
      expect(isSigned(request(real("other", url, params)))).toBe(false);
      // Every call after the check at creation was made with the string.
      const tokensUsed = spy.mock.calls.slice(checks).map(([token]) => token);
      expect(tokensUsed.length).toBeGreaterThan(0);
      expect(tokensUsed.every((token) => token === "tok")).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
