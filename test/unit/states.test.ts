import fc from "fast-check";
import {
  isAsynchronousState,
  isBranchingState,
  isEndState,
  isNormalState,
  isRenderableState,
  isRoutableState,
  isValidState,
} from "../../src";

const twimlFor = (): string => "<Response/>";
const transitionOut = (): unknown => ({ isEndState: true, twimlFor });
const backgroundTrigger = (): void => undefined;

const predicates = {
  isRoutableState,
  isBranchingState,
  isRenderableState,
  isEndState,
  isAsynchronousState,
  isNormalState,
  isValidState,
};
type PredicateName = keyof typeof predicates;
type Classification = Record<PredicateName, boolean>;

function classify(state: unknown): Classification {
  const result = {} as Classification;
  for (const [name, predicate] of Object.entries(predicates)) result[name as PredicateName] = predicate(state);
  return result;
}

const none: Classification = {
  isRoutableState: false,
  isBranchingState: false,
  isRenderableState: false,
  isEndState: false,
  isAsynchronousState: false,
  isNormalState: false,
  isValidState: false,
};

interface ValidKind {
  kind: string;
  state: Record<string, unknown>;
  expected: Partial<Classification>;
}

const validKinds: ValidKind[] = [
  { kind: "end", state: { isEndState: true, twimlFor }, expected: { isRenderableState: true, isEndState: true } },
  {
    kind: "end + backgroundTrigger",
    state: { isEndState: true, twimlFor, backgroundTrigger },
    expected: { isRenderableState: true, isEndState: true, isAsynchronousState: true },
  },
  {
    kind: "normal",
    state: { processTransitionUri: "/menu/choice", twimlFor, transitionOut },
    expected: { isRenderableState: true, isBranchingState: true, isNormalState: true },
  },
  {
    kind: "normal + backgroundTrigger",
    state: { processTransitionUri: "/menu/choice", twimlFor, transitionOut, backgroundTrigger },
    expected: { isRenderableState: true, isBranchingState: true, isNormalState: true, isAsynchronousState: true },
  },
  {
    kind: "asynchronous",
    state: { twimlFor, backgroundTrigger },
    expected: { isRenderableState: true, isAsynchronousState: true },
  },
  { kind: "non-renderable branching", state: { transitionOut }, expected: { isBranchingState: true } },
];

// Every kind, unnamed and named, not routable and routable.
const validTable = validKinds.flatMap(({ kind, state, expected }) =>
  [false, true].flatMap((routable) =>
    [false, true].map((named) => ({
      label: `${kind}${routable ? ", routable" : ""}${named ? ", named" : ""}`,
      state: { ...state, ...(routable ? { uri: "/entry" } : {}), ...(named ? { name: "SOME_STATE" } : {}) },
      expected: { ...none, ...expected, isValidState: true, isRoutableState: routable },
    })),
  ),
);

describe("state predicates on valid states", () => {
  it.each(validTable)("classify $label", ({ state, expected }) => {
    expect(classify(state)).toEqual(expected);
  });
});

describe("state predicates on invalid shapes", () => {
  const invalidTable: { label: string; state: unknown }[] = [
    { label: "bare uri", state: { uri: "/bare" } },
    { label: "bare twimlFor", state: { twimlFor } },
    { label: "named bare twimlFor", state: { name: "X", uri: "/x", twimlFor } },
    { label: "renderable + branching without processTransitionUri", state: { twimlFor, transitionOut } },
    { label: "isEndState: true without twimlFor", state: { isEndState: true } },
    { label: "isEndState: true with only transitionOut", state: { isEndState: true, transitionOut } },
    { label: "isEndState: false", state: { isEndState: false, twimlFor } },
    { label: 'isEndState: "true"', state: { isEndState: "true", twimlFor } },
    { label: "end state with transitionOut", state: { isEndState: true, twimlFor, transitionOut } },
    { label: "twimlFor is a string", state: { isEndState: true, twimlFor: "<Response/>" } },
    { label: "transitionOut is an object", state: { transitionOut: { next: "x" } } },
    { label: "backgroundTrigger is a string", state: { twimlFor, backgroundTrigger: "later" } },
    { label: "uri without leading slash", state: { uri: "entry", isEndState: true, twimlFor } },
    { label: "uri is a number", state: { uri: 42, isEndState: true, twimlFor } },
    { label: "uri is empty", state: { uri: "", transitionOut } },
    { label: "uri with a query string (never routed: routes match the path)", state: { uri: "/entry?x=1", isEndState: true, twimlFor } },
    { label: "processTransitionUri with a fragment", state: { processTransitionUri: "/menu#x", twimlFor, transitionOut } },
    {
      label: "processTransitionUri without leading slash",
      state: { processTransitionUri: "menu/choice", twimlFor, transitionOut },
    },
    { label: "processTransitionUri on an end state", state: { isEndState: true, twimlFor, processTransitionUri: "/p" } },
    { label: "processTransitionUri on an asynchronous state", state: { twimlFor, backgroundTrigger, processTransitionUri: "/p" } },
    { label: "processTransitionUri on a branching state", state: { transitionOut, processTransitionUri: "/p" } },
    { label: "processTransitionUri alone", state: { processTransitionUri: "/p" } },
    { label: "backgroundTrigger on a non-renderable branching state", state: { transitionOut, backgroundTrigger } },
    { label: "bare backgroundTrigger", state: { backgroundTrigger } },
    { label: "empty object", state: {} },
    { label: "only a name", state: { name: "LONELY" } },
    { label: "null", state: null },
    { label: "undefined", state: undefined },
    { label: "number", state: 7 },
    { label: "string", state: "/incoming-call" },
    { label: "array", state: [twimlFor] },
  ];

  it.each(invalidTable)("$label is not a valid state", ({ state }) => {
    expect(isValidState(state)).toBe(false);
  });

  it.each([null, undefined, 7, "/incoming-call", true, Symbol("s")])("no predicate accepts or throws on %p", (value) => {
    expect(classify(value)).toEqual(none);
  });

  it("classifies the parts of invalid shapes by their own properties", () => {
    expect(classify({ uri: "/bare" })).toEqual({ ...none, isRoutableState: true });
    expect(classify({ twimlFor, transitionOut })).toEqual({ ...none, isRenderableState: true, isBranchingState: true });
    expect(classify({ isEndState: true })).toEqual({ ...none, isEndState: true });
    expect(classify({ transitionOut, backgroundTrigger })).toEqual({ ...none, isBranchingState: true });
    expect(classify({ isEndState: false, twimlFor: "<Response/>", transitionOut: 1 })).toEqual(none);
  });
});

describe("isValidState agrees with SPEC's list of valid kinds (property)", () => {
  type Key = "uri" | "name" | "twimlFor" | "transitionOut" | "backgroundTrigger" | "processTransitionUri" | "isEndState";

  /** Oracle written from SPEC "Factory": the four kinds; any of them may add `uri` and `name`. */
  function oracle(present: ReadonlySet<Key>): boolean {
    const has = (key: Key): boolean => present.has(key);
    const end = has("isEndState") && has("twimlFor") && !has("transitionOut") && !has("processTransitionUri");
    const normal = !has("isEndState") && has("processTransitionUri") && has("twimlFor") && has("transitionOut");
    const asynchronous =
      has("twimlFor") && has("backgroundTrigger") && !has("transitionOut") && !has("processTransitionUri");
    const branching =
      !has("isEndState") && has("transitionOut") && !has("twimlFor") && !has("backgroundTrigger") && !has("processTransitionUri");
    return end || normal || asynchronous || branching;
  }

  const goodValue: Record<Key, fc.Arbitrary<unknown>> = {
    uri: fc.constantFrom("/", "/entry", "/Menu/Main/"),
    name: fc.string({ maxLength: 10 }),
    twimlFor: fc.constant(twimlFor),
    transitionOut: fc.constant(transitionOut),
    backgroundTrigger: fc.constant(backgroundTrigger),
    processTransitionUri: fc.constantFrom("/choice", "/menu/choice/"),
    isEndState: fc.constant(true),
  };
  const keys = Object.keys(goodValue) as Key[];

  it("on random subsets of well-typed properties", () => {
    fc.assert(
      fc.property(fc.record(goodValue, { requiredKeys: [] }), (state) => {
        const present = new Set(Object.keys(state) as Key[]);
        expect(isValidState(state)).toBe(oracle(present));
      }),
      { numRuns: 100 },
    );
  });

  it("exhaustively on all 128 subsets", () => {
    let validCount = 0;
    for (let mask = 0; mask < 1 << keys.length; mask++) {
      const present = new Set(keys.filter((_, i) => (mask & (1 << i)) !== 0));
      const state: Record<string, unknown> = {};
      const samples: Record<Key, unknown> = {
        uri: "/entry",
        name: "S",
        twimlFor,
        transitionOut,
        backgroundTrigger,
        processTransitionUri: "/choice",
        isEndState: true,
      };
      for (const key of present) state[key] = samples[key];
      const expected = oracle(present);
      if (expected) validCount++;
      expect({ keys: [...present], valid: isValidState(state) }).toEqual({ keys: [...present], valid: expected });
    }
    // end (x2 for backgroundTrigger), normal (x2), asynchronous, branching; each x4 for uri/name.
    expect(validCount).toBe(6 * 4);
  });

  // Present-but-broken values make any shape invalid; a key set to `undefined` counts as absent.
  type Variant = { kind: "absent" } | { kind: "undefined" } | { kind: "good"; value: unknown } | { kind: "bad"; value: unknown };
  const badValue: Record<Key, fc.Arbitrary<unknown>> = {
    uri: fc.constantFrom("entry", "", 42, null, ["/entry"]),
    name: fc.constant("ok"), // SPEC says nothing about ill-typed names; keep them well-typed.
    twimlFor: fc.constantFrom("<Response/>", 1, {}, null),
    transitionOut: fc.constantFrom("NEXT", {}, null, true),
    backgroundTrigger: fc.constantFrom("later", 0, {}, null),
    processTransitionUri: fc.constantFrom("choice", "", 3, null),
    isEndState: fc.constantFrom(false, "true", 1, null),
  };
  const variant = (key: Key): fc.Arbitrary<Variant> =>
    fc.oneof(
      fc.constant<Variant>({ kind: "absent" }),
      fc.constant<Variant>({ kind: "undefined" }),
      goodValue[key].map((value): Variant => ({ kind: "good", value })),
      badValue[key].map((value): Variant => ({ kind: key === "name" ? "good" : "bad", value })),
    );

  it("on random subsets mixing absent, undefined, well-typed and ill-typed properties", () => {
    const variants = fc.record(Object.fromEntries(keys.map((key) => [key, variant(key)])) as Record<Key, fc.Arbitrary<Variant>>);
    fc.assert(
      fc.property(variants, (chosen) => {
        const state: Record<string, unknown> = {};
        const present = new Set<Key>();
        let anyBad = false;
        for (const key of keys) {
          const v = chosen[key];
          if (v.kind === "absent") continue;
          if (v.kind === "undefined") {
            state[key] = undefined;
            continue;
          }
          state[key] = v.value;
          present.add(key);
          if (v.kind === "bad") anyBad = true;
        }
        expect(isValidState(state)).toBe(!anyBad && oracle(present));
      }),
      { numRuns: 100 },
    );
  });
});
