// With sessions off, state functions get exactly the original's arguments; with sessions on, the
// call's session is added as the last argument, its position fixed even when the input is undefined.
import request from "supertest";
import type { CallSession, State } from "../../../src";
import { buildApp, devConfig } from "../../helpers/app";
import { CountingStore } from "../../helpers/counting-store";

const anyUrlFor = expect.any(Function);

function tree() {
  const end = { name: "END", isEndState: true as const, twimlFor: jest.fn((..._args: unknown[]) => "<Response>end</Response>") };
  const branch = { name: "BRANCH", transitionOut: jest.fn((..._args: unknown[]): State => end) };
  const menu = {
    name: "MENU",
    uri: "/menu",
    processTransitionUri: "/menu/choice",
    twimlFor: jest.fn((..._args: unknown[]) => "<Response>menu</Response>"),
    transitionOut: jest.fn((..._args: unknown[]): State => branch),
    backgroundTrigger: jest.fn((..._args: unknown[]) => undefined),
  };
  return { end, branch, menu };
}

describe("argument lists", () => {
  it("with sessions off, every function gets exactly the original's arguments", async () => {
    const { end, branch, menu } = tree();
    const app = buildApp([menu, branch, end]);
    await request(app).post("/menu").type("form").send("CallSid=CA1").expect(200);
    await request(app).post("/menu/choice").type("form").send("CallSid=CA1&Digits=5").expect(200);
    expect(menu.backgroundTrigger.mock.calls).toStrictEqual([[anyUrlFor, { CallSid: "CA1" }]]);
    expect(menu.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, { CallSid: "CA1" }]]);
    expect(menu.transitionOut.mock.calls).toStrictEqual([[{ CallSid: "CA1", Digits: "5" }]]);
    expect(branch.transitionOut.mock.calls).toStrictEqual([[undefined]]);
    expect(end.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, undefined]]);
  });

  it("with sessions on, the call's session is added last to every function, position fixed", async () => {
    const { end, branch, menu } = tree();
    const app = buildApp([menu, branch, end], devConfig({ sessions: {} }));
    await request(app).post("/menu").type("form").send("CallSid=CA1").expect(200);
    await request(app).post("/menu/choice").type("form").send("CallSid=CA1&Digits=5").expect(200);
    const session = expect.objectContaining({ callSid: "CA1", get: expect.any(Function) });
    expect(menu.backgroundTrigger.mock.calls).toStrictEqual([[anyUrlFor, { CallSid: "CA1" }, session]]);
    expect(menu.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, { CallSid: "CA1" }, session]]);
    expect(menu.transitionOut.mock.calls).toStrictEqual([[{ CallSid: "CA1", Digits: "5" }, session]]);
    expect(branch.transitionOut.mock.calls).toStrictEqual([[undefined, session]]);
    expect(end.twimlFor.mock.calls).toStrictEqual([[anyUrlFor, undefined, session]]);
  });

  it("every function of one request shares one session; another call gets its own", async () => {
    const seen: CallSession[] = [];
    const end: State = { isEndState: true, twimlFor: (_u, _i, s) => (seen.push(s!), "<Response/>") };
    const branch: State = { uri: "/b", transitionOut: (_i, s) => (seen.push(s!), end) };
    const app = buildApp([branch], devConfig({ sessions: {} }));
    await request(app).post("/b").type("form").send("CallSid=CA1").expect(200);
    await request(app).post("/b").type("form").send("CallSid=CA2").expect(200);
    expect(seen[0]).toBe(seen[1]);
    expect(seen.map((s) => s.callSid)).toEqual(["CA1", "CA1", "CA2", "CA2"]);
  });

  it("a request whose states never touch the session makes no store round trip", async () => {
    const store = new CountingStore();
    const { end, branch, menu } = tree();
    const app = buildApp([menu, branch, end], devConfig({ sessions: { store } }));
    await request(app).post("/menu").type("form").send("CallSid=CA1").expect(200);
    await request(app).post("/menu/choice").type("form").send("CallSid=CA1&Digits=1").expect(200);
    expect(store.calls).toEqual([]);
  });

  it("a state that reads and writes costs exactly those round trips", async () => {
    const store = new CountingStore();
    const state: State = {
      uri: "/count",
      isEndState: true,
      async twimlFor(_urlFor, _input, session) {
        const n = ((await session!.get("n")) as number | undefined) ?? 0;
        await session!.set("n", n + 1);
        return `<Response><Say>${n + 1}</Say></Response>`;
      },
    };
    const app = buildApp([state], devConfig({ sessions: { store } }));
    expect((await request(app).post("/count").type("form").send("CallSid=CA7")).text).toContain("<Say>1</Say>");
    expect((await request(app).post("/count").type("form").send("CallSid=CA7")).text).toContain("<Say>2</Say>");
    expect(store.calls).toEqual(["get CA7", "patch CA7", "get CA7", "patch CA7"]);
  });
});
