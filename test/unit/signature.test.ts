// The library computes Twilio's signature itself (src/signature.ts); these properties prove it
// byte-identical to the `twilio` package's own getExpectedTwilioSignature and validateRequest.
import { parse, stringify } from "node:querystring";
import fc from "fast-check";
import twilio from "twilio";
import { matchesSignature, signatureFor, signedParams, signedUrlForms } from "../../src/signature";

const { getExpectedTwilioSignature, validateRequest } = twilio;

/** twilio's verdict; it throws for a URL it cannot parse (after trying it as received), which is a rejection. */
function twilioSays(token: string, header: string, url: string, params: Record<string, unknown>): boolean {
  try {
    return validateRequest(token, header, url, params);
  } catch {
    return false;
  }
}

const text = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constantFrom("", "'", "%27", "a b", "é", "\uD800", "+", "&", "="));
const token = fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string({ minLength: 1 }));
const value = fc.oneof(text, fc.array(text, { maxLength: 4 }).map((values) => [...values, ...values.slice(0, 1)]));
const params = fc.dictionary(fc.oneof(text, fc.constantFrom("Digits", "CallSid", "SpeechResult", "From")), value, { maxKeys: 12 });
const host = fc.oneof(fc.domain(), fc.constantFrom("localhost", "127.0.0.1", "[::1]", "ivr.example.com", "user:pw@ivr.example.com", "IVR.Example.COM"));
const port = fc.constantFrom("", ":80", ":443", ":3000", ":8080");
const scheme = fc.constantFrom("http", "https", "HTTPS");
/** encodeURIComponent, or a malformed escape for text it refuses (a lone surrogate). */
const encoded = (t: string): string => {
  try {
    return encodeURIComponent(t);
  } catch {
    return "%ZZ";
  }
};
const path = fc.array(fc.oneof(fc.webSegment(), text.map(encoded), fc.constantFrom("ivr", "incoming-call", "%7E", "a'b", "a b")), { maxLength: 4 }).map((segments) => `/${segments.join("/")}`);
const query = fc.oneof(
  fc.constant(""),
  fc.constant("?"),
  fc.webQueryParameters().map((q) => `?${q}`),
  fc.array(fc.tuple(text, text), { maxLength: 3 }).map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`),
  fc.constantFrom("?attempt=2", "?a='b'", "?a=%27b%27", "?x=1&x=2", "?q=a b"),
);
const url = fc.oneof(
  fc.tuple(scheme, host, port, path, query).map(([s, h, p, pa, q]) => `${s}://${h}${p}${pa}${q}`),
  fc.webUrl({ withQueryParameters: true }),
  text, // anything at all, including what does not parse
);

/**
 * Forms of a URL a sender might have signed, made here independently of src/signature.ts: as
 * given, normalised by WHATWG URL, with an explicit default port, and with the query re-encoded
 * by Node's legacy querystring.
 */
function variantsOf(u: string): string[] {
  const variants = [u];
  let normalized: URL;
  try {
    normalized = new URL(u);
  } catch {
    return variants;
  }
  variants.push(normalized.href);
  if (normalized.port === "") variants.push(normalized.href.replace(normalized.host, `${normalized.hostname}:${normalized.protocol === "https:" ? 443 : 80}`));
  if (normalized.search.length > 1) variants.push(normalized.href.replace(normalized.search, `?${stringify(parse(normalized.search.slice(1)))}`));
  return variants;
}

describe("src/signature.ts is byte-identical to the twilio package", () => {
  it("signatureFor(url, signedParams(params)) = getExpectedTwilioSignature(url, params)", () => {
    fc.assert(
      fc.property(token, url, params, (t, u, p) => {
        expect(signatureFor(t, u, signedParams(p))).toBe(getExpectedTwilioSignature(t, u, p));
      }),
      { numRuns: 1000 },
    );
  });

  it("matchesSignature agrees with validateRequest: signatures made for any form of the URL, other URLs, other tokens, garbage", () => {
    const header = fc.oneof(
      // Signed for one of the forms Twilio accepts (port added or removed, normalised, legacy query).
      fc.tuple(token, url, params, fc.nat()).map(([t, u, p, i]) => {
        const forms = variantsOf(u);
        return { t, u, p, header: getExpectedTwilioSignature(t, forms[i % forms.length] as string, p) };
      }),
      // Signed for another URL, with another token, or not at all.
      fc.tuple(token, url, url, params).map(([t, u, other, p]) => ({ t, u, p, header: getExpectedTwilioSignature(t, other, p) })),
      fc.tuple(token, token, url, params).map(([t, other, u, p]) => ({ t, u, p, header: getExpectedTwilioSignature(other, u, p) })),
      fc.tuple(token, url, params, fc.oneof(fc.base64String(), text)).map(([t, u, p, h]) => ({ t, u, p, header: h })),
    );
    let accepted = 0;
    fc.assert(
      fc.property(header, ({ t, u, p, header: h }) => {
        const ours = matchesSignature(h, [t], [u], signedParams(p));
        expect(ours).toBe(twilioSays(t, h, u, p));
        if (ours) accepted++;
      }),
      { numRuns: 2000 },
    );
    // The property saw both verdicts many times.
    expect(accepted).toBeGreaterThan(200);
  });

  it("with several tokens (rotation) and candidate URLs (as Node saw it, the public URL): accepted exactly when twilio accepts one pair", () => {
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 3 }), fc.array(url, { minLength: 1, maxLength: 3 }), params, fc.nat(), fc.boolean(), (tokens, urls, p, pick, genuine) => {
        const signer = genuine ? (tokens[pick % tokens.length] as string) : "not-one-of-the-tokens";
        const signedUrl = variantsOf(urls[pick % urls.length] as string).at(-1) as string;
        const h = getExpectedTwilioSignature(signer, signedUrl, p);
        const expected = urls.some((u) => tokens.some((t) => twilioSays(t, h, u, p)));
        expect(matchesSignature(h, tokens, urls, signedParams(p))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("signedUrlForms lists the forms, as received first, without repeats", () => {
    expect(signedUrlForms("https://ivr.example.com/a?x='1'")).toEqual([
      "https://ivr.example.com/a?x='1'",
      "https://ivr.example.com:443/a?x='1'",
      "https://ivr.example.com/a?x=%271%27",
      "https://ivr.example.com:443/a?x=%271%27",
    ]);
    expect(signedUrlForms("not a url")).toEqual(["not a url"]);
  });

  it("an empty header never matches", () => {
    expect(matchesSignature("", ["t"], ["https://a.example/x"], "")).toBe(false);
  });
});
