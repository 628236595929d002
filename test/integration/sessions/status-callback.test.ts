// sessions.statusCallbackUri: Twilio's call status callback deletes a call's data once it ended.
import request from "supertest";
import { MemoryStore, type State } from "../../../src";
import { simulateCall } from "../../../src/testing";
import { AUTH_TOKEN, PUBLIC_HOST, buildApp, devConfig, sign, validatingConfig } from "../../helpers/app";

const remember: State = {
  name: "REMEMBER",
  uri: "/call",
  isEndState: true,
  async twimlFor(_urlFor, _input, session) {
    await session!.set("seen", true);
    return "<Response><Say>Hi</Say><Hangup/></Response>";
  },
};

async function withData(store: MemoryStore, callSid: string): Promise<void> {
  await store.patch(callSid, { set: { a: "1" }, remove: [] }, 60);
}

describe("the status callback route", () => {
  it.each(["completed", "busy", "failed", "no-answer", "canceled"])("deletes the call's data when the call is %s, answering 204", async (status) => {
    const store = new MemoryStore();
    await withData(store, "CA1");
    await withData(store, "CA2");
    const app = buildApp([remember], devConfig({ sessions: { store, statusCallbackUri: "/status" } }));
    const res = await request(app).post("/status").type("form").send(`CallSid=CA1&CallStatus=${status}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect(await store.get("CA1")).toBeUndefined();
    expect(await store.get("CA2")).toBeDefined();
  });

  it.each(["queued", "ringing", "in-progress", ""])("keeps the data while the call is %j", async (status) => {
    const store = new MemoryStore();
    await withData(store, "CA1");
    const app = buildApp([remember], devConfig({ sessions: { store, statusCallbackUri: "/status" } }));
    await request(app).post("/status").type("form").send(`CallSid=CA1&CallStatus=${status}`).expect(204);
    expect(await store.get("CA1")).toBeDefined();
  });

  it("answers 400 without a CallSid", async () => {
    const app = buildApp([remember], devConfig({ sessions: { statusCallbackUri: "/status" } }));
    const res = await request(app).post("/status").type("form").send("CallStatus=completed");
    expect(res.status).toBe(400);
  });

  it("checks the signature like every route: unsigned is 403 and deletes nothing; signed works", async () => {
    const store = new MemoryStore();
    await withData(store, "CA1");
    const app = buildApp([remember], validatingConfig({ sessions: { store, statusCallbackUri: "/status" } }));
    const params = { CallSid: "CA1", CallStatus: "completed" };
    await request(app).post("/status").type("form").send(params).expect(403);
    expect(await store.get("CA1")).toBeDefined();
    await request(app)
      .post("/status")
      .set("Host", PUBLIC_HOST)
      .set("X-Twilio-Signature", sign(`http://${PUBLIC_HOST}/status`, params))
      .type("form")
      .send(params)
      .expect(204);
    expect(await store.get("CA1")).toBeUndefined();
  });

  it("other methods fall through", async () => {
    const app = buildApp([remember], devConfig({ sessions: { statusCallbackUri: "/status" } }));
    await request(app).get("/status").expect(404);
  });

  it("a simulated call's data is gone after it hangs up, when its status callback points at the route", async () => {
    const store = new MemoryStore();
    const destroy = jest.spyOn(store, "destroy");
    const app = buildApp([remember], validatingConfig({ sessions: { store, statusCallbackUri: "/status" } }));
    const call = await simulateCall(app, { uri: "/call", authToken: AUTH_TOKEN, baseUrl: `http://${PUBLIC_HOST}`, statusCallback: "/status" });
    expect(call.ended).toBe(true);
    expect(call.transcript.filter((e) => e.type === "request").map((e) => e.status)).toEqual([200, 204]);
    expect(destroy.mock.calls).toEqual([[call.callSid]]);
    expect(await store.get(call.callSid)).toBeUndefined();
  });
});
