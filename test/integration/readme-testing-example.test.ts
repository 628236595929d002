// The "Testing your phone tree" example of README.md, run as written (imports adapted to this repository).
import twilioIvr from "../../src";
import { simulateCall } from "../../src/testing";
import { exampleStates as states } from "../helpers/example";

const app = twilioIvr(states, {
  twilio: { authToken: "test-token" }, // validation stays on: the simulator signs every request
  urlFor: { host: () => "localhost" },
  sessions: {}, // the weather (key 4) keeps its result in the call's session
});

test("a caller can hear the lunch specials, then the hours", async () => {
  const call = await simulateCall(app, { uri: "/incoming-call", from: "+15551230000", authToken: "test-token" });
  expect(call.lastSaid).toMatch(/Welcome to Foo Corp/);

  await call.press("1");
  expect(call.lastSaid).toMatch(/press one/);
  expect(call.said).toContain("Our lunch special is a hamburger.");

  await call.press("1");
  expect(call.lastSaid).toMatch(/lunch specials, press one/);

  await call.silence(); // the Gather times out; the tree says goodbye and hangs up
  expect(call.ended).toBe(true);
  expect(call.transcript.filter((e) => e.type === "request").every((e) => e.status === 200)).toBe(true);
});
