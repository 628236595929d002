// The "Usage" example of README.md, run as written.
import twilioIvr from "../../src";
import type { State } from "../../src";
import { simulateCall } from "../../src/testing";

const goodbye: State = {
  name: "GOODBYE",
  isEndState: true,
  twimlFor: () => "<Response><Say>Goodbye!</Say><Hangup/></Response>",
};

const welcome: State = {
  name: "WELCOME",
  uri: "/incoming-call", // Twilio's voice webhook
  processTransitionUri: "/welcome-choice", // where the caller's keys are sent
  twimlFor: () => `<Response>
      <Gather action="/welcome-choice" numDigits="1">
        <Say>Press 1 to hear this again, or any other key to hang up.</Say>
      </Gather>
      <Redirect method="POST">/welcome-choice</Redirect>
    </Response>`,
  transitionOut: (input) => (input?.Digits === "1" ? welcome : goodbye),
};

// As a newcomer runs it: TWILIO_AUTH_TOKEN not set. The snippet must start, with validation off.
delete process.env.TWILIO_AUTH_TOKEN;
const token = process.env.TWILIO_AUTH_TOKEN ?? "";
const app = twilioIvr([welcome, goodbye], {
  // Without TWILIO_AUTH_TOKEN this runs with validation off (and warns under NODE_ENV=production):
  // fine for trying it out, never for a real number.
  twilio: { authToken: token, validate: token !== "" },
  urlFor: { host: () => "ivr.example.com", scheme: () => "https" },
});

test("pressing 1 repeats the welcome; another key says goodbye and hangs up", async () => {
  const call = await simulateCall(app, { uri: "/incoming-call" });
  expect(call.lastSaid).toBe("Press 1 to hear this again, or any other key to hang up.");
  await call.press("1");
  expect(call.said).toHaveLength(2);
  await call.press("7");
  expect(call.lastSaid).toBe("Goodbye!");
  expect(call.ended).toBe(true);
});

test("silence follows the Redirect, which counts as no key: goodbye", async () => {
  const call = await simulateCall(app, { uri: "/incoming-call" });
  await call.silence();
  expect(call.lastSaid).toBe("Goodbye!");
});
