import express from "express";
import type { Express, Request } from "express";
import fc from "fast-check";
import twilio from "twilio";
import type { State } from "../../../src";
import { MAX_RESPONSE_BYTES, createTransport } from "../../../src/testing/transport";
import type { Transport } from "../../../src/testing/transport";
import { AUTH_TOKEN, PUBLIC_HOST, buildApp, validatingConfig } from "../../helpers/app";
import { listenLoopback, type Loopback } from "../../helpers/loopback";

const { validateRequest } = twilio;

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, string> | null;
  query: Record<string, string>;
  /** Whether twilio's validateRequest accepts the signature over `req.protocol://Host + originalUrl`. */
  signatureValid: boolean;
}

/** Twilio-style check on the app side: the URL as the app sees it, body params for POST, none for GET. */
function signatureValid(req: Request, scheme = req.protocol): boolean {
  const url = `${scheme}://${req.get("host") ?? ""}${req.originalUrl}`;
  const params = req.method === "POST" ? ((req.body ?? {}) as Record<string, string>) : {};
  return validateRequest(AUTH_TOKEN, req.get("x-twilio-signature") ?? "", url, params);
}

/** Echoes what it received; `/hang` never answers (and reports when its exchange is torn down); `/big/:bytes` sends a large body. */
function echoApp(onHangClosed?: () => void): Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.post("/hang", (_req, res) => {
    // The response never finishes, so "close" means the connection was torn down.
    res.on("close", () => onHangClosed?.());
  });
  app.get("/big/:bytes", (req, res) => {
    res.type("text/plain").send("é".repeat(Number(req.params.bytes) / 2));
  });
  app.use((req, res) => {
    const echo: Echo = {
      method: req.method,
      url: req.originalUrl,
      headers: req.headers as Record<string, string>,
      body: (req.body as Record<string, string> | undefined) ?? null,
      query: req.query as Record<string, string>,
      signatureValid: signatureValid(req),
    };
    res.json(echo);
  });
  return app;
}

function parseEcho(body: string): Echo {
  return JSON.parse(body) as Echo;
}

const PARAMS = { CallSid: "CA0123456789abcdef", From: "+15551234567", SpeechResult: "yes please & thanks" };

describe("createTransport: in-process app", () => {
  const transport = createTransport(echoApp(), { authToken: AUTH_TOKEN });
  afterAll(() => transport.close());

  it("uses http://localhost as the default base URL", () => {
    expect(transport.baseUrl).toBe("http://localhost");
  });

  it("POSTs the params form-encoded with Twilio's headers and a signature the app's validateRequest accepts", async () => {
    const res = await transport.send({ method: "POST", url: "http://localhost/incoming-call?step=2", params: PARAMS });
    expect(res.status).toBe(200);
    expect(res.url).toBe("http://localhost/incoming-call?step=2");
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const echo = parseEcho(res.body);
    expect(echo).toMatchObject({ method: "POST", url: "/incoming-call?step=2", body: PARAMS, query: { step: "2" }, signatureValid: true });
    expect(echo.headers).toMatchObject({
      host: "localhost",
      "user-agent": "TwilioProxy/1.1",
      accept: "*/*",
      "content-type": "application/x-www-form-urlencoded",
    });
  });

  it("encodes the body like URLSearchParams (space as +, reserved characters escaped)", async () => {
    const app = express();
    app.use(express.text({ type: "*/*" }));
    app.post("/raw", (req, res) => res.type("text/plain").send(req.body as string));
    const raw = createTransport(app);
    const res = await raw.send({ method: "POST", url: "http://localhost/raw", params: { Digits: "1#", SpeechResult: "a b&c=d" } });
    expect(res.body).toBe("Digits=1%23&SpeechResult=a+b%26c%3Dd");
    await raw.close();
  });

  it("GETs with the params appended to the existing query, signed over the full URL with no body params", async () => {
    const res = await transport.send({ method: "GET", url: "http://localhost/menu?lang=en", params: { Digits: "1", SpeechResult: "a b" } });
    expect(res.url).toBe("http://localhost/menu?lang=en&Digits=1&SpeechResult=a+b");
    const echo = parseEcho(res.body);
    expect(echo).toMatchObject({ method: "GET", url: "/menu?lang=en&Digits=1&SpeechResult=a+b", signatureValid: true });
    expect(echo.query).toEqual({ lang: "en", Digits: "1", SpeechResult: "a b" });
    expect(echo.headers["content-type"]).toBeUndefined();
    expect(echo.headers["user-agent"]).toBe("TwilioProxy/1.1");
  });

  it("GETs a URL without a query, adding one only when there are params", async () => {
    const withParams = await transport.send({ method: "GET", url: "http://localhost/hold", params: { CallSid: "CA1" } });
    expect(parseEcho(withParams.body)).toMatchObject({ url: "/hold?CallSid=CA1", signatureValid: true });
    const without = await transport.send({ method: "GET", url: "http://localhost/hold", params: {} });
    expect(parseEcho(without.body)).toMatchObject({ url: "/hold", query: {}, signatureValid: true });
  });

  it("resolves a root-relative URL against the base URL", async () => {
    const res = await transport.send({ method: "POST", url: "/relative", params: {} });
    expect(res.url).toBe("http://localhost/relative");
    expect(parseEcho(res.body)).toMatchObject({ url: "/relative", signatureValid: true });
  });

  it("keeps the requested URL's host in the Host header when it differs from the base URL", async () => {
    const res = await transport.send({ method: "POST", url: "https://other.example.com:8443/x", params: PARAMS });
    const echo = parseEcho(res.body);
    expect(echo.url).toBe("/x");
    expect(echo.headers.host).toBe("other.example.com:8443");
    // The app sees plain http, so a signature over the https URL does not match what it reconstructs.
    expect(echo.signatureValid).toBe(false);
  });

  it("sends no signature without an authToken", async () => {
    const unsigned = createTransport(echoApp());
    const echo = parseEcho((await unsigned.send({ method: "POST", url: "/x", params: PARAMS })).body);
    expect(echo.headers["x-twilio-signature"]).toBeUndefined();
    expect(echo.signatureValid).toBe(false);
    await unsigned.close();
  });

  it("round-trips any parameter values through the form body with a valid signature", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}$/), fc.string({ unit: "grapheme", maxLength: 40 }), { maxKeys: 8 }),
        async (params) => {
          const echo = parseEcho((await transport.send({ method: "POST", url: "/prop", params })).body);
          expect(echo.body).toEqual(params);
          expect(echo.signatureValid).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("decodes a large multi-byte UTF-8 body intact", async () => {
    const res = await transport.send({ method: "GET", url: "/big/400000", params: {} });
    expect(res.body).toBe("é".repeat(200_000));
  });

  it("rejects a body over the size cap", async () => {
    await expect(transport.send({ method: "GET", url: `/big/${MAX_RESPONSE_BYTES + 2}`, params: {} })).rejects.toThrow(
      `GET http://localhost/big/${MAX_RESPONSE_BYTES + 2}: response body exceeds ${MAX_RESPONSE_BYTES} bytes`,
    );
  });
});

describe("createTransport: https base URL in-process", () => {
  it("sends the base URL's host; an app taking the scheme from its config accepts the signature", async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.post("/secure", (req, res) => {
      res.json({ host: req.get("host"), asSeen: signatureValid(req), asConfigured: signatureValid(req, "https") });
    });
    const transport = createTransport(app, { authToken: AUTH_TOKEN, baseUrl: "https://ivr.example.com/ignored/path" });
    expect(transport.baseUrl).toBe("https://ivr.example.com");
    const res = await transport.send({ method: "POST", url: "/secure", params: PARAMS });
    expect(res.url).toBe("https://ivr.example.com/secure");
    expect(JSON.parse(res.body)).toEqual({ host: "ivr.example.com", asSeen: false, asConfigured: true });
    await transport.close();
  });
});

describe("createTransport: an app that never answers", () => {
  it("rejects with the method and URL after timeoutMs and tears the exchange down", async () => {
    let closedOnServer!: () => void;
    const serverSideClosed = new Promise<void>((resolve) => (closedOnServer = resolve));
    const transport = createTransport(echoApp(closedOnServer), { authToken: AUTH_TOKEN, timeoutMs: 50 });
    const error = await transport.send({ method: "POST", url: "/hang", params: PARAMS }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("POST http://localhost/hang: no complete response within 50 ms");
    expect((error as Error).message).not.toContain(AUTH_TOKEN);
    await serverSideClosed;
    await transport.close();
  });

  it("close() rejects a request in flight, and later sends", async () => {
    const transport = createTransport(echoApp());
    const pending = transport.send({ method: "POST", url: "/hang", params: {} });
    await new Promise((resolve) => setImmediate(resolve));
    await transport.close();
    await expect(pending).rejects.toThrow("transport closed while a request was in flight");
    await expect(transport.send({ method: "POST", url: "/x", params: {} })).rejects.toThrow("transport is closed");
  });
});

describe("createTransport: URL target", () => {
  let server: Loopback;
  let origin: string;
  let transport: Transport;
  let onHangClosed = (): void => {};

  beforeAll(async () => {
    server = await listenLoopback(() =>
      echoApp(() => {
        onHangClosed();
      }),
    );
    origin = server.base;
    transport = createTransport(`${origin}/incoming-call?first=1`, { authToken: AUTH_TOKEN });
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });

  it("takes the target's origin (no path or query) as the base URL", () => {
    expect(transport.baseUrl).toBe(origin);
    expect(createTransport(new URL("http://localhost:3000/incoming-call")).baseUrl).toBe("http://localhost:3000");
  });

  it("POSTs over the network with a signature the server accepts", async () => {
    const res = await transport.send({ method: "POST", url: `${origin}/incoming-call`, params: PARAMS });
    expect(res.status).toBe(200);
    const echo = parseEcho(res.body);
    expect(echo).toMatchObject({ method: "POST", url: "/incoming-call", body: PARAMS, signatureValid: true });
    expect(echo.headers).toMatchObject({ host: origin.slice("http://".length), "user-agent": "TwilioProxy/1.1", accept: "*/*" });
  });

  it("GETs over the network with the params merged into the query", async () => {
    const res = await transport.send({ method: "GET", url: "/status?a=1", params: { CallStatus: "completed" } });
    expect(res.url).toBe(`${origin}/status?a=1&CallStatus=completed`);
    expect(parseEcho(res.body)).toMatchObject({ url: "/status?a=1&CallStatus=completed", query: { a: "1", CallStatus: "completed" }, signatureValid: true });
  });

  it("times out on a server that never answers, closing the connection", async () => {
    const serverSideClosed = new Promise<void>((resolve) => (onHangClosed = resolve));
    const impatient = createTransport(origin, { timeoutMs: 50 });
    await expect(impatient.send({ method: "POST", url: "/hang", params: {} })).rejects.toThrow(`POST ${origin}/hang: no complete response within 50 ms`);
    await serverSideClosed;
    await impatient.close();
  });

  it("rejects naming the method and URL when nothing listens there", async () => {
    const closed = await listenLoopback(() => () => undefined);
    const deadUrl = `${closed.base}/x`;
    await closed.close();
    await expect(transport.send({ method: "POST", url: deadUrl, params: {} })).rejects.toThrow(`POST ${deadUrl} failed: `);
  });
});

describe("createTransport: a twilioIvr app with signature validation on", () => {
  const states: State[] = [{ name: "ENTRY", uri: "/incoming-call", isEndState: true, twimlFor: () => "<Response><Say>hello</Say></Response>" }];

  it("answers 200 with the state's TwiML to a signed in-process request", async () => {
    const transport = createTransport(buildApp(states, validatingConfig()), { authToken: AUTH_TOKEN });
    const res = await transport.send({ method: "POST", url: "/incoming-call", params: PARAMS });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/xml/);
    expect(res.body).toContain("<Say>hello</Say>");
    await transport.close();
  });

  it("accepts requests signed over its public https URL (urlFor host and scheme)", async () => {
    const app = buildApp(states, validatingConfig({ urlFor: { host: () => PUBLIC_HOST, scheme: () => "https" } }));
    const transport = createTransport(app, { authToken: AUTH_TOKEN, baseUrl: `https://${PUBLIC_HOST}` });
    expect((await transport.send({ method: "POST", url: "/incoming-call", params: PARAMS })).status).toBe(200);
    await transport.close();
  });

  it("answers 403 without the token or with another token", async () => {
    for (const options of [{}, { authToken: "some-other-token" }]) {
      const transport = createTransport(buildApp(states, validatingConfig()), options);
      const res = await transport.send({ method: "POST", url: "/incoming-call", params: PARAMS });
      expect(res.status).toBe(403);
      expect(res.body).not.toContain("hello");
      await transport.close();
    }
  });
});

describe("createTransport: bad arguments", () => {
  it("rejects a target that is neither a listener nor an http(s) URL", () => {
    expect(() => createTransport(42 as unknown as string)).toThrow(TypeError);
    expect(() => createTransport("not a url")).toThrow("target must be an absolute http(s) URL");
    expect(() => createTransport("ftp://example.com/")).toThrow("target must be an http(s) URL");
  });

  it("rejects a non-positive timeout and an empty token without echoing it", () => {
    expect(() => createTransport(echoApp(), { timeoutMs: 0 })).toThrow("timeoutMs must be a positive number");
    expect(() => createTransport(echoApp(), { authToken: "" })).toThrow("authToken must be a non-empty string");
  });

  it("rejects a URL that is neither absolute http(s) nor root-relative", async () => {
    const transport = createTransport(echoApp());
    await expect(transport.send({ method: "POST", url: "relative/path", params: {} })).rejects.toThrow(TypeError);
    await expect(transport.send({ method: "POST", url: "mailto:x@example.com", params: {} })).rejects.toThrow("must be absolute http(s)");
    await expect(transport.send({ method: "POST", url: "/with space", params: {} })).rejects.toThrow("POST http://localhost/with space failed: ");
    await transport.close();
  });
});
