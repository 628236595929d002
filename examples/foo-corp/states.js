// The Foo Corp phone tree from the original README, completed.
//
//   CALL_RECEIVED (POST /incoming-call, Twilio's voice webhook): a menu, by key or by voice
//     1 or "lunch specials"     -> LUNCH_SPECIALS   a menu: 1 or "hours" -> HOURS
//     2 or "hours"              -> HOURS            1 -> LUNCH_SPECIALS, anything else -> GOODBYE
//     3 or "speak to someone"   -> HOLD             waits in a queue, with hold music, for someone to answer
//     4 or "weather"            -> WEATHER_LOOKUP   "please hold" while the weather is looked up, then
//                                                   WEATHER_REPORT (and back to CALL_RECEIVED) or WEATHER_UNAVAILABLE
//     a wrong key, words that pick nothing, or silence: "Sorry, ...", and the choices again;
//     after 3 such attempts -> HOLD (a person helps the caller the menu could not)
//   LUNCH_SPECIALS: a wrong key or silence: "Sorry, ...", and the choice again; the second time -> GOODBYE
//
// Each state is a plain object (`menu()` returns one too). `twimlFor` returns the TwiML that
// Twilio plays to the caller; `transitionOut` receives what the caller pressed and returns the next
// state. A normal state's TwiML sends the caller's keys to its `processTransitionUri`: the
// <Gather action> gets them when a key is pressed, and the <Redirect> after it runs when the caller
// presses nothing.
//
// Menus. CALL_RECEIVED and LUNCH_SPECIALS are made by the library's `menu()`: normal states like
// HOURS, written for us from a list of choices. They replace hand-written states (like HOURS) that
// got two things wrong, both easy to get wrong by hand:
//   - At the welcome, silence or a wrong key played the same welcome again, forever: a caller who
//     could not answer (no keypad tones, or away from the phone) was never helped, and no caller
//     was told why they were hearing it again.
//   - At the lunch specials, any other key ended the call: one slip of the finger and the caller
//     was sent off with a goodbye, never told the key was wrong, never asked again.
// A menu says what went wrong ("Sorry, that is not one of the choices."), asks again, and after
// `tries` attempts goes to `onFailure`, which it requires: no menu can loop forever or end a call
// unexplained. It counts the attempts in its answer URL (`/incoming-call-transition-out?attempt=2`,
// signed by Twilio like the rest of the URL), so it needs no session. It also listens for speech:
// each choice has phrases as well as keys.
//
// Audio files live in examples/audio and are served under /static (see app.js). `urlFor` turns
// "/static/welcome.wav" into "/static/welcome.wav?v=<md5 of the file>", so when a recording
// changes, its URL changes too and Twilio fetches the new one instead of playing its cached copy.
//
// Call sessions: app.js turns on `sessions` in the config, so every state function gets the call's
// session as its LAST argument: `transitionOut(inputData, session)`, `twimlFor(urlFor, inputData,
// session)`, `backgroundTrigger(urlFor, inputData, session)`, and a menu choice's `to` function
// `(inputData, session)`. The session keeps data between the webhooks of one call (the weather,
// here). Without `sessions` in the config, state functions get only their usual arguments, and the
// weather states below would not work.

const { createFakeWeatherService } = require("./weather");

/** The first key the caller pressed, or undefined if they pressed none. */
function firstDigit(inputData) {
  return (inputData.Digits || "")[0];
}

/** Where the caller holds while the weather is looked up: the poll state's route. */
const WEATHER_POLL_URI = "/weather/poll";

/** Each poll holds the caller one second; after this many polls without an answer, give up. */
const MAX_WEATHER_POLLS = 10;

/** What the caller hears last, before the call ends. */
const GOODBYE_TEXT = "Thanks for calling Foo Corp. Goodbye!";

/** The welcome menu's choices, said on every attempt. */
const WELCOME_CHOICES =
  "To hear our lunch specials, press one or say lunch specials. For our hours, press two or say hours. " +
  "To speak with someone, press three or say agent. For the weather, press four or say weather.";

/** How every call ends: the goodbye, said and played, then hang up. */
function goodbyeVerbs(urlFor) {
  return `<Say>${GOODBYE_TEXT}</Say>
  <Play>${urlFor("/static/goodbye.wav")}</Play>
  <Hangup/>`;
}

/**
 * Builds the states of the tree.
 *
 * @param options.menu - the library's `menu` (`require("twilio-interactive-flow").menu`). It is a
 *   parameter, like the factory is for app.js, so that server.js can pass the built package and the
 *   tests the TypeScript source.
 * @param options.weatherService - where the weather comes from: an object whose `lookUp()`
 *   returns a promise of a forecast sentence. Default: the pretend service of weather.js (slow,
 *   about a second and a half). Tests pass a faster one, or one that fails.
 * @returns every state by name, and `states`: the list to hand to `twilioIvr(states, config)`.
 */
function createStates({ menu, weatherService = createFakeWeatherService() } = {}) {
  if (typeof menu !== "function") {
    throw new TypeError('createStates needs the library\'s menu: createStates({ menu: require("twilio-interactive-flow").menu })');
  }

  // A menu's choices are read when it is made, so a state defined further down the file (a
  // `const` not yet set) is named through a function, `to: () => holdState`, called only when a
  // caller chooses it.
  const entryState = menu({
    name: "CALL_RECEIVED",
    uri: "/incoming-call",
    processTransitionUri: "/incoming-call-transition-out",
    // A function of the attempt: the chime and the welcome on the first attempt only; a caller
    // asked again hears the apology (onInvalid or onTimeout), then just the choices. A function,
    // too, because the recording's URL comes from `urlFor`.
    prompt: (urlFor, attempt) =>
      attempt === 1
        ? `<Play>${urlFor("/static/welcome.wav")}</Play><Say>Welcome to Foo Corp! ${WELCOME_CHOICES}</Say>`
        : WELCOME_CHOICES,
    // Phrases are found anywhere in what the caller says, in any case ("Uh, the lunch specials,
    // please."), and a key said aloud ("three") works too.
    options: [
      { keys: ["1"], phrases: ["lunch specials", "lunch", "specials"], to: () => lunchSpecialsState },
      { keys: ["2"], phrases: ["hours", "opening times"], to: () => hoursState },
      { keys: ["3"], phrases: ["speak to someone", "someone", "agent", "operator", "person"], to: () => holdState },
      { keys: ["4"], phrases: ["weather", "forecast"], to: startWeatherLookup },
    ],
    onInvalid: "Sorry, that is not one of the choices.",
    onTimeout: "Sorry, I didn't hear a choice.",
    tries: 3,
    // Three attempts without a choice: rather than hang up on a caller who may not be able to use
    // the menu at all, put them through to a person.
    onFailure: () => holdState,
  });

  // A choice's `to` may be a function of the caller's input (and the session): it runs when the
  // caller picks the weather, and returns the state to go to.
  async function startWeatherLookup(inputData, session) {
    // A caller who heard the weather comes back to this menu, and may ask again: forget the
    // earlier lookup (its forecast, error and poll count) before starting a new one. This
    // finishes before the lookup starts, so the first poll can never see the old answer.
    await session.update((data) => {
      delete data.weather;
      delete data.weatherError;
      delete data.weatherPolls;
      return data;
    });
    return weatherLookupState;
  }

  // Not routable (no `uri`): Twilio only gets here through the welcome's or the hours' choices.
  const lunchSpecialsState = menu({
    name: "LUNCH_SPECIALS",
    processTransitionUri: "/lunch-specials-transition-out",
    // An array: attempt n hears the n-th prompt (the last one repeats). The special is said once;
    // asked again, the caller hears only the choice.
    prompt: [
      "<Say>Our lunch special is a hamburger.</Say><Say>If you want to now hear our hours, press one or say hours.</Say>",
      "<Say>To hear our hours, press one or say hours.</Say>",
    ],
    options: [{ keys: ["1"], phrases: ["hours"], to: () => hoursState }],
    // The defaults, "Sorry, that is not one of the choices." and "Sorry, I didn't catch that.",
    // are said before the second attempt; after it, the call ends.
    tries: 2,
    onFailure: () => goodbyeState,
  });

  // Still a hand-written normal state: after the hours, a caller who wants nothing more may press
  // any key or simply wait, and hears the goodbye. (A menu is this kind of state, plus the retries.)
  const hoursState = {
    name: "HOURS",
    processTransitionUri: "/hours-transition-out",
    twimlFor() {
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather action="${hoursState.processTransitionUri}" numDigits="1">
    <Say>We are open Monday to Friday, from 11 in the morning to 3 in the afternoon.</Say>
    <Say>To hear our lunch specials, press one.</Say>
  </Gather>
  <Redirect method="POST">${hoursState.processTransitionUri}</Redirect>
</Response>`;
    },
    transitionOut(inputData) {
      return firstDigit(inputData) === "1" ? lunchSpecialsState : goodbyeState;
    },
  };

  // An end state: the call leaves the tree and waits in the "foo-corp" queue until a staff member
  // picks it up (for example by dialing <Dial><Queue>foo-corp</Queue></Dial> from their phone).
  // Meanwhile Twilio fetches `waitUrl` for TwiML to play: the library's hold-music endpoint. It is
  // fetched with GET so that Twilio caches it, and its URL is absolute and fingerprinted like the
  // audio files, so it changes whenever the music does.
  const holdState = {
    name: "HOLD",
    isEndState: true,
    twimlFor(urlFor) {
      const waitUrl = urlFor("/static/hold-music", { absolute: true });
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say>Please hold while we find someone to help you.</Say>
  <Enqueue waitUrl="${waitUrl}" waitUrlMethod="GET">foo-corp</Enqueue>
</Response>`;
    },
  };

  // ---------------------------------------------------------------------------------------------
  // The weather: a slow lookup, and the caller holding while the call polls for its result.
  //
  // A webhook should answer within a few seconds, and the weather service may take longer. So:
  //   1. WEATHER_LOOKUP (asynchronous) starts the lookup in the background and answers at once:
  //      "please hold", then a <Redirect> to the poll route.
  //   2. WEATHER_POLL (POST /weather/poll) reads the call's session: the forecast is there ->
  //      WEATHER_REPORT; the lookup failed -> WEATHER_UNAVAILABLE; not yet -> WEATHER_WAIT.
  //   3. WEATHER_WAIT pauses one second and redirects to the poll route again: back to step 2.
  // The lookup and the polls are different requests (possibly to different servers, with
  // RedisStore): the call's session is where they meet.
  // ---------------------------------------------------------------------------------------------

  // Asynchronous: `backgroundTrigger` runs just before `twimlFor`, and the library does not wait
  // for it: the caller hears "please hold" at once while the lookup goes on.
  const weatherLookupState = {
    name: "WEATHER_LOOKUP",
    backgroundTrigger(urlFor, inputData, session) {
      // Returning the promise lets the library log it if it fails (e.g. the session store is down).
      // If the call has already ended when the lookup finishes, this write re-creates the call's
      // data; it then expires with the store's TTL.
      return weatherService.lookUp().then(
        (forecast) => session.set("weather", forecast),
        (error) => session.set("weatherError", error.message),
      );
    },
    twimlFor() {
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say>We're looking up the weather. Please hold on.</Say>
  <Redirect method="POST">${WEATHER_POLL_URI}</Redirect>
</Response>`;
    },
  };

  // Routable (it has a `uri`), branching and not renderable (no `twimlFor`): a POST to
  // /weather/poll runs `transitionOut`, and the library renders the state it returns.
  const weatherPollState = {
    name: "WEATHER_POLL",
    uri: WEATHER_POLL_URI,
    async transitionOut(inputData, session) {
      const { weather, weatherError } = await session.getAll();
      if (weather !== undefined) return weatherReportState;
      if (weatherError !== undefined) return weatherUnavailableState;
      // No answer yet: count this poll. `update` is an atomic read-modify-write, so the count
      // stays right even when two requests for the same call arrive at once.
      const { weatherPolls } = await session.update((data) => ({ ...data, weatherPolls: (data.weatherPolls || 0) + 1 }));
      return weatherPolls >= MAX_WEATHER_POLLS ? weatherUnavailableState : weatherWaitState;
    },
  };

  // An end state that does not end the call: one second of silence, then the next poll. (A
  // <Play> of a short hold tune would do instead of the <Pause>.)
  const weatherWaitState = {
    name: "WEATHER_WAIT",
    isEndState: true,
    twimlFor() {
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Pause length="1"/>
  <Redirect method="POST">${WEATHER_POLL_URI}</Redirect>
</Response>`;
    },
  };

  // Says the forecast the lookup saved in the session, then goes back to the main menu.
  const weatherReportState = {
    name: "WEATHER_REPORT",
    isEndState: true,
    async twimlFor(urlFor, inputData, session) {
      const forecast = await session.get("weather");
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say>Here is the weather in Foo City today: ${escapeXml(forecast)}.</Say>
  <Redirect method="POST">${entryState.uri}</Redirect>
</Response>`;
    },
  };

  // The lookup failed, or took too long: apologise and end the call.
  const weatherUnavailableState = {
    name: "WEATHER_UNAVAILABLE",
    isEndState: true,
    twimlFor(urlFor) {
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say>Sorry, we can't get the weather right now.</Say>
  ${goodbyeVerbs(urlFor)}
</Response>`;
    },
  };

  // The end of the call. Not routable: states transition to it, Twilio never asks for it directly.
  const goodbyeState = {
    name: "GOODBYE",
    isEndState: true,
    twimlFor(urlFor) {
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  ${goodbyeVerbs(urlFor)}
</Response>`;
    },
  };

  return {
    entryState,
    lunchSpecialsState,
    hoursState,
    holdState,
    weatherLookupState,
    weatherPollState,
    weatherWaitState,
    weatherReportState,
    weatherUnavailableState,
    goodbyeState,
    // Everything the app needs to know about. Normal states and routable states must be listed:
    // their `processTransitionUri` and `uri` routes are created from this list.
    states: [
      entryState,
      lunchSpecialsState,
      hoursState,
      holdState,
      weatherLookupState,
      weatherPollState,
      weatherWaitState,
      weatherReportState,
      weatherUnavailableState,
      goodbyeState,
    ],
  };
}

/** Text from elsewhere (here, the weather service) must be escaped before it goes into TwiML. */
function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

module.exports = { createStates, WEATHER_POLL_URI, MAX_WEATHER_POLLS };
