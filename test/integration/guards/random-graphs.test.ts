// Property-based (fast-check): apps built from random valid state graphs, whose functions randomly
// succeed, throw, reject, never settle, settle too late or return things that are not states or TwiML,
// are driven by random request sequences. Every answer must be 200 TwiML, the onError answer, or
// reach the error middleware with the right error, within the bound.
//
// Reproduce a failure: the seed is in the test's name (and in fast-check's report), e.g.
//   FC_SEED=123 npx jest test/integration/guards/random-graphs.test.ts
// and FC_PATH="..." (from the report) replays the shrunk counterexample directly.
import type { Server } from "node:http";
import fc from "fast-check";
import type { ErrorRequestHandler } from "express";
import request from "supertest";
import twilioIvr, { StateError, type Config, type InputData, type State, type StateErrorCode } from "../../../src";

const SEED = process.env.FC_SEED === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.FC_SEED);
const PATH = process.env.FC_PATH;
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 80);
/** How much longer than its bound a request may take (event loop, HTTP on loopback, a loaded CI machine). */
const SLACK_MS = 500;

// ---------------------------------------------------------------------------------------------
// What a user function does.

/** How a function settles: in its own call, on a microtask, or on a later turn of the event loop. */
type Settle = "sync" | "microtask" | "macrotask";

/** Values a user function throws or rejects with that are truthy: they must reach the error path untouched. */
const truthyThrown = ["Error", "TypeError", "subclass", "string", "number", "object", "array", "symbol", "function"] as const;
/** Truthy values that String() cannot convert (known bug: the library's logging throws a TypeError in their place). */
const unprintableThrown = ["nullPrototype", "throwingToString"] as const;
/** Falsy values: they become StateError ERR_IVR_EMPTY_REJECTION (Express would take them for "no error"). */
const falsyThrown = ["undefined", "null", "zero", "minusZero", "emptyString", "false"] as const;
/** Falsy values the library does not recognise yet (known bug: they reach Express's next() as "no error", a 404). */
const otherFalsyThrown = ["NaN", "zeroBigInt"] as const;
type ThrownKind = (typeof truthyThrown | typeof unprintableThrown | typeof falsyThrown | typeof otherFalsyThrown)[number];

class UserError extends Error {}

/** A fresh value on each call, so that "exactly the user's thrown object" can be checked by identity. */
function makeThrown(kind: ThrownKind, where: string): unknown {
  switch (kind) {
    case "Error":
      return new Error(`boom in ${where}`);
    case "TypeError":
      return new TypeError(`user type error in ${where}`);
    case "subclass":
      return new UserError(`user error in ${where}`);
    case "string":
      return `failure in ${where}`;
    case "number":
      return 42;
    case "object":
      return { code: "E_USER", where };
    case "array":
      return [where];
    case "symbol":
      return Symbol(where);
    case "function":
      return () => where;
    case "nullPrototype":
      return Object.assign(Object.create(null) as object, { where });
    case "throwingToString":
      return {
        toString(): string {
          throw new Error("this value cannot be printed");
        },
      };
    case "undefined":
      return undefined;
    case "null":
      return null;
    case "zero":
      return 0;
    case "minusZero":
      return -0;
    case "emptyString":
      return "";
    case "false":
      return false;
    case "NaN":
      return Number.NaN;
    case "zeroBigInt":
      return BigInt(0);
  }
}

const isFalsy = (kind: ThrownKind): boolean => [...falsyThrown, ...otherFalsyThrown].includes(kind as never);

/** What transitionOut may return that is not a state (ERR_IVR_TRANSITION). */
const notStates: (() => unknown)[] = [
  () => undefined,
  () => null,
  () => 42,
  () => "S0",
  () => ({}),
  () => [],
  () => ({ twimlFor: "<Response/>" }),
  () => ({ isEndState: true }),
  () => ({ isEndState: false, twimlFor: () => "<Response/>" }),
  () => ({ twimlFor: () => "<Response/>" }),
  () => ({ uri: "no-slash", isEndState: true, twimlFor: () => "<Response/>" }),
];
/** What twimlFor may return that is not TwiML (ERR_IVR_RENDER). */
const notTwiml: (() => unknown)[] = [() => undefined, () => null, () => 7, () => ({}), () => true, () => Object.create(null) as object];

type Behaviour =
  | { kind: "ok"; settle: Settle }
  | { kind: "fail"; settle: Settle; thrown: ThrownKind }
  | { kind: "invalid"; settle: Settle; which: number }
  | { kind: "never" }
  /** Settles (resolves, or rejects when `fails`) after the request's bound: the result must be dropped. */
  | { kind: "late"; fails: boolean };

const settleArb = fc.constantFrom<Settle>("sync", "microtask", "macrotask");
const thrownArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<ThrownKind>(...truthyThrown, ...unprintableThrown) },
  { weight: 1, arbitrary: fc.constantFrom<ThrownKind>(...falsyThrown, ...otherFalsyThrown) },
);

function behaviourArb(invalidCount: number): fc.Arbitrary<Behaviour> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant("ok" as const), settle: settleArb }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("fail" as const), settle: settleArb, thrown: thrownArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("invalid" as const), settle: settleArb, which: fc.nat({ max: invalidCount - 1 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: "never" as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("late" as const), fails: fc.boolean() }) },
  );
}

/** backgroundTrigger: whatever it does, the state renders and nothing is left unhandled. */
type BackgroundBehaviour =
  | { kind: "ok"; settle: Settle }
  | { kind: "fail"; settle: Settle; thrown: ThrownKind }
  | { kind: "never" }
  | { kind: "late"; fails: boolean }
  | { kind: "returns"; value: "number" | "string" | "object" | "thenableThatThrows" };

const backgroundArb: fc.Arbitrary<BackgroundBehaviour> = fc.oneof(
  fc.record({ kind: fc.constant("ok" as const), settle: settleArb }),
  fc.record({ kind: fc.constant("fail" as const), settle: settleArb, thrown: thrownArb }),
  fc.constant({ kind: "never" as const }),
  fc.record({ kind: fc.constant("late" as const), fails: fc.boolean() }),
  fc.record({
    kind: fc.constant("returns" as const),
    // Known bug: a thenable whose then() throws breaks rendering.
    value: fc.constantFrom<"number" | "string" | "object" | "thenableThatThrows">("number", "string", "object", "thenableThatThrows"),
  }),
);

// ---------------------------------------------------------------------------------------------
// The graph.

type Kind = "end" | "normal" | "async" | "branching";

interface StateSpec {
  kind: Kind;
  named: boolean;
  routable: boolean;
  /** Passed to twilioIvr(). Routable states always are; a normal state left out has no route for its answers. */
  listed: boolean;
  twimlFor: Behaviour;
  /** `ok` TwiML as a string or as an object whose toString() is TwiML (like VoiceResponse). */
  twimlAsObject: boolean;
  transitionOut: Behaviour;
  /** Where transitionOut leads: `targets[len(Digits) % targets.length]`. May loop. */
  targets: number[];
  /** On async states always; on end and normal states sometimes. */
  background: BackgroundBehaviour | undefined;
}

type OnErrorSpec = "none" | "sync" | "async" | "throws" | "undefined" | "never";

interface AppSpec {
  states: StateSpec[];
  timeoutMs: number;
  onError: OnErrorSpec;
  sessions: boolean;
}

interface RequestSpec {
  /** Index into the app's routes (modulo their count). */
  route: number;
  /** POST a path no state has instead (404, nothing called). */
  unknownPath: boolean;
  variant: "plain" | "trailingSlash" | "upperCase";
  digits: string | undefined;
}

function appArb(): fc.Arbitrary<AppSpec> {
  return fc.integer({ min: 1, max: 6 }).chain((count) => {
    const stateArb: fc.Arbitrary<StateSpec> = fc
      .record({
        kind: fc.constantFrom<Kind>("end", "normal", "async", "branching"),
        named: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        routable: fc.boolean(),
        listed: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        twimlFor: behaviourArb(notTwiml.length),
        twimlAsObject: fc.boolean(),
        transitionOut: behaviourArb(notStates.length),
        targets: fc.array(fc.nat({ max: count - 1 }), { minLength: 1, maxLength: 3 }),
        background: fc.option(backgroundArb, { nil: undefined }),
      })
      .map((s) => ({
        ...s,
        listed: s.listed || s.routable,
        background: s.kind === "async" ? (s.background ?? { kind: "ok" as const, settle: "sync" as const }) : s.kind === "branching" ? undefined : s.background,
      }));
    return fc.record({
      states: fc.array(stateArb, { minLength: count, maxLength: count }).map((states) => {
        // At least one route: the first state is always routable (and so listed).
        const [first, ...rest] = states as [StateSpec, ...StateSpec[]];
        return [{ ...first, routable: true, listed: true }, ...rest];
      }),
      timeoutMs: fc.integer({ min: 30, max: 80 }),
      onError: fc.oneof(
        { weight: 5, arbitrary: fc.constant<OnErrorSpec>("none") },
        { weight: 5, arbitrary: fc.constantFrom<OnErrorSpec>("sync", "async", "sync", "async", "throws", "undefined", "never") },
      ),
      sessions: fc.boolean(),
    });
  });
}

const requestArb: fc.Arbitrary<RequestSpec> = fc.record({
  route: fc.nat({ max: 11 }),
  unknownPath: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  variant: fc.constantFrom("plain" as const, "plain" as const, "trailingSlash" as const, "upperCase" as const),
  digits: fc.option(fc.stringMatching(/^[0-9*#]{0,4}$/), { nil: undefined }),
});

type Route = { kind: "render" | "transition"; state: number; path: string };

function routesOf(app: AppSpec): Route[] {
  const routes: Route[] = [];
  app.states.forEach((s, i) => {
    if (!s.listed) return;
    if (s.routable) routes.push({ kind: "render", state: i, path: `/s${i}` });
    if (s.kind === "normal") routes.push({ kind: "transition", state: i, path: `/s${i}/next` });
  });
  return routes;
}

const nameOf = (app: AppSpec, i: number): string => (app.states[i]!.named ? `S${i}` : "unnamed state");
const SORRY = "<Response><Say>Sorry, something went wrong.</Say></Response>";

/** The TwiML an `ok` twimlFor renders: which state, and what input it got (it gets input only when the route rendered it directly). */
function bodyFor(i: number, input: InputData | undefined): string {
  return `<Response><Say>S${i} ${input === undefined ? "no-input" : (input.Digits ?? "no-digits")}</Say></Response>`;
}

// ---------------------------------------------------------------------------------------------
// The model: what the library must do for a request, from the spec alone.

type Fn = "twimlFor" | "transitionOut";
type Expected =
  | { kind: "twiml"; body: string }
  /** The exact value this state function threw or rejected with. */
  | { kind: "thrown"; state: number; fn: Fn }
  | { kind: "stateError"; code: StateErrorCode; stateName: string }
  | { kind: "notFound" };

const targetOf = (spec: StateSpec, input: InputData | undefined): number => {
  const digits = input === undefined ? "" : (input.Digits ?? "");
  return spec.targets[digits.length % spec.targets.length]!;
};

/** What a function's behaviour means for the request, or undefined when it succeeded. */
function failureOf(app: AppSpec, i: number, fn: Fn, b: Behaviour): Expected | undefined {
  switch (b.kind) {
    case "ok":
      return undefined;
    case "fail":
      return isFalsy(b.thrown) ? { kind: "stateError", code: "ERR_IVR_EMPTY_REJECTION", stateName: nameOf(app, i) } : { kind: "thrown", state: i, fn };
    case "invalid":
      return { kind: "stateError", code: fn === "twimlFor" ? "ERR_IVR_RENDER" : "ERR_IVR_TRANSITION", stateName: nameOf(app, i) };
    case "never":
    case "late":
      return { kind: "stateError", code: "ERR_IVR_TIMEOUT", stateName: nameOf(app, i) };
  }
}

function expectRender(app: AppSpec, start: number, input: InputData | undefined): Expected {
  const visited: number[] = [];
  let current = start;
  while (app.states[current]!.kind === "branching") {
    if (visited.includes(current)) {
      return { kind: "stateError", code: "ERR_IVR_TRANSITION", stateName: nameOf(app, visited[visited.length - 1]!) };
    }
    visited.push(current);
    const spec = app.states[current]!;
    const failure = failureOf(app, current, "transitionOut", spec.transitionOut);
    if (failure !== undefined) return failure;
    current = targetOf(spec, visited.length === 1 ? input : undefined);
  }
  const spec = app.states[current]!;
  if (spec.kind === "normal" && !spec.listed) return { kind: "stateError", code: "ERR_IVR_RENDER", stateName: nameOf(app, current) };
  const failure = failureOf(app, current, "twimlFor", spec.twimlFor);
  if (failure !== undefined) return failure;
  return { kind: "twiml", body: bodyFor(current, app.states[start]!.kind === "branching" ? undefined : input) };
}

function expectTransition(app: AppSpec, from: number, input: InputData): Expected {
  const spec = app.states[from]!;
  const failure = failureOf(app, from, "transitionOut", spec.transitionOut);
  if (failure !== undefined) return failure;
  return expectRender(app, targetOf(spec, input), undefined);
}

// ---------------------------------------------------------------------------------------------
// Building the app from the spec.

interface Harness {
  states: State[];
  /** The last value each state function threw or rejected with, by `${state}.${fn}`. */
  lastThrown: Map<string, unknown>;
  /** Timers of late results still to fire; awaited before a run ends. */
  pending: Promise<void>[];
  /** Calls whose arguments were not the documented ones. */
  badArguments: string[];
}

const later = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function settleWith(settle: Settle, produce: () => unknown): unknown {
  if (settle === "sync") return produce();
  if (settle === "microtask") return Promise.resolve().then(produce);
  return later().then(produce);
}

function failWith(settle: Settle, value: unknown): unknown {
  if (settle === "sync") throw value;
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- any value can be thrown; that is the point
  if (settle === "microtask") return Promise.reject(value);
  return later().then(() => {
    throw value;
  });
}

function lateWith(harness: Harness, ms: number, fails: boolean, produce: () => unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    harness.pending.push(
      new Promise<void>((done) =>
        setTimeout(() => {
          if (fails) reject(new Error("a late failure, after the request's bound"));
          else resolve(produce());
          done();
        }, ms),
      ),
    );
  });
}

function perform(harness: Harness, app: AppSpec, key: string, b: Behaviour, ok: () => unknown, invalid: readonly (() => unknown)[]): unknown {
  switch (b.kind) {
    case "ok":
      return settleWith(b.settle, ok);
    case "fail": {
      const value = makeThrown(b.thrown, key);
      harness.lastThrown.set(key, value);
      return failWith(b.settle, value);
    }
    case "invalid":
      return settleWith(b.settle, invalid[b.which]!);
    case "never":
      return new Promise(() => undefined);
    case "late":
      return lateWith(harness, app.timeoutMs + 15, b.fails, ok);
  }
}

function performBackground(harness: Harness, app: AppSpec, key: string, b: BackgroundBehaviour): unknown {
  switch (b.kind) {
    case "ok":
      return settleWith(b.settle, () => "started");
    case "fail":
      return failWith(b.settle, makeThrown(b.thrown, key));
    case "never":
      return new Promise(() => undefined);
    case "late":
      return lateWith(harness, app.timeoutMs + 15, b.fails, () => "done");
    case "returns":
      if (b.value === "number") return 1;
      if (b.value === "string") return "queued";
      if (b.value === "object") return { id: 1 };
      // A thenable whose then() throws: the library must not let that escape either.
      return {
        then() {
          throw new Error("then() of a thenable broke");
        },
      };
  }
}

function buildStates(app: AppSpec, harness: Harness): State[] {
  const objects: State[] = [];
  const extra = app.sessions ? 1 : 0;
  const checkArgs = (key: string, args: unknown[], count: number, urlForFirst: boolean): void => {
    if (args.length !== count + extra) harness.badArguments.push(`${key} got ${args.length} arguments, expected ${count + extra}`);
    if (urlForFirst && typeof args[0] !== "function") harness.badArguments.push(`${key} did not get urlFor first`);
    if (app.sessions && typeof (args[count] as { get?: unknown } | undefined)?.get !== "function") harness.badArguments.push(`${key} did not get the session last`);
  };
  app.states.forEach((spec, i) => {
    const state: Record<string, unknown> = {};
    if (spec.named) state.name = `S${i}`;
    if (spec.routable) state.uri = `/s${i}`;
    if (spec.kind !== "branching") {
      state.twimlFor = (...args: unknown[]) => {
        const key = `${i}.twimlFor`;
        checkArgs(key, args, 2, true);
        const input = args[1] as InputData | undefined;
        return perform(harness, app, key, spec.twimlFor, () => (spec.twimlAsObject ? { toString: () => bodyFor(i, input) } : bodyFor(i, input)), notTwiml);
      };
    }
    if (spec.kind === "end") state.isEndState = true;
    if (spec.kind === "normal" || spec.kind === "branching") {
      if (spec.kind === "normal") state.processTransitionUri = `/s${i}/next`;
      state.transitionOut = (...args: unknown[]) => {
        const key = `${i}.transitionOut`;
        checkArgs(key, args, 1, false);
        const input = args[0] as InputData | undefined;
        return perform(harness, app, key, spec.transitionOut, () => objects[targetOf(spec, input)], notStates);
      };
    }
    if (spec.background !== undefined) {
      const background = spec.background;
      state.backgroundTrigger = (...args: unknown[]) => {
        checkArgs(`${i}.backgroundTrigger`, args, 2, true);
        return performBackground(harness, app, `${i}.backgroundTrigger`, background);
      };
    }
    objects.push(state as unknown as State);
  });
  return objects;
}

function onErrorFor(spec: OnErrorSpec, seen: unknown[]): Config["onError"] {
  if (spec === "none") return undefined;
  return (error) => {
    seen.push(error);
    switch (spec) {
      case "sync":
        return SORRY;
      case "async":
        return later().then(() => ({ toString: () => SORRY }));
      case "throws":
        throw new Error("onError itself broke");
      case "undefined":
        return undefined as unknown as string;
      case "never":
        return new Promise<string>(() => undefined);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Running one app.

/** Describes a value for failure messages (fast-check prints the counterexample; this says what came out). */
function show(value: unknown): string {
  if (value instanceof StateError) return `StateError ${value.code} (${value.stateName}): ${value.message}`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return typeof value === "symbol" ? value.toString() : typeof value === "function" ? "a function" : JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

function matches(expected: Expected, error: unknown, harness: Harness): string | undefined {
  switch (expected.kind) {
    case "thrown": {
      const thrown = harness.lastThrown.get(`${expected.state}.${expected.fn}`);
      return Object.is(error, thrown) ? undefined : `expected exactly what ${expected.fn} of state ${expected.state} threw (${show(thrown)}), got ${show(error)}`;
    }
    case "stateError":
      return error instanceof StateError && error.code === expected.code && error.stateName === expected.stateName
        ? undefined
        : `expected StateError ${expected.code} naming "${expected.stateName}", got ${show(error)}`;
    case "twiml":
    case "notFound":
      return `expected no error, got ${show(error)}`;
  }
}

async function runApp(app: AppSpec, requests: RequestSpec[]): Promise<void> {
  const harness: Harness = { states: [], lastThrown: new Map(), pending: [], badArguments: [] };
  harness.states = buildStates(app, harness);
  const onErrorSeen: unknown[] = [];
  const config: Config = {
    twilio: { authToken: "", validate: false },
    urlFor: { host: () => "ivr.example.com" },
    timeoutMs: app.timeoutMs,
    onError: onErrorFor(app.onError, onErrorSeen),
    ...(app.sessions ? { sessions: {} } : {}),
  };
  const ivr = twilioIvr(harness.states.filter((_s, i) => app.states[i]!.listed), config);
  const middlewareSeen: unknown[] = [];
  const errorMiddleware: ErrorRequestHandler = (err, _req, res, _next) => {
    middlewareSeen.push(err);
    res.status(500).type("text/plain").send("handled by the error middleware");
  };
  ivr.use(errorMiddleware);
  const routes = routesOf(app);
  const onErrorAnswers = app.onError === "sync" || app.onError === "async";
  const bound = app.timeoutMs * (app.onError === "never" ? 2 : 1) + SLACK_MS;

  const server: Server = await new Promise((resolve) => {
    const s = ivr.listen(0, "127.0.0.1", () => {
      resolve(s);
    });
  });
  try {
    for (const [n, req] of requests.entries()) {
      const route = req.unknownPath ? undefined : routes[req.route % routes.length];
      const basePath = route?.path ?? "/no-state-has-this-path";
      const path = req.variant === "trailingSlash" ? `${basePath}/` : req.variant === "upperCase" ? basePath.toUpperCase() : basePath;
      const form: Record<string, string> = { CallSid: "CA0123456789abcdef0123456789abcdef" };
      if (req.digits !== undefined) form.Digits = req.digits;
      const input: InputData = { ...form };
      const expected: Expected =
        route === undefined ? { kind: "notFound" } : route.kind === "render" ? expectRender(app, route.state, input) : expectTransition(app, route.state, input);

      middlewareSeen.length = 0;
      onErrorSeen.length = 0;
      const started = Date.now();
      const res = await request(server).post(path).type("form").send(form);
      const elapsed = Date.now() - started;
      const where = `request #${n} POST ${path} (Digits ${JSON.stringify(req.digits)}), expected ${JSON.stringify(expected)}: got ${res.status} ${JSON.stringify(res.text)}`;

      expect({ where, elapsedWithinBound: elapsed <= bound }).toEqual({ where, elapsedWithinBound: true });
      expect({ where, badArguments: harness.badArguments }).toEqual({ where, badArguments: [] });
      if (expected.kind === "stateError" && expected.code === "ERR_IVR_TIMEOUT") {
        expect({ where, waitedForTheBound: elapsed >= app.timeoutMs - 5 }).toEqual({ where, waitedForTheBound: true });
      }

      if (expected.kind === "notFound") {
        expect({ where, status: res.status, middlewareSeen: middlewareSeen.length, onErrorSeen: onErrorSeen.length }).toEqual({ where, status: 404, middlewareSeen: 0, onErrorSeen: 0 });
      } else if (expected.kind === "twiml") {
        expect({ where, status: res.status, type: res.headers["content-type"], body: res.text, errors: [...middlewareSeen, ...onErrorSeen].map(show) }).toEqual({
          where,
          status: 200,
          type: "text/xml; charset=utf-8",
          body: expected.body,
          errors: [],
        });
      } else if (onErrorAnswers) {
        expect({ where, status: res.status, type: res.headers["content-type"], body: res.text, middleware: middlewareSeen.map(show) }).toEqual({
          where,
          status: 200,
          type: "text/xml; charset=utf-8",
          body: SORRY,
          middleware: [],
        });
        expect({ where, onErrorCalls: onErrorSeen.length, problem: matches(expected, onErrorSeen[0], harness) }).toEqual({ where, onErrorCalls: 1, problem: undefined });
      } else {
        expect({ where, status: res.status, body: res.text, calls: middlewareSeen.length }).toEqual({ where, status: 500, body: "handled by the error middleware", calls: 1 });
        expect({ where, problem: matches(expected, middlewareSeen[0], harness) }).toEqual({ where, problem: undefined });
        if (app.onError !== "none") {
          // onError was asked and gave no answer: the error middleware got the same object it was given.
          expect({ where, onErrorCalls: onErrorSeen.length, same: Object.is(onErrorSeen[0], middlewareSeen[0]) }).toEqual({ where, onErrorCalls: 1, same: true });
        }
      }
    }
  } finally {
    // Let every late result arrive (it must be dropped without a crash), then stop.
    await Promise.all(harness.pending);
    await later();
    await new Promise<void>((resolve, reject) => {
      server.close((err) => {
        if (err === undefined) resolve();
        else reject(err);
      });
    });
  }
}

// Note on unhandled rejections: inside Jest, `process` is a sandbox copy, so a listener added with
// `process.on("unhandledRejection")` in a test file is never called (Node emits on the real process).
// jest-circus itself listens on the real process and fails the running test with the rejection's
// reason; the seed in this test's name then identifies the failing run.
describe("random valid state graphs under random requests", () => {
  it(`every answer is 200 TwiML, the onError answer or the error middleware with the right error, within the bound (fast-check seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(appArb(), fc.array(requestArb, { minLength: 1, maxLength: 6 }), async (app, requests) => {
        await runApp(app, requests);
      }),
      { seed: SEED, numRuns: NUM_RUNS, ...(PATH === undefined ? {} : { path: PATH }) },
    );
  }, 60_000);
});
