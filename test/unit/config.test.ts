import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import twilioIvr from "../../src";
import { configError } from "../helpers/errors";
import type { Config, State } from "../../src";
import { AUTH_TOKEN, PUBLIC_HOST, endState } from "../helpers/app";

const states: State[] = [{ ...endState("ENTRY"), uri: "/entry" }];
const host = (): string => PUBLIC_HOST;
const dev = { twilio: { authToken: "", validate: false }, urlFor: { host } } satisfies Config;


let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ivr-config-test-"));
  fs.writeFileSync(path.join(tmp, "hold.mp3"), "not really an mp3");
  fs.mkdirSync(path.join(tmp, "audio"));
  fs.writeFileSync(path.join(tmp, "audio", "intro.mp3"), "intro");
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("config: the whole object", () => {
  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a string", "config"],
  ])("rejects a config that is %s", (_label, config) => {
    // @ts-expect-error config must be an object
    const error = configError(() => twilioIvr(states, config), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config must be an object/);
  });

  it("accepts the minimal development config", () => {
    expect(typeof twilioIvr(states, dev)).toBe("function");
  });
});

describe("config.twilio", () => {
  it("is required", () => {
    // @ts-expect-error twilio is required
    const error = configError(() => twilioIvr(states, { urlFor: { host } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.twilio /);
  });

  it("must be an object, and a token passed in its place is not echoed", () => {
    const token = "tok_passed_as_the_twilio_object_0123";
    // @ts-expect-error twilio must be an object
    const error = configError(() => twilioIvr(states, { twilio: token, urlFor: { host } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.twilio /);
    expect(error.message).not.toContain(token);
  });

  it("requires authToken", () => {
    // @ts-expect-error authToken is required
    const error = configError(() => twilioIvr(states, { twilio: { validate: false }, urlFor: { host } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.twilio\.authToken /);
  });

  it.each([
    ["a number", 987654321, "987654321"],
    ["an object", { secret: "sk_live_SUPERSECRET_VALUE" }, "SUPERSECRET"],
    ["a list holding a non-string (lists are for rotation)", [{ secret: "sk_live_ARRAY_SECRET" }], "ARRAY_SECRET"],
    ["a boolean", true, "true"],
  ])("rejects an authToken that is %s without echoing its value", (_label, authToken, secret) => {
    // @ts-expect-error authToken must be a string
    const error = configError(() => twilioIvr(states, { twilio: { authToken }, urlFor: { host } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.twilio\.authToken(\[0\])? /);
    expect(error.message).toMatch(/string/);
    expect(error.message).not.toContain(secret);
  });

  it('rejects authToken "" while validating (the default)', () => {
    const error = configError(() => twilioIvr(states, { twilio: { authToken: "" }, urlFor: { host } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.twilio\.authToken /);
    expect(error.message).toContain("validate");
  });

  it('rejects authToken "" with validate: true', () => {
    const config: Config = { twilio: { authToken: "", validate: true }, urlFor: { host } };
    const error = configError(() => twilioIvr(states, config), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.twilio\.authToken /);
  });

  it('accepts authToken "" with validate: false, and a real token with validate on', () => {
    expect(typeof twilioIvr(states, { twilio: { authToken: "", validate: false }, urlFor: { host } })).toBe("function");
    expect(typeof twilioIvr(states, { twilio: { authToken: AUTH_TOKEN }, urlFor: { host } })).toBe("function");
    expect(typeof twilioIvr(states, { twilio: { authToken: AUTH_TOKEN, validate: undefined }, urlFor: { host } })).toBe("function");
  });

  it.each([
    ["a string", "false"],
    ["a number", 0],
  ])("rejects validate that is %s, without echoing the token", (_label, validate) => {
    // @ts-expect-error validate must be a boolean
    const error = configError(() => twilioIvr(states, { twilio: { authToken: AUTH_TOKEN, validate }, urlFor: { host } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.twilio\.validate /);
    expect(error.message).toMatch(/boolean/);
    expect(error.message).not.toContain(AUTH_TOKEN);
  });
});

describe("config.urlFor", () => {
  it("is required", () => {
    // @ts-expect-error urlFor is required
    const error = configError(() => twilioIvr(states, { twilio: dev.twilio }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.urlFor /);
  });

  it("requires host", () => {
    // @ts-expect-error host is required
    const error = configError(() => twilioIvr(states, { twilio: dev.twilio, urlFor: {} }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.urlFor\.host /);
  });

  it("requires host to be a function, and says what it got", () => {
    // @ts-expect-error host must be a function
    const error = configError(() => twilioIvr(states, { twilio: dev.twilio, urlFor: { host: PUBLIC_HOST } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.urlFor\.host .*function/);
    expect(error.message).toContain(`"${PUBLIC_HOST}"`);
  });

  it("requires scheme, when given, to be a function", () => {
    // @ts-expect-error scheme must be a function
    const error = configError(() => twilioIvr(states, { twilio: dev.twilio, urlFor: { host, scheme: "https" } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.urlFor\.scheme .*function/);
  });

  it("accepts a scheme function", () => {
    expect(typeof twilioIvr(states, { twilio: dev.twilio, urlFor: { host, scheme: () => "https" } })).toBe("function");
  });
});

describe("config.staticFiles", () => {
  const fingerprintUrl = (url: string): string => `${url}?v=1`;
  const withStatic = (staticFiles: unknown): Config => ({ ...dev, staticFiles: staticFiles as Config["staticFiles"] });

  it("rejects both path and fingerprintUrl", () => {
    const error = configError(
      // @ts-expect-error path and fingerprintUrl exclude each other
      () => twilioIvr(states, { ...dev, staticFiles: { path: tmp, fingerprintUrl } }),
      "ERR_IVR_CONFIG_INVALID",
    );
    expect(error.message).toMatch(/^config\.staticFiles .*`path`.*`fingerprintUrl`.*both/);
  });

  it("rejects neither path nor fingerprintUrl", () => {
    const error = configError(
      // @ts-expect-error one of path or fingerprintUrl is required
      () => twilioIvr(states, { ...dev, staticFiles: { mountPath: "/static" } }),
      "ERR_IVR_CONFIG_INVALID",
    );
    expect(error.message).toMatch(/^config\.staticFiles .*neither/);
  });

  it("rejects a staticFiles that is not an object", () => {
    // @ts-expect-error staticFiles must be an object
    const error = configError(() => twilioIvr(states, { ...dev, staticFiles: tmp }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles /);
  });

  it.each(["static", "./static", "static/"])("rejects the relative path %j", (relative) => {
    const error = configError(() => twilioIvr(states, withStatic({ path: relative })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.path .*absolute/);
    expect(error.message).toContain(JSON.stringify(relative));
  });

  it("rejects a path that is not a string", () => {
    // @ts-expect-error path must be a string
    const error = configError(() => twilioIvr(states, { ...dev, staticFiles: { path: 42 } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.path /);
  });

  it("rejects a path that does not exist, naming it", () => {
    const missing = path.join(tmp, "no-such-dir");
    const error = configError(() => twilioIvr(states, withStatic({ path: missing })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.path /);
    expect(error.message).toContain(missing);
    expect(error.message).toMatch(/does not exist/);
  });

  it("rejects a path that is a file, not a directory", () => {
    const file = path.join(tmp, "hold.mp3");
    const error = configError(() => twilioIvr(states, withStatic({ path: file })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/not a directory/);
  });

  it("rejects a fingerprintUrl that is not a function", () => {
    // @ts-expect-error fingerprintUrl must be a function
    const error = configError(() => twilioIvr(states, { ...dev, staticFiles: { fingerprintUrl: "v1" } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.fingerprintUrl .*function/);
  });

  it.each(["static", "static/", "", 5])("rejects mountPath %j", (mountPath) => {
    const error = configError(() => twilioIvr(states, withStatic({ fingerprintUrl, mountPath })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.mountPath .*"\/"/);
  });

  it("rejects a middleware that is not a function", () => {
    // @ts-expect-error middleware must be a function
    const error = configError(() => twilioIvr(states, { ...dev, staticFiles: { fingerprintUrl, middleware: "serve" } }), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.middleware .*function/);
  });

  it.each([
    ["path", () => ({ path: tmp })],
    ["path with a trailing slash", () => ({ path: `${tmp}/` })],
    ["path with mountPath", () => ({ path: tmp, mountPath: "/static" })],
    ["path with mountPath /", () => ({ path: tmp, mountPath: "/" })],
    ["fingerprintUrl with mountPath and trailing slash", () => ({ fingerprintUrl, mountPath: "/static/" })],
  ])("accepts %s", (_label, staticFiles) => {
    expect(typeof twilioIvr(states, withStatic(staticFiles()))).toBe("function");
  });
});

describe("config.staticFiles.holdMusic", () => {
  const fingerprintUrl = (url: string): string => `${url}?v=1`;
  const withHoldMusic = (holdMusic: unknown, rest: Record<string, unknown> = { fingerprintUrl }): Config => ({
    ...dev,
    staticFiles: { ...rest, holdMusic } as Config["staticFiles"],
  });

  it("requires fileRelativeUri", () => {
    const error = configError(
      // @ts-expect-error fileRelativeUri is required
      () => twilioIvr(states, { ...dev, staticFiles: { fingerprintUrl, holdMusic: { endpoint: "/music" } } }),
      "ERR_IVR_CONFIG_INVALID",
    );
    expect(error.message).toMatch(/^config\.staticFiles\.holdMusic\.fileRelativeUri /);
  });

  it.each(["", "./", "/"])("rejects fileRelativeUri %j, which names no file", (fileRelativeUri) => {
    const error = configError(() => twilioIvr(states, withHoldMusic({ fileRelativeUri })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.holdMusic\.fileRelativeUri /);
  });

  it("rejects a holdMusic that is not an object", () => {
    const error = configError(() => twilioIvr(states, withHoldMusic("hold.mp3")), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.holdMusic /);
  });

  it.each(["hold-music", "", 42])("rejects endpoint %j", (endpoint) => {
    const error = configError(() => twilioIvr(states, withHoldMusic({ fileRelativeUri: "hold.mp3", endpoint })), "ERR_IVR_CONFIG_INVALID");
    expect(error.message).toMatch(/^config\.staticFiles\.holdMusic\.endpoint .*"\/"/);
  });

  it("rejects a twimlFor that is not a function", () => {
    const error = configError(
      () => twilioIvr(states, withHoldMusic({ fileRelativeUri: "hold.mp3", twimlFor: "<Response/>" })),
      "ERR_IVR_CONFIG_INVALID",
    );
    expect(error.message).toMatch(/^config\.staticFiles\.holdMusic\.twimlFor .*function/);
  });

  it("rejects a music file missing from staticFiles.path, naming the file and the directory", () => {
    const error = configError(
      () => twilioIvr(states, withHoldMusic({ fileRelativeUri: "missing.mp3" }, { path: tmp, mountPath: "/static" })),
      "ERR_IVR_CONFIG_INVALID",
    );
    expect(error.message).toMatch(/^config\.staticFiles\.holdMusic\.fileRelativeUri/);
    expect(error.message).toContain("missing.mp3");
    expect(error.message).toContain(tmp);
  });

  it("rejects a music file that exists only outside the directory", () => {
    const inner = fs.mkdtempSync(path.join(tmp, "inner-"));
    const error = configError(
      () => twilioIvr(states, withHoldMusic({ fileRelativeUri: "hold.mp3" }, { path: inner })),
      "ERR_IVR_CONFIG_INVALID",
    );
    expect(error.message).toContain("hold.mp3");
  });

  it.each([
    ["hold.mp3", {}],
    ["./hold.mp3", { mountPath: "/static" }],
    ["audio/intro.mp3", { mountPath: "/static/" }],
  ])("accepts fileRelativeUri %j present in the directory (%j)", (fileRelativeUri, extra) => {
    expect(typeof twilioIvr(states, withHoldMusic({ fileRelativeUri }, { path: tmp, ...extra }))).toBe("function");
  });

  it("does not look for the music file on disk with a custom fingerprintUrl", () => {
    expect(typeof twilioIvr(states, withHoldMusic({ fileRelativeUri: "not-on-disk.mp3", endpoint: "/music/" }))).toBe("function");
  });
});

describe("unknown config keys", () => {
  let emitWarning: jest.SpiedFunction<typeof process.emitWarning>;
  beforeEach(() => {
    emitWarning = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  });
  afterEach(() => {
    emitWarning.mockRestore();
  });

  const messages = (): string[] => emitWarning.mock.calls.map((call) => String(call[0]));

  it("warns about staticFiles.mountpath with a did-you-mean, and still builds the app", () => {
    const config: Config = {
      ...dev,
      // @ts-expect-error mountpath is a typo of mountPath
      staticFiles: { fingerprintUrl: (url: string) => url, mountpath: "/static" },
    };
    expect(typeof twilioIvr(states, config)).toBe("function");
    expect(messages()).toHaveLength(1);
    expect(messages()[0]).toContain("config.staticFiles.mountpath");
    expect(messages()[0]).toContain("did you mean `mountPath`?");
  });

  it.each([
    ["config", { ...dev, staticfiles: {} }, "config.staticfiles", "staticFiles"],
    ["config.twilio", { ...dev, twilio: { authToken: "", validate: false, valdate: true } }, "config.twilio.valdate", "validate"],
    ["config.urlFor", { ...dev, urlFor: { host, schema: () => "https" } }, "config.urlFor.schema", "scheme"],
    [
      "config.staticFiles.holdMusic",
      { ...dev, staticFiles: { fingerprintUrl: (u: string) => u, holdMusic: { fileRelativeUri: "x.mp3", endPoint: "/m" } } },
      "config.staticFiles.holdMusic.endPoint",
      "endpoint",
    ],
  ])("warns about a typo in %s", (_where, config, keyPath, suggestion) => {
    expect(typeof twilioIvr(states, config as Config)).toBe("function");
    expect(messages()).toHaveLength(1);
    expect(messages()[0]).toContain(keyPath);
    expect(messages()[0]).toContain(`did you mean \`${suggestion}\`?`);
  });

  it("lists the known keys when nothing is close", () => {
    const config = { ...dev, telemetry: { enabled: true } };
    expect(typeof twilioIvr(states, config as Config)).toBe("function");
    expect(messages()).toHaveLength(1);
    expect(messages()[0]).toContain("config.telemetry");
    expect(messages()[0]).not.toContain("did you mean");
    for (const key of ["twilio", "urlFor", "staticFiles"]) expect(messages()[0]).toContain(key);
  });

  it("does not warn when every known key is used", () => {
    const full: Config[] = [
      {
        twilio: { authToken: AUTH_TOKEN, validate: true },
        urlFor: { host, scheme: () => "https" },
        staticFiles: {
          fingerprintUrl: (url: string) => url,
          mountPath: "/static",
          middleware: (_req, _res, next) => {
            next();
          },
          holdMusic: { fileRelativeUri: "hold.mp3", endpoint: "/music", twimlFor: () => "<Response/>" },
        },
      },
      { ...dev, staticFiles: { path: tmp, holdMusic: { fileRelativeUri: "hold.mp3" } } },
    ];
    for (const config of full) expect(typeof twilioIvr(states, config)).toBe("function");
    expect(emitWarning).not.toHaveBeenCalled();
  });

  it("never warns about extra properties on states", () => {
    const withData = { ...endState("DATA"), uri: "/data", prompt: "Welcome", retries: 3, meta: { owner: "ops" } };
    expect(typeof twilioIvr([withData], dev)).toBe("function");
    expect(emitWarning).not.toHaveBeenCalled();
  });
});

describe("validation off in production", () => {
  const originalEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = originalEnv;
    jest.restoreAllMocks();
  });

  it.each([
    ["production", false, 1],
    ["production", true, 0],
    ["development", false, 0],
  ] as const)("NODE_ENV=%s, validate %s: %d warning(s)", (env, validate, warnings) => {
    process.env.NODE_ENV = env;
    const emit = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const twilio = validate ? { authToken: AUTH_TOKEN } : { authToken: "", validate: false };
    twilioIvr(states, { ...dev, twilio });
    const calls = emit.mock.calls.filter(([message]) => String(message).includes("validate is false"));
    expect(calls).toHaveLength(warnings);
  });
});
