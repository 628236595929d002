// Property-based (fast-check): invalid states and configs make twilioIvr() throw a ConfigError that
// names the state (`states[i]`) or the config key (`config.…`), never a TypeError or another error
// from inside the library; valid ones never throw.
//
// Reproduce a failure: the seed is in each test's name (and in fast-check's report), e.g.
//   FC_SEED=123 npx jest test/unit/random-invalid-config.test.ts
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import twilioIvr, { ConfigError, MemoryStore, type Config, type State } from "../../src";

const SEED = process.env.FC_SEED === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.FC_SEED);
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 300);
const options = { seed: SEED, numRuns: NUM_RUNS };

let tmp: string;
let emitWarning: jest.SpiedFunction<typeof process.emitWarning>;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ivr-random-config-"));
  fs.writeFileSync(path.join(tmp, "hold.mp3"), "not really an mp3");
  fs.writeFileSync(path.join(tmp, "a-file"), "not a directory");
  // Random keys draw "unknown key" warnings by design; they are not what these properties are about.
  emitWarning = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
});
afterAll(() => {
  emitWarning.mockRestore();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs twilioIvr, returning what it threw (or `returned` when it did not throw). */
function outcome(states: unknown, config: unknown): unknown {
  try {
    twilioIvr(states as State[], config as Config);
    return "returned";
  } catch (err) {
    return err;
  }
}

function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.constructor.name}: ${err.message}\n${err.stack ?? ""}`;
  return String(err);
}

/** Fails (with a readable message, so fast-check's report says what came out) unless `err` is a ConfigError. */
function expectConfigError(err: unknown): ConfigError {
  if (!(err instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${describeThrown(err)}`);
  return err;
}

// ---------------------------------------------------------------------------------------------
// Valid states and configs.

const twiml = (): string => "<Response/>";
const transition = (): State => ({ isEndState: true, twimlFor: twiml });

type Kind = "end" | "normal" | "async" | "branching";

/** A valid state of a kind; `i` keeps its paths apart from every other state's. */
function validState(kind: Kind, i: number, routable: boolean, name: string | undefined): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  if (name !== undefined) state.name = name;
  if (routable) state.uri = `/state-${i}`;
  switch (kind) {
    case "end":
      return { ...state, isEndState: true, twimlFor: twiml };
    case "normal":
      return { ...state, twimlFor: twiml, transitionOut: transition, processTransitionUri: `/state-${i}/answer` };
    case "async":
      return { ...state, twimlFor: twiml, backgroundTrigger: () => undefined };
    case "branching":
      return { ...state, transitionOut: transition };
  }
}

const kindArb = fc.constantFrom<Kind>("end", "normal", "async", "branching");
const stateShapeArb = fc.record({ kind: kindArb, routable: fc.boolean(), name: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }) });
const validStatesArb = fc.array(stateShapeArb, { maxLength: 6 }).map((shapes) => shapes.map((s, i) => validState(s.kind, i, s.routable, s.name)));

/** Anything at all, of every kind fast-check knows (null prototypes, boxed values, sparse arrays...). */
const garbageArb = fc.anything({
  maxDepth: 2,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

interface ValidConfigParts {
  validate: boolean;
  tokens: string[];
  scheme: boolean;
  staticFiles: "none" | "path" | "fingerprintUrl";
  mountPath: "none" | "/" | "/static" | "/static/";
  middleware: boolean;
  holdMusic: "none" | "default" | "endpoint" | "twimlFor";
  sessions: "none" | "empty" | "full";
  timeoutMs: number | undefined;
  onError: boolean;
}

const validConfigPartsArb: fc.Arbitrary<ValidConfigParts> = fc.record({
  validate: fc.boolean(),
  tokens: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }),
  scheme: fc.boolean(),
  staticFiles: fc.constantFrom("none" as const, "path" as const, "fingerprintUrl" as const),
  mountPath: fc.constantFrom("none" as const, "/" as const, "/static" as const, "/static/" as const),
  middleware: fc.boolean(),
  holdMusic: fc.constantFrom("none" as const, "default" as const, "endpoint" as const, "twimlFor" as const),
  sessions: fc.constantFrom("none" as const, "empty" as const, "full" as const),
  // Under Twilio's 15 s: longer ones are accepted with a warning.
  timeoutMs: fc.option(fc.double({ min: 0.5, max: 14_999, noNaN: true }), { nil: undefined }),
  onError: fc.boolean(),
});

function validConfig(p: ValidConfigParts): Record<string, unknown> {
  const config: Record<string, unknown> = {
    twilio: { authToken: p.tokens.length === 1 ? p.tokens[0] : p.tokens, validate: p.validate },
    urlFor: { host: () => "ivr.example.com", ...(p.scheme ? { scheme: () => "https" } : {}) },
  };
  if (p.staticFiles !== "none") {
    config.staticFiles = {
      ...(p.staticFiles === "path" ? { path: tmp } : { fingerprintUrl: (url: string) => `${url}?v=1` }),
      ...(p.mountPath === "none" ? {} : { mountPath: p.mountPath }),
      ...(p.middleware ? { middleware: () => undefined } : {}),
      ...(p.holdMusic === "none"
        ? {}
        : {
            holdMusic: {
              fileRelativeUri: "hold.mp3",
              ...(p.holdMusic === "endpoint" ? { endpoint: "/music-on-hold" } : {}),
              ...(p.holdMusic === "twimlFor" ? { twimlFor: () => "<Response/>" } : {}),
            },
          }),
    };
  }
  if (p.sessions !== "none") config.sessions = p.sessions === "empty" ? {} : { store: new MemoryStore(), ttlSeconds: 60, statusCallbackUri: "/call-status" };
  if (p.timeoutMs !== undefined) config.timeoutMs = p.timeoutMs;
  if (p.onError) config.onError = () => "<Response/>";
  return config;
}

// ---------------------------------------------------------------------------------------------
// Invalid states: one corruption of a valid state, or garbage in its place.

/** Values that are not a function (undefined excluded: an absent function is a different shape). */
const notFunctionArb = garbageArb.filter((v) => v !== undefined && typeof v !== "function");
/** Values that are not a path starting with "/" without a query or fragment. */
const notPathArb = fc.oneof(
  garbageArb.filter((v) => v !== undefined && typeof v !== "string"),
  fc.string().filter((s) => !s.startsWith("/")),
  fc.tuple(fc.stringMatching(/^\/[a-z]{0,5}$/), fc.constantFrom("?", "#"), fc.string({ maxLength: 5 })).map(([a, b, c]) => a + b + c),
);

/** Returns the corrupted state, or anything at all in its place. */
type StateCorruption = (state: Record<string, unknown>) => unknown;

const stateCorruptionArb: fc.Arbitrary<{ label: string; corrupt: StateCorruption }> = fc.oneof(
  fc.tuple(fc.constantFrom("twimlFor", "transitionOut", "backgroundTrigger"), notFunctionArb).map(([key, value]) => ({
    label: `${key} = ${typeof value}`,
    corrupt: (s: Record<string, unknown>) => ({ ...s, [key]: value }),
  })),
  fc.tuple(fc.constantFrom("uri", "processTransitionUri"), notPathArb).map(([key, value]) => ({
    label: `${key} not a path`,
    corrupt: (s: Record<string, unknown>) => ({ ...s, [key]: value }),
  })),
  garbageArb.filter((v) => v !== undefined && v !== true).map((value) => ({ label: "isEndState not true", corrupt: (s: Record<string, unknown>) => ({ ...s, isEndState: value }) })),
  fc
    .constantFrom<[string, StateCorruption]>(
      ["end state with transitionOut", () => ({ isEndState: true, twimlFor: twiml, transitionOut: transition })],
      ["end state with processTransitionUri", () => ({ isEndState: true, twimlFor: twiml, processTransitionUri: "/x" })],
      ["end state without twimlFor", () => ({ isEndState: true })],
      ["renderable and branching without processTransitionUri", () => ({ twimlFor: twiml, transitionOut: transition })],
      ["processTransitionUri on a branching state", () => ({ transitionOut: transition, processTransitionUri: "/x" })],
      ["processTransitionUri on an asynchronous state", () => ({ twimlFor: twiml, backgroundTrigger: () => undefined, processTransitionUri: "/x" })],
      ["backgroundTrigger on a branching state", () => ({ transitionOut: transition, backgroundTrigger: () => undefined })],
      ["twimlFor only", () => ({ twimlFor: twiml })],
      ["backgroundTrigger only", () => ({ backgroundTrigger: () => undefined })],
      ["an empty object", () => ({})],
      ["a plain function", () => () => undefined],
    )
    .map(([label, make]) => ({ label, corrupt: (s: Record<string, unknown>) => ({ name: s.name, ...(make(s) as object) }) })),
  garbageArb
    .filter((v) => v === null || (typeof v !== "object" && typeof v !== "function") || Array.isArray(v))
    .map((value) => ({ label: "garbage in place of a state", corrupt: () => value })),
);

// ---------------------------------------------------------------------------------------------
// Invalid configs: one or more corruptions of a valid config, each naming the key it breaks.

interface ConfigCorruption {
  /** The key the error must name, e.g. `twilio.authToken` (or `twilio.authToken[1]` for a bad list entry). */
  key: string;
  /** Where the value goes. */
  at: string;
  value: unknown;
}

/** Sets `config.a.b.c`; false (nothing set) when an object on the way is missing or not an object. */
function setPath(config: Record<string, unknown>, keyPath: string, value: unknown): boolean {
  const keys = keyPath.split(".");
  let target: Record<string, unknown> = config;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) return false;
    target = next as Record<string, unknown>;
  }
  target[keys[keys.length - 1]!] = value;
  return true;
}

const corruption = (key: string, values: fc.Arbitrary<unknown>, at: string = key): fc.Arbitrary<ConfigCorruption> => values.map((value) => ({ key, at, value }));

const notObjectArb = garbageArb.filter((v) => typeof v !== "object" || v === null || Array.isArray(v));
const notBooleanArb = garbageArb.filter((v) => v !== undefined && v !== null && typeof v !== "boolean");
const notPositiveNumberArb = fc.oneof(
  garbageArb.filter((v) => v !== undefined && typeof v !== "number"),
  fc.constantFrom(0, -0, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const notTtlArb = fc.oneof(notPositiveNumberArb, fc.constantFrom(0.5, 1.5, 59.9));
const notStoreArb = fc.oneof(
  garbageArb.filter((v) => v !== undefined),
  fc.constant({ get: () => undefined, destroy: () => undefined }),
  fc.constant({ get: () => undefined, compareAndSet: () => undefined, destroy: () => undefined, patch: 1 }),
  fc.constant({ get: () => undefined, compareAndSet: () => undefined, destroy: () => undefined, init: "yes" }),
);
const notEndpointArb = fc.oneof(notPathArb.filter((v) => typeof v !== "string" || !v.startsWith("/")), fc.constant("/"));
const notFileArb = fc.oneof(
  garbageArb.filter((v) => typeof v !== "string"),
  fc.constantFrom("", "./", "/", "//", "missing.mp3", "./missing.mp3"),
);

const configCorruptionArb = fc.oneof(
  corruption("twilio", notObjectArb),
  corruption("twilio.authToken", garbageArb.filter((v) => typeof v !== "string" && !Array.isArray(v))),
  corruption("twilio.authToken", fc.constant([])),
  fc.tuple(fc.array(fc.string({ minLength: 1 }), { maxLength: 2 }), garbageArb.filter((v) => typeof v !== "string")).chain(([good, bad]) =>
    corruption(`twilio.authToken[${good.length}]`, fc.constant([...good, bad]), "twilio.authToken"),
  ),
  corruption("twilio.validate", notBooleanArb),
  corruption("urlFor", notObjectArb),
  corruption("urlFor.host", garbageArb.filter((v) => typeof v !== "function")),
  corruption("urlFor.scheme", notFunctionArb),
  corruption("staticFiles", notObjectArb.filter((v) => v !== undefined)),
  corruption("staticFiles.path", garbageArb.filter((v) => v !== undefined && typeof v !== "string")),
  corruption("staticFiles.path", fc.constantFrom("relative/dir", "", "./x")),
  corruption("staticFiles.path", fc.constantFrom("/no/such/dir/for/ivr/tests", path.join(os.tmpdir(), "ivr-does-not-exist-0d1e"))),
  corruption("staticFiles.mountPath", notPathArb.filter((v) => typeof v !== "string" || !v.startsWith("/"))),
  corruption("staticFiles.middleware", notFunctionArb),
  corruption("staticFiles.holdMusic", notObjectArb.filter((v) => v !== undefined)),
  corruption("staticFiles.holdMusic.fileRelativeUri", notFileArb),
  corruption("staticFiles.holdMusic.endpoint", notEndpointArb),
  corruption("staticFiles.holdMusic.twimlFor", notFunctionArb),
  corruption("sessions", notObjectArb.filter((v) => v !== undefined)),
  corruption("sessions.store", notStoreArb),
  corruption("sessions.ttlSeconds", notTtlArb),
  corruption("sessions.statusCallbackUri", notPathArb.filter((v) => typeof v !== "string" || !v.startsWith("/"))),
  corruption("timeoutMs", notPositiveNumberArb),
  corruption("onError", notFunctionArb),
);

/** The key a ConfigError's message names: `config.<key>` at its start (`config` alone for the whole object). */
function namedKey(message: string): string | undefined {
  return /^config(?:\.([A-Za-z]+(?:\.[A-Za-z]+)*(?:\[\d+\])?))?(?=[\s:]|$)/.exec(message)?.[1] ?? (message.startsWith("config ") ? "" : undefined);
}

/** True when `named` is `key` itself or an object above it (`staticFiles` for `staticFiles.path`). */
const namesKeyOrParent = (named: string, key: string): boolean => named === key || key.startsWith(`${named}.`) || key.startsWith(`${named}[`);

// ---------------------------------------------------------------------------------------------

describe(`random states and configs (fast-check seed ${SEED})`, () => {
  it("random valid states with a random valid config never throw", () => {
    fc.assert(
      fc.property(validStatesArb, validConfigPartsArb, (states, parts) => {
        const result = outcome(states, validConfig(parts));
        if (result !== "returned") throw new Error(`a valid app threw ${describeThrown(result)}`);
      }),
      options,
    );
  });

  it("one invalid state among valid ones throws ConfigError ERR_IVR_STATE_INVALID naming states[i]", () => {
    fc.assert(
      fc.property(validStatesArb, fc.nat(), kindArb, fc.boolean(), stateCorruptionArb, (states, at, kind, routable, { corrupt }) => {
        const i = at % (states.length + 1);
        const bad = corrupt(validState(kind, 100, routable, "BAD"));
        const all = [...states.slice(0, i), bad, ...states.slice(i)];
        const error = expectConfigError(outcome(all, validConfig(defaultParts)));
        expect(error.code).toBe("ERR_IVR_STATE_INVALID");
        expect(error.message).toContain(`states[${i}]`);
        // Only the bad one is named.
        expect(error.message.match(/states\[\d+\]/g)).toEqual([`states[${i}]`]);
      }),
      options,
    );
  });

  it("two states claiming one path throw ConfigError ERR_IVR_ROUTE_CONFLICT naming both", () => {
    fc.assert(
      fc.property(validStatesArb, fc.nat(), fc.nat(), fc.constantFrom("uri", "processTransitionUri"), (states, a, b, key) => {
        const all = [...states, validState("normal", 200, true, "A"), validState("normal", 201, true, "B")];
        const i = states.length + (a % 2);
        const j = states.length + 1 - (a % 2);
        // State j takes one of state i's paths (differently cased, maybe with a trailing slash: routes ignore both).
        const taken = String(all[i]![key]);
        all[j] = { ...all[j], [b % 2 === 0 ? "uri" : "processTransitionUri"]: b % 3 === 0 ? `${taken.toUpperCase()}/` : taken };
        const error = expectConfigError(outcome(all, validConfig(defaultParts)));
        expect(error.code).toBe("ERR_IVR_ROUTE_CONFLICT");
        expect(error.message).toContain(`states[${i}]`);
        expect(error.message).toContain(`states[${j}]`);
      }),
      options,
    );
  });

  it("one corruption of a valid config throws ConfigError ERR_IVR_CONFIG_INVALID naming exactly that key", () => {
    fc.assert(
      fc.property(validStatesArb, fullPartsArb, configCorruptionArb, (states, parts, change) => {
        const config = validConfig(parts);
        fc.pre(setPath(config, change.at, change.value));
        const error = expectConfigError(outcome(states, config));
        expect(error.code).toBe("ERR_IVR_CONFIG_INVALID");
        expect({ message: error.message, named: namedKey(error.message) }).toEqual({ message: error.message, named: change.key });
      }),
      options,
    );
  });

  it("several corruptions throw a ConfigError naming one of the broken keys (or an object above one)", () => {
    fc.assert(
      fc.property(validStatesArb, fullPartsArb, fc.array(configCorruptionArb, { minLength: 2, maxLength: 4 }), (states, parts, changes) => {
        const config = validConfig(parts);
        const applied = changes.filter((change) => setPath(config, change.at, change.value));
        fc.pre(applied.length > 0);
        const error = expectConfigError(outcome(states, config));
        const named = namedKey(error.message);
        if (named === undefined || !applied.some((c) => namesKeyOrParent(named, c.key))) {
          throw new Error(`"${error.message}" names none of ${applied.map((c) => c.key).join(", ")}`);
        }
      }),
      options,
    );
  });

  it("garbage in place of the states or the config throws a ConfigError, never a TypeError", () => {
    fc.assert(
      fc.property(fc.oneof(garbageArb, validStatesArb, fc.array(garbageArb, { maxLength: 4 })), fc.oneof(garbageArb, fc.dictionary(fc.string(), garbageArb)), (states, config) => {
        expectConfigError(outcome(states, config));
      }),
      options,
    );
  });

  it("garbage in any one key of a valid config either works or throws a ConfigError, never another error", () => {
    const keys = ["twilio", "twilio.authToken", "twilio.validate", "urlFor", "urlFor.host", "urlFor.scheme", "staticFiles", "staticFiles.path", "staticFiles.fingerprintUrl", "staticFiles.mountPath", "staticFiles.middleware", "staticFiles.holdMusic", "staticFiles.holdMusic.fileRelativeUri", "staticFiles.holdMusic.endpoint", "staticFiles.holdMusic.twimlFor", "sessions", "sessions.store", "sessions.ttlSeconds", "sessions.statusCallbackUri", "timeoutMs", "onError"];
    fc.assert(
      fc.property(validStatesArb, fullPartsArb, fc.constantFrom(...keys), garbageArb, (states, parts, key, value) => {
        const config = validConfig(parts);
        setPath(config, key, value);
        const result = outcome(states, config);
        if (result !== "returned") expectConfigError(result);
      }),
      options,
    );
  });

  it("a getter that throws (on a state or a config key) is the user's own error: twilioIvr lets exactly that error through", () => {
    fc.assert(
      fc.property(
        validStatesArb,
        fc.constantFrom("state.twimlFor", "state.uri", "state.name", "config.twilio", "config.urlFor", "config.timeoutMs", "config.onError"),
        garbageArb,
        (states, where, thrown) => {
          const boom = { thrown };
          const trap = (target: Record<string, unknown>, key: string): void => {
            Object.defineProperty(target, key, {
              enumerable: true,
              get() {
                // eslint-disable-next-line @typescript-eslint/only-throw-error -- the user's own value, whatever it is
                throw boom;
              },
            });
          };
          const config = validConfig(defaultParts);
          const all: Record<string, unknown>[] = [...states, validState("end", 300, true, "TRAPPED")];
          if (where.startsWith("state.")) trap(all[all.length - 1]!, where.slice("state.".length));
          else trap(config, where.slice("config.".length));
          expect(outcome(all, config)).toBe(boom);
        },
      ),
      options,
    );
  });
});

const defaultParts: ValidConfigParts = {
  validate: false,
  tokens: [""],
  scheme: false,
  staticFiles: "none",
  mountPath: "none",
  middleware: false,
  holdMusic: "none",
  sessions: "none",
  timeoutMs: undefined,
  onError: false,
};

/** Valid configs with every optional object present, so that nested keys have something to corrupt. */
const fullPartsArb = validConfigPartsArb.map((p) => ({
  ...p,
  staticFiles: "path" as const,
  holdMusic: p.holdMusic === "none" ? ("default" as const) : p.holdMusic,
  sessions: p.sessions === "none" ? ("full" as const) : p.sessions,
}));
