// The Foo Corp phone tree from the original README, completed.
//
//   CALL_RECEIVED (POST /incoming-call, Twilio's voice webhook)
//     press 1 -> LUNCH_SPECIALS    press 1 -> HOURS, anything else -> GOODBYE
//     press 2 -> HOURS             press 1 -> LUNCH_SPECIALS, anything else -> GOODBYE
//     press 3 -> HOLD              waits in a queue, with hold music, for someone to answer
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

/** The first key the caller pressed, or undefined if they pressed none. */
function firstDigit(inputData) {
  return (inputData.Digits || "")[0];
}

const entryState = {
  name: "CALL_RECEIVED",
  uri: "/incoming-call",
  processTransitionUri: "/incoming-call-transition-out",
  twimlFor(urlFor) {
    return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather action="${entryState.processTransitionUri}" numDigits="1">
    <Play>${urlFor("/static/welcome.wav")}</Play>
    <Say>Welcome to Foo Corp! To hear our lunch specials, press one. For our hours, press two. To speak with someone, press three.</Say>
  </Gather>
  <Redirect method="POST">${entryState.processTransitionUri}</Redirect>
</Response>`;
  },
  // On no or invalid input, play the same state again so the caller can retry.
  transitionOut(inputData) {
    switch (firstDigit(inputData)) {
      case "1":
        return lunchSpecialsState;
      case "2":
        return hoursState;
      case "3":
        return holdState;
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

// The end of the call. Not routable: states transition to it, Twilio never asks for it directly.
const goodbyeState = {
  name: "GOODBYE",
  isEndState: true,
  twimlFor(urlFor) {
    return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say>Thanks for calling Foo Corp. Goodbye!</Say>
  <Play>${urlFor("/static/goodbye.wav")}</Play>
  <Hangup/>
</Response>`;
  },
};

module.exports = {
  entryState,
  lunchSpecialsState,
  hoursState,
  holdState,
  goodbyeState,
  // Everything the app needs to know about. Normal states must be listed, because their
  // `processTransitionUri` routes are created from this list.
  states: [entryState, lunchSpecialsState, hoursState, holdState, goodbyeState],
};
