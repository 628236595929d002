// SimulatedCall.fork(): a copy of the call that goes its own way from where it is.
import { menu, type State } from "../../../src";
import { simulateCall } from "../../../src/testing";
import { buildApp } from "../../helpers/app";

const end = (name: string): State => ({ name, isEndState: true, twimlFor: () => `<Response><Say>${name}</Say><Hangup/></Response>` });
const main = menu({
  name: "MAIN",
  uri: "/incoming",
  processTransitionUri: "/main",
  prompt: "Press 1 or 2.",
  options: [
    { keys: ["1"], phrases: ["one"], to: end("ONE") },
    { keys: ["2"], to: end("TWO") },
  ],
  onFailure: end("BYE"),
});
const app = buildApp([main, end("ONE"), end("TWO"), end("BYE")]);

describe("fork", () => {
  it("the fork and the call go separate ways; each keeps its own transcript; one CallSid", async () => {
    const call = await simulateCall(app, { uri: "/incoming" });
    const before = call.transcript.length;
    const twin = await call.fork();
    expect(twin.callSid).toBe(call.callSid);
    expect(twin.transcript).toEqual(call.transcript);
    expect(twin.waitingFor).toBe("gather");
    expect(twin.gather).toEqual({ input: ["dtmf", "speech"], numDigits: 1, finishOnKey: "#", hints: ["one"] });

    await twin.press("2");
    expect(twin.lastSaid).toBe("TWO");
    expect(call.transcript).toHaveLength(before);
    expect(call.waitingFor).toBe("gather");

    await call.press("1");
    expect(call.lastSaid).toBe("ONE");
    expect(twin.lastSaid).toBe("TWO");
    expect(call.states.at(-1)).toMatchObject({ state: "ONE" });
    expect(twin.states.at(-1)).toMatchObject({ state: "TWO" });
  });

  it("waits for a step in progress, and copies the call after it", async () => {
    const call = await simulateCall(app, { uri: "/incoming" });
    const pressing = call.press("1");
    const twin = await call.fork();
    await pressing;
    expect(twin.ended).toBe(true);
    expect(twin.lastSaid).toBe("ONE");
  });

  it("a fork of an ended call is ended too", async () => {
    const call = await simulateCall(app, { uri: "/incoming" });
    await call.press("2");
    const twin = await call.fork();
    expect(twin.ended).toBe(true);
    await expect(twin.press("1")).rejects.toThrow(/The call has ended/);
  });

  it("forks of forks: three ways from one Gather", async () => {
    const call = await simulateCall(app, { uri: "/incoming" });
    const [a, b] = [await call.fork(), await call.fork()];
    const c = await a.fork();
    await a.press("1");
    await b.press("2");
    await c.silence();
    expect([a.lastSaid, b.lastSaid, c.lastSaid]).toEqual(["ONE", "TWO", "Press 1 or 2."]);
    expect(c.transcript.filter((e) => e.type === "input")).toEqual([{ type: "input", silence: true }]);
  });
});
