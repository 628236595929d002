import { format } from "node:util";
import createDebug from "debug";
import express from "express";
import request from "supertest";
import type { Config, State } from "../../src";
import { AUTH_TOKEN, PUBLIC_HOST, buildApp, devConfig, sign, validatingConfig } from "../helpers/app";
import { listenLoopback } from "../helpers/loopback";

const HOST = "internal:8080";
const PARAMS = { CallSid: "CA0123456789abcdef", From: "+15551234567", Digits: "1" };
const FORM = new URLSearchParams(PARAMS).toString();

/** A routable end state and a normal state whose functions are spies, so tests can tell that no user code ran. */
function spiedStates(): { states: State[]; spies: jest.Mock[] } {
  const twimlFor = jest.fn(() => "<Response>signed</Response>");
  const menuTwimlFor = jest.fn(() => "<Response>menu</Response>");
  const transitionOut = jest.fn((): State => ({ isEndState: true, twimlFor }));
  const backgroundTrigger = jest.fn(() => undefined);
  return {
    states: [
      { name: "ENTRY", uri: "/path", twimlFor, backgroundTrigger },
      { name: "MENU", uri: "/menu", processTransitionUri: "/menu/choice", twimlFor: menuTwimlFor, transitionOut },
    ],
    spies: [twimlFor, menuTwimlFor, transitionOut, backgroundTrigger],
  };
}

function expectNoUserCode(spies: jest.Mock[]): void {
  for (const spy of spies) expect(spy).not.toHaveBeenCalled();
}

/** A form POST as it reaches the app at Host {@link HOST}, carrying `signature`. */
function postSigned(app: Parameters<typeof request>[0], path: string, signature: string, body: string = FORM): request.Test {
  return request(app).post(path).set("Host", HOST).set("X-Twilio-Signature", signature).type("form").send(body);
}

function expectRejected(res: request.Response): void {
  expect(res.status).toBe(403);
  expect(res.headers["content-type"]).toMatch(/^text\/plain/);
  expect(res.text.length).toBeGreaterThan(0);
  expect(res.text).not.toContain(AUTH_TOKEN);
}

describe("validate: true", () => {
  it("rejects an unsigned request with 403 plain text, and runs no user code", async () => {
    const { states, spies } = spiedStates();
    const res = await request(buildApp(states, validatingConfig())).post("/path").set("Host", HOST).type("form").send(FORM);
    expectRejected(res);
    expectNoUserCode(spies);
  });

  it("rejects an empty or garbage signature", async () => {
    const { states, spies } = spiedStates();
    const app = buildApp(states, validatingConfig());
    for (const signature of ["", "not-a-signature", sign(`http://${HOST}/path`, PARAMS).slice(1)]) {
      expectRejected(await request(app).post("/path").set("Host", HOST).set("X-Twilio-Signature", signature).type("form").send(FORM));
    }
    expectNoUserCode(spies);
  });

  it("accepts a request signed over the URL Node sees (default supertest host 127.0.0.1:<port>)", async () => {
    const { states } = spiedStates();
    const server = await listenLoopback(() => buildApp(states, validatingConfig()));
    try {
      const res = await request(server.base)
        .post("/path")
        .set("X-Twilio-Signature", sign(`http://${server.host}/path`, PARAMS))
        .type("form")
        .send(FORM);
      expect(res.status).toBe(200);
      expect(res.text).toBe("<Response>signed</Response>");
    } finally {
      await server.close();
    }
  });

  it("accepts a request signed over its Host header, and hands the state the body", async () => {
    const { states, spies } = spiedStates();
    const res = await postSigned(buildApp(states, validatingConfig()), "/path", sign(`http://${HOST}/path`, PARAMS));
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>signed</Response>");
    expect(spies[0]!.mock.calls).toStrictEqual([[expect.any(Function), PARAMS]]);
  });

  it("accepts a signed POST with no body", async () => {
    const { states } = spiedStates();
    await request(buildApp(states, validatingConfig()))
      .post("/path")
      .set("Host", HOST)
      .set("X-Twilio-Signature", sign(`http://${HOST}/path`, {}))
      .expect(200);
  });

  it("checks processTransitionUri routes too", async () => {
    const { states, spies } = spiedStates();
    const app = buildApp(states, validatingConfig());
    expectRejected(await request(app).post("/menu/choice").set("Host", HOST).type("form").send(FORM));
    expectNoUserCode(spies);
    const res = await postSigned(app, "/menu/choice", sign(`http://${HOST}/menu/choice`, PARAMS));
    expect(res.status).toBe(200);
    expect(spies[2]!.mock.calls).toStrictEqual([[PARAMS]]);
  });

  it.each([
    ["a changed value", { ...PARAMS, Digits: "9" }],
    ["an added parameter", { ...PARAMS, Extra: "1" }],
    ["a removed parameter", { CallSid: PARAMS.CallSid, From: PARAMS.From }],
  ])("rejects a signed body tampered with (%s)", async (_label, tampered) => {
    const { states, spies } = spiedStates();
    const res = await postSigned(buildApp(states, validatingConfig()), "/path", sign(`http://${HOST}/path`, PARAMS), new URLSearchParams(tampered).toString());
    expectRejected(res);
    expectNoUserCode(spies);
  });

  it("rejects a signature made for another path (no replay to another route)", async () => {
    const { states, spies } = spiedStates();
    const res = await postSigned(buildApp(states, validatingConfig()), "/menu", sign(`http://${HOST}/path`, PARAMS));
    expectRejected(res);
    expectNoUserCode(spies);
  });

  it("rejects a signature made with another auth token", async () => {
    const { states } = spiedStates();
    const res = await postSigned(buildApp(states, validatingConfig()), "/path", sign(`http://${HOST}/path`, PARAMS, "some-other-token"));
    expectRejected(res);
  });

  it("treats the query string as part of what is signed", async () => {
    const { states, spies } = spiedStates();
    const app = buildApp(states, validatingConfig());
    const signature = sign(`http://${HOST}/path?attempt=1`, PARAMS);
    const post = (path: string): request.Test =>
      request(app).post(path).set("Host", HOST).set("X-Twilio-Signature", signature).type("form").send(FORM);
    expect((await post("/path?attempt=1")).status).toBe(200);
    expectRejected(await post("/path?attempt=2"));
    expectRejected(await post("/path"));
    expect(spies[0]).toHaveBeenCalledTimes(1);
  });

  it("rejects a request whose Host differs from the signed host when it is not the public host either", async () => {
    const { states } = spiedStates();
    const res = await request(buildApp(states, validatingConfig()))
      .post("/path")
      .set("Host", "attacker.example")
      .set("X-Twilio-Signature", sign(`http://${HOST}/path`, PARAMS))
      .type("form")
      .send(FORM);
    expectRejected(res);
  });

  it.each(["exa mple", "[::1", "a:b:c", "%%%", "@@", "x/y"])("does not crash on the garbage Host header %j", async (host) => {
    const { states, spies } = spiedStates();
    const app = buildApp(states, validatingConfig());
    const post = (signature?: string): request.Test => {
      const req = request(app).post("/path").set("Host", host).type("form");
      return (signature === undefined ? req : req.set("X-Twilio-Signature", signature)).send(FORM);
    };
    expectRejected(await post());
    expectRejected(await post(sign(`http://${PUBLIC_HOST}/other`, PARAMS)));
    expectNoUserCode(spies);
    // The public URL (urlFor.host, scheme from req.protocol) still validates whatever the Host header says.
    const res = await post(sign(`http://${PUBLIC_HOST}/path`, PARAMS));
    expect(res.status).toBe(200);
  });
});

/** Runs `work` with the library's log lines collected (all levels), and returns them. */
async function collectLogs(work: () => Promise<void>): Promise<string[]> {
  const logs: string[] = [];
  const previousNamespaces = createDebug.disable();
  const previousLog = createDebug.log;
  createDebug.log = (...args: unknown[]) => {
    logs.push(format(...args));
  };
  createDebug.enable("twilio-interactive-flow:*");
  try {
    await work();
    return logs;
  } finally {
    createDebug.log = previousLog;
    createDebug.disable();
    if (previousNamespaces !== "") createDebug.enable(previousNamespaces);
  }
}

describe("logging", () => {
  it("never logs the auth token or a signature, accepted or rejected", async () => {
    const good = sign(`http://${HOST}/path`, PARAMS);
    const bad = sign(`http://${HOST}/elsewhere`, PARAMS);
    const logs = await collectLogs(async () => {
      const { states } = spiedStates();
      const app = buildApp(states, validatingConfig());
      await request(app).post("/path").set("Host", HOST).set("X-Twilio-Signature", bad).type("form").send(FORM).expect(403);
      await request(app).post("/path").set("Host", HOST).set("X-Twilio-Signature", good).type("form").send(FORM).expect(200);
    });
    expect(logs.length).toBeGreaterThan(0);
    const all = logs.join("\n");
    for (const secret of [AUTH_TOKEN, good, bad]) expect(all).not.toContain(secret);
  });
});

describe("behind a TLS-terminating proxy", () => {
  // Node sees plain http and an internal Host; Twilio called (and signed) the public https URL.
  const publicUrlFor: Config["urlFor"] = { host: () => "public.example", scheme: () => "https" };
  const signature = sign("https://public.example/path", PARAMS);

  /** A request as it reaches Node behind the proxy: internal Host, plain http, Twilio's signature. */
  function viaProxy(app: Parameters<typeof request>[0], path = "/path", sig = signature): request.Test {
    return request(app).post(path).set("Host", "internal:3000").set("X-Twilio-Signature", sig).type("form").send(FORM);
  }

  it("accepts a signature over the public URL built from urlFor.host and urlFor.scheme", async () => {
    const { states } = spiedStates();
    const res = await viaProxy(buildApp(states, validatingConfig({ urlFor: publicUrlFor })));
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>signed</Response>");
  });

  it("rejects the same signature when urlFor does not describe that public URL", async () => {
    const { states, spies } = spiedStates();
    const res = await viaProxy(buildApp(states, validatingConfig()));
    expectRejected(res);
    expectNoUserCode(spies);
  });

  it("rejects it when only the host matches (scheme falls back to req.protocol, http)", async () => {
    const { states } = spiedStates();
    const res = await viaProxy(buildApp(states, validatingConfig({ urlFor: { host: () => "public.example" } })));
    expectRejected(res);
  });

  it("still accepts a signature over the URL Node sees", async () => {
    const { states } = spiedStates();
    await viaProxy(buildApp(states, validatingConfig({ urlFor: publicUrlFor })), "/path", sign("http://internal:3000/path", PARAMS))
      .expect(200);
  });

  it("does not turn a public-URL signature for one path into a pass for another", async () => {
    const { states, spies } = spiedStates();
    const res = await viaProxy(buildApp(states, validatingConfig({ urlFor: publicUrlFor })), "/menu");
    expectRejected(res);
    expectNoUserCode(spies);
  });

  it("rejects (403, no crash) when urlFor.host throws", async () => {
    const { states } = spiedStates();
    const throwingHost: Config["urlFor"] = {
      host: () => {
        throw new Error("no host");
      },
    };
    let res: request.Response | undefined;
    const logs = await collectLogs(async () => {
      res = await viaProxy(buildApp(states, validatingConfig({ urlFor: throwingHost })));
    });
    expectRejected(res as request.Response);
    // Said once, though the rejection's explanation lists the URLs checked too.
    expect(logs.filter((line) => line.includes("urlFor.host/scheme threw"))).toHaveLength(1);
  });
});

describe("mounted with outer.use(prefix, app)", () => {
  function mounted(): { outer: express.Express; spies: jest.Mock[] } {
    const { states, spies } = spiedStates();
    const outer = express();
    outer.use("/prefix", buildApp(states, validatingConfig()));
    return { outer, spies };
  }

  it("validates against originalUrl, prefix included", async () => {
    const { outer } = mounted();
    const res = await postSigned(outer, "/prefix/path", sign(`http://${HOST}/prefix/path`, PARAMS));
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response>signed</Response>");
  });

  it("rejects a signature over the path without the prefix", async () => {
    const { outer, spies } = mounted();
    const res = await postSigned(outer, "/prefix/path", sign(`http://${HOST}/path`, PARAMS));
    expectRejected(res);
    expectNoUserCode(spies);
  });
});

describe("validate: false", () => {
  it("accepts unsigned requests", async () => {
    const { states, spies } = spiedStates();
    const res = await request(buildApp(states, devConfig())).post("/path").type("form").send(FORM);
    expect(res.status).toBe(200);
    expect(spies[0]!.mock.calls).toStrictEqual([[expect.any(Function), PARAMS]]);
  });

  it("ignores a wrong signature", async () => {
    const { states } = spiedStates();
    await request(buildApp(states, { ...devConfig(), twilio: { authToken: AUTH_TOKEN, validate: false } }))
      .post("/path")
      .set("X-Twilio-Signature", "wrong")
      .type("form")
      .send(FORM)
      .expect(200);
  });
});

describe("the hold-music endpoint", () => {
  function holdMusicApp(validate: boolean): { app: express.Express; holdTwimlFor: jest.Mock } {
    const holdTwimlFor = jest.fn(() => "<Response><Play>music</Play></Response>");
    const base = validate ? validatingConfig() : devConfig();
    const app = buildApp([], {
      ...base,
      staticFiles: {
        fingerprintUrl: (url: string) => `${url}?v=abc`,
        mountPath: "/static",
        holdMusic: { fileRelativeUri: "hold.mp3", twimlFor: holdTwimlFor },
      },
    });
    return { app, holdTwimlFor };
  }

  it("rejects an unsigned GET with 403 when validating, and runs no user code", async () => {
    const { app, holdTwimlFor } = holdMusicApp(true);
    expectRejected(await request(app).get("/static/hold-music").set("Host", HOST));
    expect(holdTwimlFor).not.toHaveBeenCalled();
  });

  it("answers a signed GET", async () => {
    const { app, holdTwimlFor } = holdMusicApp(true);
    const res = await request(app).get("/static/hold-music").set("Host", HOST).set("X-Twilio-Signature", sign(`http://${HOST}/static/hold-music`));
    expect(res.status).toBe(200);
    expect(res.text).toBe("<Response><Play>music</Play></Response>");
    expect(holdTwimlFor).toHaveBeenCalledTimes(1);
  });

  it("rejects a GET signed for another path", async () => {
    const { app } = holdMusicApp(true);
    expectRejected(
      await request(app).get("/static/hold-music").set("Host", HOST).set("X-Twilio-Signature", sign(`http://${HOST}/static/other`)),
    );
  });

  it("checks POSTs (Twilio's default waitUrlMethod) with their body", async () => {
    const { app, holdTwimlFor } = holdMusicApp(true);
    const post = (signature: string): request.Test =>
      request(app).post("/static/hold-music").set("Host", HOST).set("X-Twilio-Signature", signature).type("form").send(FORM);
    expectRejected(await post(sign(`http://${HOST}/static/hold-music`, { ...PARAMS, Digits: "2" })));
    expect(holdTwimlFor).not.toHaveBeenCalled();
    expect((await post(sign(`http://${HOST}/static/hold-music`, PARAMS))).status).toBe(200);
  });

  it("needs no signature when not validating", async () => {
    const { app } = holdMusicApp(false);
    await request(app).get("/static/hold-music").expect(200);
  });
});
