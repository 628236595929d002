// redirectCall against twilio's real REST client, whose HTTP layer is swapped for a recorder
// (twilio's own `httpClient` option): no network, but the request twilio would send is checked
// as twilio builds it. The urlFor it is given comes from a real app answering a real request.
import path from "node:path";
import request from "supertest";
import twilio from "twilio";
import twilioIvr, { MemoryStore, redirectCall } from "../../src";
import type { CallSession, Config, InputData, State, StaticFilesConfig, UrlFor } from "../../src";

const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN = "redirect-test-token-5d1e0c7b";
const CALL_SID = "CAfedcba9876543210fedcba9876543210";
const HOST = "ivr.example.com";
const FIXTURES = path.join(__dirname, "..", "fixtures", "static");

type RequestClient = twilio.RequestClient;
/** What twilio hands its httpClient for one request. */
type RequestOptions = Parameters<RequestClient["request"]>[0];
type HttpResponse = { statusCode: number; body: unknown; headers: Record<string, string> };

/** A call resource as Twilio's REST API returns it (the fields twilio's CallInstance reads). */
function callResource(sid: string): Record<string, unknown> {
  return {
    sid,
    account_sid: ACCOUNT_SID,
    status: "in-progress",
    direction: "inbound",
    from: "+15005550006",
    to: "+15005550001",
    api_version: "2010-04-01",
    date_created: "Tue, 01 Dec 2026 22:00:00 +0000",
    date_updated: "Tue, 01 Dec 2026 22:01:00 +0000",
    start_time: "Tue, 01 Dec 2026 22:00:01 +0000",
    end_time: null,
    uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${sid}.json`,
  };
}

/** twilio's client with a recording httpClient; `respond` decides each response (default: 200 with the call). */
function recordingTwilio(respond: (opts: RequestOptions) => Promise<HttpResponse> = (opts) => {
  const sid = /Calls\/([^/]+)\.json$/.exec(opts.uri)?.[1] ?? "";
  return Promise.resolve({ statusCode: 200, body: callResource(sid), headers: {} });
}): { client: ReturnType<typeof twilio>; requests: RequestOptions[] } {
  const requests: RequestOptions[] = [];
  const httpClient = {
    request(opts: RequestOptions): Promise<HttpResponse> {
      requests.push(opts);
      return respond(opts);
    },
  };
  return { client: twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: httpClient as unknown as RequestClient }), requests };
}

const weatherReport: State = { name: "weather-report", uri: "/weather-report", isEndState: true, twimlFor: () => "<Response><Say>Sunny.</Say></Response>" };
const noUri: State = { name: "no-route", isEndState: true, twimlFor: () => "<Response/>" };

/**
 * Answers one real request to a real app and returns the `urlFor` its state was given (and the app's
 * view of a static file, to show the fingerprinter is live).
 */
async function urlForFromApp(config: Partial<Config>): Promise<UrlFor> {
  let captured: UrlFor | undefined;
  const hold: State = {
    name: "hold",
    uri: "/hold",
    isEndState: true,
    twimlFor: (urlFor) => {
      captured = urlFor;
      return "<Response><Pause length=\"5\"/></Response>";
    },
  };
  const app = twilioIvr([hold, weatherReport], {
    twilio: { authToken: "", validate: false },
    urlFor: { host: () => HOST, scheme: () => "https" },
    ...config,
  });
  await request(app).post("/hold").type("form").send({ CallSid: CALL_SID }).expect(200);
  if (captured === undefined) throw new Error("the state was not rendered");
  return captured;
}

function form(opts: RequestOptions | undefined): Record<string, unknown> {
  return opts?.data as Record<string, unknown>;
}

describe("redirectCall: the request twilio sends", () => {
  let urlFor: UrlFor;
  beforeAll(async () => {
    urlFor = await urlForFromApp({});
  });

  it("POSTs Url (the state's uri, absolute) and Method=POST to the call's resource, and resolves with twilio's call instance", async () => {
    const { client, requests } = recordingTwilio();
    const result = await redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor });
    expect(requests).toHaveLength(1);
    const sent = requests[0]!;
    expect(sent.method).toBe("post");
    expect(sent.uri).toBe(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json`);
    expect(form(sent)).toEqual({ Url: `https://${HOST}/weather-report`, Method: "POST" });
    expect(sent.username).toBe(ACCOUNT_SID);
    expect(result).toMatchObject({ sid: CALL_SID, accountSid: ACCOUNT_SID, status: "in-progress" });
    // twilio's CallInstance, with its methods, not the raw JSON.
    expect((result as { update?: unknown }).update).toEqual(expect.any(Function));
  });

  it("accepts a root-relative path string instead of a state", async () => {
    const { client, requests } = recordingTwilio();
    await redirectCall({ client, callSid: CALL_SID, to: "/weather-ready", urlFor });
    expect(form(requests[0])).toEqual({ Url: `https://${HOST}/weather-ready`, Method: "POST" });
  });

  it("keeps a query string in the path", async () => {
    const { client, requests } = recordingTwilio();
    await redirectCall({ client, callSid: CALL_SID, to: "/weather-ready?attempt=2", urlFor });
    expect(form(requests[0])?.Url).toBe(`https://${HOST}/weather-ready?attempt=2`);
  });

  it("builds the URL with the app's urlFor config: host from config, scheme from the request when no scheme is configured", async () => {
    const plain = await urlForFromApp({ urlFor: { host: () => "calls.example.org:8443" } });
    const { client, requests } = recordingTwilio();
    await redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor: plain });
    // supertest speaks plain http, so req.protocol is "http".
    expect(form(requests[0])?.Url).toBe("http://calls.example.org:8443/weather-report");
  });

  it("sends each call to its own resource", async () => {
    const { client, requests } = recordingTwilio();
    const other = "CA00000000000000000000000000000001";
    await Promise.all([
      redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor }),
      redirectCall({ client, callSid: other, to: "/elsewhere", urlFor }),
    ]);
    const byUri = Object.fromEntries(requests.map((r) => [r.uri, form(r).Url]));
    expect(byUri).toEqual({
      [`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json`]: `https://${HOST}/weather-report`,
      [`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${other}.json`]: `https://${HOST}/elsewhere`,
    });
  });
});

describe("redirectCall: never fingerprinted, even with static files configured", () => {
  it.each<[string, StaticFilesConfig]>([
    ["fingerprintUrl", { fingerprintUrl: (url) => `${url}?v=fp123` }],
    ["a static directory", { path: FIXTURES }],
  ])("with staticFiles from %s", async (_what, staticFiles) => {
    const urlFor = await urlForFromApp({ staticFiles });
    // The fingerprinter is live: urlFor fingerprints a static file by default.
    expect(urlFor("/intro.mp3")).toMatch(/^\/intro\.mp3\?v=/);
    const { client, requests } = recordingTwilio();
    await redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor });
    // A path that is also a static file stays unfingerprinted too.
    await redirectCall({ client, callSid: CALL_SID, to: "/intro.mp3", urlFor });
    expect(requests.map((r) => form(r).Url)).toEqual([`https://${HOST}/weather-report`, `https://${HOST}/intro.mp3`]);
  });
});

describe("redirectCall from a backgroundTrigger, as documented", () => {
  it("moves the call with session.callSid once the work is done", async () => {
    const store = new MemoryStore();
    const { client, requests } = recordingTwilio();
    let redirected: Promise<unknown> | undefined;
    const lookup: State = {
      name: "lookup",
      uri: "/lookup",
      isEndState: true,
      twimlFor: () => "<Response><Say>One moment.</Say><Pause length=\"10\"/></Response>",
      backgroundTrigger: (urlFor: UrlFor, _input: InputData | undefined, session?: CallSession) => {
        redirected = (async () => {
          await session!.set("weather", "sunny");
          return redirectCall({ client, callSid: session!.callSid, to: weatherReport, urlFor });
        })();
      },
    };
    const app = twilioIvr([lookup, weatherReport], {
      twilio: { authToken: "", validate: false },
      urlFor: { host: () => HOST, scheme: () => "https" },
      staticFiles: { fingerprintUrl: (url) => `${url}?v=fp` },
      sessions: { store },
    });
    try {
      await request(app).post("/lookup").type("form").send({ CallSid: CALL_SID }).expect(200);
      await redirected;
      expect(requests.map((r) => [r.uri, form(r)])).toEqual([
        [`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json`, { Url: `https://${HOST}/weather-report`, Method: "POST" }],
      ]);
      expect((await store.get(CALL_SID))?.fields).toEqual({ weather: '"sunny"' });
    } finally {
      await store.close();
    }
  });
});

describe("redirectCall: errors", () => {
  let urlFor: UrlFor;
  beforeAll(async () => {
    urlFor = await urlForFromApp({});
  });

  it("a state without a uri rejects with a TypeError naming the state, and sends nothing", async () => {
    const { client, requests } = recordingTwilio();
    const call = redirectCall({ client, callSid: CALL_SID, to: noUri, urlFor });
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow('redirectCall: state "no-route" has no `uri`');
    await expect(redirectCall({ client, callSid: CALL_SID, to: { name: "" }, urlFor })).rejects.toThrow(/state "unnamed state" has no `uri`/);
    expect(requests).toEqual([]);
  });

  it.each([undefined, "", 42, null])("callSid %p rejects with a TypeError, and sends nothing", async (callSid) => {
    const { client, requests } = recordingTwilio();
    const call = redirectCall({ client, callSid: callSid as unknown as string, to: weatherReport, urlFor });
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow(/redirectCall: callSid must be the call's CallSid/);
    expect(requests).toEqual([]);
  });

  it.each(["weather-report", "", "https://elsewhere.example.com/hijack", " /weather-report"])("path %p (no leading slash) rejects with a TypeError", async (to) => {
    const { client, requests } = recordingTwilio();
    const call = redirectCall({ client, callSid: CALL_SID, to, urlFor });
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow(`redirectCall: the path must start with "/", got ${JSON.stringify(to)}`);
    expect(requests).toEqual([]);
  });

  it("a state whose uri does not start with / rejects like a bad path", async () => {
    const { client } = recordingTwilio();
    await expect(redirectCall({ client, callSid: CALL_SID, to: { name: "odd", uri: "odd" }, urlFor })).rejects.toThrow(/must start with "\/"/);
  });

  it.each([undefined, "https://ivr.example.com", {}])("urlFor %p (not a function) rejects with a TypeError", async (bad) => {
    const { client, requests } = recordingTwilio();
    const call = redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor: bad as unknown as UrlFor });
    await expect(call).rejects.toThrow(TypeError);
    await expect(call).rejects.toThrow("redirectCall: urlFor must be the urlFor function your state was given");
    expect(requests).toEqual([]);
  });

  it("a REST failure rejects with twilio's RestException, passed through", async () => {
    const body = {
      code: 20404,
      message: `The requested resource /2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${CALL_SID}.json was not found`,
      more_info: "https://www.twilio.com/docs/errors/20404",
      status: 404,
    };
    const { client, requests } = recordingTwilio(() => Promise.resolve({ statusCode: 404, body, headers: {} }));
    let thrown: unknown;
    try {
      await redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor });
    } catch (err) {
      thrown = err;
    }
    expect(requests).toHaveLength(1);
    expect(thrown).toBeInstanceOf(twilio.RestException);
    expect(thrown).toMatchObject({ status: 404, code: 20404, message: body.message, moreInfo: body.more_info });
  });

  it("a call that is no longer in progress (Twilio's 21220) is passed through too", async () => {
    const body = { code: 21220, message: "Call is not in-progress. Cannot redirect.", more_info: "https://www.twilio.com/docs/errors/21220", status: 400 };
    const { client } = recordingTwilio(() => Promise.resolve({ statusCode: 400, body: JSON.stringify(body), headers: {} }));
    await expect(redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor })).rejects.toMatchObject({ status: 400, code: 21220 });
  });

  it("an error of the HTTP layer itself reaches the caller unchanged", async () => {
    const failure = Object.assign(new Error("connect ETIMEDOUT 54.172.60.0:443"), { code: "ETIMEDOUT" });
    const { client } = recordingTwilio(() => Promise.reject(failure));
    await expect(redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor })).rejects.toBe(failure);
  });

  it("an error thrown by urlFor reaches the caller unchanged, before anything is sent", async () => {
    const { client, requests } = recordingTwilio();
    const failure = new Error("no host configured");
    const throwing: UrlFor = () => {
      throw failure;
    };
    await expect(redirectCall({ client, callSid: CALL_SID, to: weatherReport, urlFor: throwing })).rejects.toBe(failure);
    expect(requests).toEqual([]);
  });
});

describe("redirectCall and path patterns", () => {
  it("rejects a state whose uri is an Express pattern, which Twilio would request literally", async () => {
    const client = { calls: jest.fn() };
    const urlFor = (path: string): string => `https://ivr.example.com${path}`;
    await expect(redirectCall({ client, callSid: "CA1", to: { name: "CALL_BY_ID", uri: "/calls/:id" }, urlFor })).rejects.toThrow(
      /"\/calls\/:id" is an Express path pattern; pass the concrete path/,
    );
    expect(client.calls).not.toHaveBeenCalled();
  });
});
