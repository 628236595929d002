// Starts the Foo Corp phone tree: `npm start` (which builds the library first).
//
// Environment:
//   PORT               port to listen on (default 3000)
//   TWILIO_AUTH_TOKEN  your Twilio auth token; without it, signature validation is off
//   PUBLIC_HOST        the public host name Twilio reaches this server at, e.g. a tunnel's
//                      "abc.example-tunnel.app" (assumed to be https); default localhost:<PORT>
//   REDIS_URL          keep call sessions in Redis, e.g. redis://localhost:6379 (needs the
//                      `redis` package); without it, they are kept in this process's memory
//   FLOW_TRACE         1: answers say which states each request went through (a response
//                      header), so that `twilio-interactive-flow map <url>` draws the tree with
//                      its state names; leave it off in production
//
// In your own project, this would be require("twilio-interactive-flow").
const library = require("../../dist/index.cjs");
const { createApp, STATUS_CALLBACK_URI } = require("./app");

const port = Number(process.env.PORT || 3000);
const authToken = process.env.TWILIO_AUTH_TOKEN || "";
const publicHost = process.env.PUBLIC_HOST || "";
const redisUrl = process.env.REDIS_URL || "";
const trace = process.env.FLOW_TRACE === "1";

const app = createApp(library, {
  authToken,
  host: publicHost || `localhost:${port}`,
  // Tunnels and proxies terminate TLS: Twilio calls https even though this server speaks http.
  scheme: publicHost ? "https" : undefined,
  // Several servers answering one number must share call sessions: Redis does that. Without
  // REDIS_URL, createApp uses the library's in-memory store, fine for a single process.
  sessionStore: redisUrl ? new library.RedisStore({ url: redisUrl }) : undefined,
  trace,
});

app.listen(port, () => {
  const base = `localhost:${port}`;
  console.log(`Foo Corp phone tree listening on http://${base}`);
  if (authToken) {
    console.log("Twilio signature validation is ON: requests not signed with TWILIO_AUTH_TOKEN get 403.");
  } else {
    console.log("Twilio signature validation is OFF (TWILIO_AUTH_TOKEN is not set): fine for development, never for production.");
  }
  // The URL is never printed: it may hold a password.
  console.log(`Call sessions are kept ${redisUrl ? "in Redis (REDIS_URL)" : "in memory (set REDIS_URL to keep them in Redis)"}.`);
  if (trace) {
    console.log(
      `State traces are ON (FLOW_TRACE=1): every answer names the states it went through. Draw the tree with\n` +
        `  npx twilio-interactive-flow map http://${base}/incoming-call --out flow.html`,
    );
  }
  const publicBase = publicHost ? `https://${publicHost}` : `http://${base}`;
  if (publicHost) console.log(`Point your number's voice webhook at ${publicBase}/incoming-call`);
  console.log(
    `Point your number's call status callback ("Call status changes", POST) at ${publicBase}${STATUS_CALLBACK_URI}:\n` +
      "when a call ends, Twilio tells that route and the call's session data is deleted at once.",
  );
  console.log(`
Walk the tree (each answer is the TwiML Twilio would play). A menu's answers go to the
<Gather action> it printed, which counts the attempt: ?attempt=N.
  curl -X POST ${base}/incoming-call                                                  # welcome menu
  curl -X POST '${base}/incoming-call-transition-out?attempt=1' -d Digits=1           # lunch specials
  curl -X POST '${base}/incoming-call-transition-out?attempt=1' --data-urlencode 'SpeechResult=The hours, please.'   # hours, by voice
  curl -X POST '${base}/incoming-call-transition-out?attempt=1' -d Digits=7           # not a choice: sorry, attempt 2
  curl -X POST '${base}/incoming-call-transition-out?attempt=3'                       # silence, last attempt: on hold
  curl -X POST '${base}/lunch-specials-transition-out?attempt=1' -d Digits=1          # hours
  curl -X POST ${base}/hours-transition-out -d Digits=9                               # goodbye
  curl -X POST '${base}/incoming-call-transition-out?attempt=1' -d Digits=3           # on hold
  curl ${base}/static/hold-music                                                      # hold-music TwiML

The weather keeps data in the call's session, so these requests name a call (CallSid):
  curl -X POST '${base}/incoming-call-transition-out?attempt=1' -d Digits=4 -d CallSid=CA1   # "please hold"
  curl -X POST ${base}/weather/poll -d CallSid=CA1                  # holds again, or says the weather
  curl -X POST ${base}${STATUS_CALLBACK_URI} -d CallSid=CA1 -d CallStatus=completed   # call over: data deleted`);
  console.log(`
Or call it from the terminal: it plays what the caller hears, you type the keys (\`--help\` for more):
  npm run call -- http://${base}/incoming-call
  printf '1\\n1\\n\\n' | npm run call -- http://${base}/incoming-call   # a scripted call
  printf 'say lunch specials\\nsay hours\\n\\n' | npm run call -- http://${base}/incoming-call   # the same, by voice
  printf '4\\n' | npm run call -- http://${base}/incoming-call --status-callback ${STATUS_CALLBACK_URI}
      # the weather: the caller holds in real time, and the call's data is deleted when it ends
(In a project that installed twilio-interactive-flow: npx twilio-interactive-flow call http://${base}/incoming-call)`);
  if (authToken) {
    console.log("The terminal phone signs its requests with TWILIO_AUTH_TOKEN from the environment too (or pass --auth-token).");
  }
});
