// The Foo Corp phone tree from the original README, completed.
//
//   CALL_RECEIVED (POST /incoming-call, Twilio's voice webhook)
//     press 1 -> LUNCH_SPECIALS    press 1 -> HOURS, anything else -> GOODBYE
//     press 2 -> HOURS             press 1 -> LUNCH_SPECIALS, anything else -> GOODBYE
//     press 3 -> HOLD              waits in a queue, with hold music, for someone to answer
//     press 4 -> WEATHER_LOOKUP    "please hold" while the weather is looked up, then
//                                  WEATHER_REPORT (and back to CALL_RECEIVED) or WEATHER_UNAVAILABLE
//     nothing or another key -> CALL_RECEIVED again
//
// Each state is a plain object. `twimlFor` returns the TwiML that Twilio plays to the caller;
// `transitionOut` receives what the caller pressed and returns the next state. A normal state's
// TwiML sends the caller's keys to its `processTransitionUri`: the <Gather action> gets them when
// a key is pressed, and the <Redirect> after it runs when the caller presses nothing.
//
// Audio files live in examples/audio and are served under /static (see app.js). `urlFor` turns
// "/static/welcome.wav" into "/static/welcome.wav?v=<md5 of the file>", so when a recording
// changes, its URL changes too and Twilio fetches the new one instead of playing its cached copy.
//
// Call sessions: app.js turns on `sessions` in the config, so every state function gets the call's
// session as its LAST argument: `transitionOut(inputData, session)`, `twimlFor(urlFor, inputData,
// session)`, `backgroundTrigger(urlFor, inputData, session)`. The session keeps data between the
// webhooks of one call (the weather, here). Without `sessions` in the config, state functions get
// only their usual arguments, and the weather states below would not work.

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

/** How every call ends: the goodbye, said and played, then hang up. */
function goodbyeVerbs(urlFor) {
  return `<Say>${GOODBYE_TEXT}</Say>
  <Play>${urlFor("/static/goodbye.wav")}</Play>
  <Hangup/>`;
}

/**
 * Builds the states of the tree.
 *
 * @param options.weatherService - where the weather comes from: an object whose `lookUp()`
 *   returns a promise of a forecast sentence. Default: the pretend service of weather.js (slow,
 *   about a second and a half). Tests pass a faster one, or one that fails.
 * @returns every state by name, and `states`: the list to hand to `twilioIvr(states, config)`.
 */
function createStates({ weatherService = createFakeWeatherService() } = {}) {
  const entryState = {
    name: "CALL_RECEIVED",
    uri: "/incoming-call",
    processTransitionUri: "/incoming-call-transition-out",
    twimlFor(urlFor) {
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather action="${entryState.processTransitionUri}" numDigits="1">
    <Play>${urlFor("/static/welcome.wav")}</Play>
    <Say>Welcome to Foo Corp! To hear our lunch specials, press one. For our hours, press two. To speak with someone, press three. For the weather, press four.</Say>
  </Gather>
  <Redirect method="POST">${entryState.processTransitionUri}</Redirect>
</Response>`;
    },
    // On no or invalid input, play the same state again so the caller can retry.
    async transitionOut(inputData, session) {
      switch (firstDigit(inputData)) {
        case "1":
          return lunchSpecialsState;
        case "2":
          return hoursState;
        case "3":
          return holdState;
        case "4":
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
        default:
          return entryState;
      }
    },
  };

  // Not routable (no `uri`): Twilio only gets here through the entry state's or the hours' choices.
  const lunchSpecialsState = {
    name: "LUNCH_SPECIALS",
    processTransitionUri: "/lunch-specials-transition-out",
    twimlFor() {
      return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather action="${lunchSpecialsState.processTransitionUri}" numDigits="1">
    <Say>Our lunch special is a hamburger.</Say>
    <Say>If you want to now hear our hours, press one.</Say>
  </Gather>
  <Redirect method="POST">${lunchSpecialsState.processTransitionUri}</Redirect>
</Response>`;
    },
    transitionOut(inputData) {
      return firstDigit(inputData) === "1" ? hoursState : goodbyeState;
    },
  };

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

module.exports = {
  createStates,
  WEATHER_POLL_URI,
  MAX_WEATHER_POLLS,
  // The states with the default (pretend) weather service.
  states: createStates().states,
};
