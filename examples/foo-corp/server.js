// Starts the Foo Corp phone tree: `npm start` (which builds the library first).
//
// Environment:
//   PORT               port to listen on (default 3000)
//   TWILIO_AUTH_TOKEN  your Twilio auth token; without it, signature validation is off
//   PUBLIC_HOST        the public host name Twilio reaches this server at, e.g. a tunnel's
//                      "abc.example-tunnel.app" (assumed to be https); default localhost:<PORT>
//
// In your own project, this would be require("twilio-interactive-flow").default.
const twilioIvr = require("../../dist/index.cjs").default;
const { createApp } = require("./app");

const port = Number(process.env.PORT || 3000);
const authToken = process.env.TWILIO_AUTH_TOKEN || "";
const publicHost = process.env.PUBLIC_HOST || "";

const app = createApp(twilioIvr, {
  authToken,
  host: publicHost || `localhost:${port}`,
  // Tunnels and proxies terminate TLS: Twilio calls https even though this server speaks http.
  scheme: publicHost ? "https" : undefined,
});

app.listen(port, () => {
  const base = `localhost:${port}`;
  console.log(`Foo Corp phone tree listening on http://${base}`);
  if (authToken) {
    console.log("Twilio signature validation is ON: requests not signed with TWILIO_AUTH_TOKEN get 403.");
  } else {
    console.log("Twilio signature validation is OFF (TWILIO_AUTH_TOKEN is not set): fine for development, never for production.");
  }
  if (publicHost) console.log(`Point your number's voice webhook at https://${publicHost}/incoming-call`);
  console.log(`
Walk the tree (each answer is the TwiML Twilio would play):
  curl -X POST ${base}/incoming-call                               # welcome menu
  curl -X POST ${base}/incoming-call-transition-out -d Digits=1    # lunch specials
  curl -X POST ${base}/lunch-specials-transition-out -d Digits=1   # hours
  curl -X POST ${base}/hours-transition-out -d Digits=9            # goodbye
  curl -X POST ${base}/incoming-call-transition-out -d Digits=3    # on hold
  curl ${base}/static/hold-music                                   # hold-music TwiML`);
  console.log(`
Or call it from the terminal: it plays what the caller hears, you type the keys (\`--help\` for more):
  npm run call -- http://${base}/incoming-call
  printf '1\\n1\\n\\n' | npm run call -- http://${base}/incoming-call   # a scripted call
(In a project that installed twilio-interactive-flow: npx twilio-interactive-flow call http://${base}/incoming-call)`);
  if (authToken) {
    console.log("The terminal phone signs its requests with TWILIO_AUTH_TOKEN from the environment too (or pass --auth-token).");
  }
});
