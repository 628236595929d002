// The scripted walks of the Foo Corp tree (examples/foo-corp/states.js) that the soak's simulated
// callers take, and what each step must make the caller hear. A walk throws a SoakFailure for
// anything unexpected; `checkWeather` is called after each weather report to compare the call's
// Redis hash with what the caller observed.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { DEFAULT_FORECAST } = require("../../examples/foo-corp/weather.js");

// The example's spoken texts, as test/helpers/example-texts.ts and
// test/integration/example-simulator.test.ts spell them (a .mjs cannot import those .ts files).
// A drift between these and states.js shows up as failed calls, never as a silent pass.
const CHOICES =
  "To hear our lunch specials, press one or say lunch specials. For our hours, press two or say hours. " +
  "To speak with someone, press three or say agent. For the weather, press four or say weather.";
const WELCOME = `Welcome to Foo Corp! ${CHOICES}`;
const WELCOME_INVALID = "Sorry, that is not one of the choices.";
const WELCOME_TIMEOUT = "Sorry, I didn't hear a choice.";
const LUNCH = ["Our lunch special is a hamburger.", "If you want to now hear our hours, press one or say hours."];
const LUNCH_AGAIN = "To hear our hours, press one or say hours.";
const LUNCH_INVALID = "Sorry, that is not one of the choices.";
const LUNCH_TIMEOUT = "Sorry, I didn't catch that.";
const HOURS = ["We are open Monday to Friday, from 11 in the morning to 3 in the afternoon.", "To hear our lunch specials, press one."];
const HOLD = "Please hold while we find someone to help you.";
const GOODBYE = "Thanks for calling Foo Corp. Goodbye!";
const WEATHER_HOLD = "We're looking up the weather. Please hold on.";
const WEATHER = `Here is the weather in Foo City today: ${DEFAULT_FORECAST}.`;

export { WELCOME, DEFAULT_FORECAST };

/** A call that did not go as scripted: the reason is printed (the first few of them). */
export class SoakFailure extends Error {}

/** What the caller heard (said texts) since transcript entry `from`. */
function saidSince(call, from) {
  return call.transcript.slice(from).flatMap((e) => (e.type === "say" ? [e.text] : []));
}

/**
 * Runs one caller action and checks the texts said in answer, exactly and in order.
 * @returns the transcript entries of the step
 */
async function step(call, label, act, expected) {
  const from = call.transcript.length;
  await act();
  const heard = saidSince(call, from);
  if (JSON.stringify(heard) !== JSON.stringify(expected)) {
    throw new SoakFailure(`${label}: heard ${JSON.stringify(heard)}, expected ${JSON.stringify(expected)}`);
  }
  return call.transcript.slice(from);
}

function expectWaiting(call, label, kind) {
  if (call.waitingFor !== kind) throw new SoakFailure(`${label}: the call waits for ${call.waitingFor}, expected ${kind}`);
}

/**
 * The weather step: please hold, the polls (one <Pause> per poll that found nothing yet), the
 * report, then the welcome again. Checks the call's hash in Redis against the polls counted.
 */
async function weather(call, ctx, label, act) {
  const entries = await step(call, label, act, [WEATHER_HOLD, WEATHER, WELCOME]);
  const waits = entries.filter((e) => e.type === "pause").length;
  await ctx.checkWeather(call.callSid, waits);
  expectWaiting(call, label, "gather");
}

const press = (call, keys) => () => call.press(keys);
const say = (call, words) => () => call.say(words);
const silence = (call) => () => call.silence();

/** Each walk starts after the welcome was checked (the call waits at the welcome menu). */
export const WALKS = [
  {
    name: "lunch-hours-by-key",
    async run(call) {
      await step(call, "1 at welcome", press(call, "1"), LUNCH);
      await step(call, "1 at lunch", press(call, "1"), HOURS);
      await step(call, "9 at hours", press(call, "9"), [GOODBYE]);
    },
  },
  {
    name: "hours-by-speech",
    async run(call) {
      await step(call, "'the hours' at welcome", say(call, "The hours, please."), HOURS);
      await step(call, "silence at hours", silence(call), [GOODBYE]);
    },
  },
  {
    name: "invalid-then-valid",
    async run(call) {
      await step(call, "7 at welcome", press(call, "7"), [WELCOME_INVALID, CHOICES]);
      await step(call, "'pizza' at welcome", say(call, "I want a pizza"), [WELCOME_INVALID, CHOICES]);
      await step(call, "2 at welcome (attempt 3)", press(call, "2"), HOURS);
      await step(call, "1 at hours", press(call, "1"), LUNCH);
      await step(call, "5 at lunch", press(call, "5"), [LUNCH_INVALID, LUNCH_AGAIN]);
      await step(call, "'hours' at lunch (attempt 2)", say(call, "hours"), HOURS);
      expectWaiting(call, "after the hours", "gather");
      await call.hangUp();
    },
  },
  {
    name: "silence-to-last-attempt",
    async run(call) {
      await step(call, "silence 1", silence(call), [WELCOME_TIMEOUT, CHOICES]);
      await step(call, "silence 2", silence(call), [WELCOME_TIMEOUT, CHOICES]);
      await step(call, "silence 3", silence(call), [HOLD]);
      expectWaiting(call, "after 3 silences", "hold");
      await step(call, "on hold", silence(call), []);
      await call.hangUp();
    },
  },
  {
    name: "agent-by-speech",
    async run(call) {
      await step(call, "'speak to someone'", say(call, "I'd like to speak to someone"), [HOLD]);
      expectWaiting(call, "after 'speak to someone'", "hold");
      await call.hangUp();
    },
  },
  {
    name: "lunch-slips-to-goodbye",
    async run(call) {
      await step(call, "'lunch' at welcome", say(call, "Uh, the lunch specials"), LUNCH);
      await step(call, "silence at lunch", silence(call), [LUNCH_TIMEOUT, LUNCH_AGAIN]);
      await step(call, "8 at lunch (attempt 2)", press(call, "8"), [GOODBYE]);
    },
  },
  {
    name: "weather-by-key",
    async run(call, ctx) {
      await weather(call, ctx, "4 at welcome", press(call, "4"));
      await step(call, "3 at welcome", press(call, "3"), [HOLD]);
      await call.hangUp();
    },
  },
  {
    name: "weather-twice-by-speech",
    async run(call, ctx) {
      await weather(call, ctx, "'weather' at welcome", say(call, "What's the weather going to be?"));
      // The second lookup starts afresh: startWeatherLookup deletes the first one's fields.
      await weather(call, ctx, "'forecast' at welcome", say(call, "forecast"));
      await step(call, "2 at welcome", press(call, "2"), HOURS);
      await step(call, "0 at hours", press(call, "0"), [GOODBYE]);
    },
  },
];
