import twilioIvr from "../../src";
import { configError } from "../helpers/errors";
import type { Config, State } from "../../src";
import { log } from "../../src/logger";
import { devConfig, endState } from "../helpers/app";

const twimlFor = (): string => "<Response/>";
const transitionOut = (): State => endState("NEXT");
const backgroundTrigger = (): void => undefined;
const validState: State = { name: "ENTRY", uri: "/entry", isEndState: true, twimlFor };


describe("twilioIvr(states, config): states must be an array", () => {
  it.each([
    ["undefined", undefined],
    ["null", null],
    ["an object", { uri: "/entry", isEndState: true, twimlFor }],
    ["a string", "/entry"],
  ])("rejects %s", (_label, states) => {
    // @ts-expect-error states must be an array of states
    const error = configError(() => twilioIvr(states, devConfig()), "ERR_IVR_STATES_NOT_ARRAY");
    expect(error.message).toMatch(/^states must be an array/);
  });

  it("hints at app.use(twilioIvr) when called with an HTTP request", () => {
    // What Express does with `app.use(twilioIvr)`: call it as (req, res, next).
    const req = { method: "POST", url: "/entry", headers: { host: "ivr.example.com" } };
    const res = { statusCode: 200, setHeader: () => undefined };
    const asMiddleware = twilioIvr as unknown as (req: unknown, res: unknown, next: () => void) => void;
    const error = configError(() => {
      asMiddleware(req, res, () => undefined);
    }, "ERR_IVR_STATES_NOT_ARRAY");
    expect(error.message).toContain("states");
    expect(error.message).toMatch(/HTTP request/i);
    expect(error.message).toContain("twilioIvr(states, config)");
  });

  it("hints at swapped arguments when the config comes first", () => {
    // @ts-expect-error arguments swapped
    const error = configError(() => twilioIvr(devConfig(), [validState]), "ERR_IVR_STATES_NOT_ARRAY");
    expect(error.message).toMatch(/config/);
    expect(error.message).toContain("twilioIvr(states, config)");
  });

  it("accepts an empty array", () => {
    expect(typeof twilioIvr([], devConfig())).toBe("function");
  });
});

describe("twilioIvr(states, config): each state is checked", () => {
  // Shapes the State type rejects carry @ts-expect-error; the rest pass the type but fail at runtime.
  const invalid: { what: string; state: State; reason: RegExp }[] = [
    // @ts-expect-error a bare uri is no state kind
    { what: "a bare uri", state: { name: "BARE_URI", uri: "/bare" }, reason: /twimlFor|transitionOut/ },
    // @ts-expect-error a bare twimlFor is no state kind
    { what: "a bare twimlFor", state: { name: "BARE_TWIML", twimlFor }, reason: /isEndState|backgroundTrigger|processTransitionUri/ },
    // @ts-expect-error renderable + branching needs processTransitionUri
    { what: "renderable + branching, no processTransitionUri", state: { name: "NO_PTU", twimlFor, transitionOut }, reason: /processTransitionUri/ },
    // @ts-expect-error an end state needs twimlFor
    { what: "isEndState without twimlFor", state: { name: "EMPTY_END", isEndState: true }, reason: /twimlFor/ },
    // @ts-expect-error isEndState can only be true
    { what: "isEndState: false", state: { name: "NOT_END", isEndState: false, twimlFor }, reason: /isEndState.*true/ },
    // @ts-expect-error twimlFor must be a function
    { what: "non-function twimlFor", state: { name: "STR_TWIML", isEndState: true, twimlFor: "<Response/>" }, reason: /twimlFor.*function/ },
    // @ts-expect-error transitionOut must be a function
    { what: "non-function transitionOut", state: { name: "OBJ_OUT", transitionOut: { next: 1 } }, reason: /transitionOut.*function/ },
    // @ts-expect-error backgroundTrigger must be a function
    { what: "non-function backgroundTrigger", state: { name: "BG", twimlFor, backgroundTrigger: "go" }, reason: /backgroundTrigger.*function/ },
    { what: "uri without leading slash", state: { name: "REL_URI", uri: "entry", isEndState: true, twimlFor }, reason: /uri.*"\/"/ },
    {
      what: "processTransitionUri without leading slash",
      state: { name: "REL_PTU", processTransitionUri: "choice", twimlFor, transitionOut },
      reason: /processTransitionUri.*"\/"/,
    },
    // @ts-expect-error processTransitionUri only on normal states
    { what: "processTransitionUri on an end state", state: { name: "END_PTU", isEndState: true, twimlFor, processTransitionUri: "/p" }, reason: /processTransitionUri/ },
    // @ts-expect-error processTransitionUri only on normal states
    { what: "processTransitionUri on a branching state", state: { name: "BR_PTU", transitionOut, processTransitionUri: "/p" }, reason: /processTransitionUri/ },
    // @ts-expect-error backgroundTrigger only on renderable states
    { what: "backgroundTrigger on a non-renderable state", state: { name: "BR_BG", transitionOut, backgroundTrigger }, reason: /backgroundTrigger.*renderable|twimlFor/ },
  ];

  it.each(invalid)("rejects $what, naming the state and why", ({ state, reason }) => {
    const error = configError(() => twilioIvr([validState, state], devConfig()), "ERR_IVR_STATE_INVALID");
    expect(error.message).toMatch(/^Invalid state provided:/);
    expect(error.message).toContain(`states[1] ("${state.name ?? ""}")`);
    const afterLabel = error.message.slice(error.message.indexOf(")") + 1);
    expect(afterLabel).toMatch(reason);
    expect(error.message).not.toContain("states[0]");
  });

  it.each([
    ["null", null],
    ["a number", 42],
    ["a string", "ENTRY"],
  ])("rejects %s in the array as an unnamed state", (_label, state) => {
    // @ts-expect-error not a state at all
    const error = configError(() => twilioIvr([state], devConfig()), "ERR_IVR_STATE_INVALID");
    expect(error.message).toMatch(/^Invalid state provided: states\[0\] \("unnamed state"\) \S/);
  });

  it("says `unnamed state` for a state without a name", () => {
    // @ts-expect-error a bare uri is no state kind
    const error = configError(() => twilioIvr([{ uri: "/bare" }], devConfig()), "ERR_IVR_STATE_INVALID");
    expect(error.message).toMatch(/^Invalid state provided: states\[0\] \("unnamed state"\)/);
  });

  it("lists every invalid state in one error", () => {
    const states = [
      validState,
      { name: "FIRST_BAD", uri: "/first" },
      endState("FINE"),
      { twimlFor: "not a function" },
      { name: "THIRD_BAD", isEndState: false, twimlFor },
    ] as unknown as State[];
    const error = configError(() => twilioIvr(states, devConfig()), "ERR_IVR_STATE_INVALID");
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^Invalid state provided:/);
    expect(lines[0]).toContain('states[1] ("FIRST_BAD")');
    expect(lines[1]).toContain('states[3] ("unnamed state")');
    expect(lines[2]).toContain('states[4] ("THIRD_BAD")');
  });

  it("accepts every valid kind, routable or not", () => {
    const normal: State = { name: "MENU", uri: "/menu", processTransitionUri: "/menu/choice", twimlFor, transitionOut };
    const states: State[] = [
      validState,
      endState("END"),
      { name: "END_BG", isEndState: true, twimlFor, backgroundTrigger },
      normal,
      { name: "NORMAL_BG", processTransitionUri: "/other/choice", twimlFor, transitionOut, backgroundTrigger },
      { name: "ASYNC", uri: "/async", twimlFor, backgroundTrigger },
      { name: "BRANCH", transitionOut },
      { uri: "/branch", transitionOut },
    ];
    expect(typeof twilioIvr(states, devConfig())).toBe("function");
  });
});

describe("twilioIvr(states, config): route conflicts", () => {
  const normal = (name: string, uri: string | undefined, processTransitionUri: string): State =>
    uri === undefined
      ? { name, processTransitionUri, twimlFor, transitionOut }
      : { name, uri, processTransitionUri, twimlFor, transitionOut };

  it.each([
    ["the same uri", { name: "A", uri: "/menu", isEndState: true, twimlFor }, { name: "B", uri: "/menu", transitionOut }],
    ["uri vs processTransitionUri", { name: "A", uri: "/menu/choice", isEndState: true, twimlFor }, normal("B", undefined, "/menu/choice")],
    ["processTransitionUri vs uri", normal("A", undefined, "/choice"), { name: "B", uri: "/choice", transitionOut }],
    ["the same processTransitionUri", normal("A", "/a", "/choice"), normal("B", "/b", "/choice")],
    ["uris differing only by case", { name: "A", uri: "/Menu", isEndState: true, twimlFor }, { name: "B", uri: "/menu", transitionOut }],
    ["uris differing only by a trailing slash", { name: "A", uri: "/menu/", isEndState: true, twimlFor }, { name: "B", uri: "/menu", transitionOut }],
    ["case and trailing slash across kinds", normal("A", undefined, "/Menu/Choice/"), { name: "B", uri: "/menu/choice", transitionOut }],
  ] as [string, State, State][])("rejects two states claiming %s", (_label, a, b) => {
    const error = configError(() => twilioIvr([validState, a, b], devConfig()), "ERR_IVR_ROUTE_CONFLICT");
    expect(error.message).toContain('states[1] ("A")');
    expect(error.message).toContain('states[2] ("B")');
  });

  it("lists every conflict in one error", () => {
    const states: State[] = [
      { name: "A", uri: "/one", isEndState: true, twimlFor },
      { name: "B", uri: "/one", transitionOut },
      { name: "C", uri: "/two", transitionOut },
      { name: "D", uri: "/TWO/", transitionOut },
    ];
    const error = configError(() => twilioIvr(states, devConfig()), "ERR_IVR_ROUTE_CONFLICT");
    for (const name of ["A", "B", "C", "D"]) expect(error.message).toContain(`("${name}")`);
  });

  it("accepts paths that are merely similar", () => {
    const states: State[] = [
      { name: "A", uri: "/menu", isEndState: true, twimlFor },
      { name: "B", uri: "/menu/main", transitionOut },
      { name: "C", uri: "/menus", transitionOut },
      normal("D", "/d", "/menu/choice"),
    ];
    expect(typeof twilioIvr(states, devConfig())).toBe("function");
  });

  describe("with the hold-music endpoint", () => {
    const withHoldMusic = (staticFiles: Partial<NonNullable<Config["staticFiles"]>> = {}): Config =>
      devConfig({
        staticFiles: { fingerprintUrl: (url: string) => `${url}?v=1`, holdMusic: { fileRelativeUri: "hold.mp3" }, ...staticFiles } as Config["staticFiles"],
      });

    it.each([
      ["/hold-music", withHoldMusic()],
      ["/Hold-Music/", withHoldMusic()],
      ["/static/hold-music", withHoldMusic({ mountPath: "/static" })],
      ["/static/hold-music", withHoldMusic({ mountPath: "/static/" })],
      ["/hold-music", withHoldMusic({ mountPath: "/" })],
      ["/Static/Music/", withHoldMusic({ mountPath: "/static", holdMusic: { fileRelativeUri: "hold.mp3", endpoint: "/music" } })],
    ])("rejects a state uri %j equal to the endpoint", (uri, config) => {
      const state: State = { name: "SHADOW", uri, isEndState: true, twimlFor };
      const error = configError(() => twilioIvr([validState, state], config), "ERR_IVR_ROUTE_CONFLICT");
      expect(error.message).toContain('states[1] ("SHADOW")');
      expect(error.message).toMatch(/hold-music endpoint/);
    });

    it("rejects a processTransitionUri equal to the endpoint", () => {
      const error = configError(
        () => twilioIvr([normal("SHADOW", undefined, "/static/hold-music")], withHoldMusic({ mountPath: "/static" })),
        "ERR_IVR_ROUTE_CONFLICT",
      );
      expect(error.message).toContain('states[0] ("SHADOW")');
    });

    it("accepts a state at the endpoint path when there is no mount-path match", () => {
      // The endpoint lives at /static/hold-music, so /hold-music is free.
      const state: State = { name: "FREE", uri: "/hold-music", isEndState: true, twimlFor };
      expect(typeof twilioIvr([state], withHoldMusic({ mountPath: "/static" }))).toBe("function");
    });
  });

  it("accepts the same state object listed twice", () => {
    const menu = normal("MENU", "/menu", "/menu/choice");
    const end = endState("END");
    expect(typeof twilioIvr([menu, end, menu, end], devConfig())).toBe("function");
  });
});

describe("twilioIvr(states, config): duplicate names", () => {
  let warnings: string[];
  let wasEnabled: boolean;
  const originalLog = log.warn.log;

  beforeEach(() => {
    warnings = [];
    wasEnabled = log.warn.enabled;
    log.warn.enabled = true;
    log.warn.log = (...args: unknown[]) => {
      warnings.push(args.map(String).join(" "));
    };
  });
  afterEach(() => {
    log.warn.enabled = wasEnabled;
    log.warn.log = originalLog;
  });

  it("accepts two states sharing a name, and logs a warning naming it", () => {
    const states: State[] = [
      { name: "SAME", uri: "/a", isEndState: true, twimlFor },
      { name: "SAME", uri: "/b", transitionOut },
    ];
    expect(typeof twilioIvr(states, devConfig())).toBe("function");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("SAME");
  });

  it("does not warn for the same state object listed twice, nor for distinct names", () => {
    const end = endState("END");
    expect(typeof twilioIvr([end, end, endState("OTHER")], devConfig())).toBe("function");
    expect(warnings).toEqual([]);
  });
});
