// The Foo Corp example server for `npm run soak`: the example's own app (examples/foo-corp/app.js)
// with its sessions in Redis, wired as examples/foo-corp/server.js wires it, with the differences
// a soak needs: it listens on 127.0.0.1 only (server.js listens on every interface), it loads the
// library build named by SOAK_LIB (server.js always loads dist/), it prints one line, not a guide,
// and it times every request it answers (arrival to the response's last byte handed to the
// socket), for the soak to read over IPC: server-side latency, free of the simulated callers' load.
//
// Environment (set by scripts/soak.mjs): SOAK_LIB, PORT, TWILIO_AUTH_TOKEN, REDIS_URL.
// IPC messages: "measure" starts recording durations and the event-loop delay, "report" answers
// them and stops;
// "memory" answers the heap in use after a full GC (node runs with --expose-gc).
const http = require("node:http");
const { monitorEventLoopDelay, performance } = require("node:perf_hooks");
const library = require(process.env.SOAK_LIB);
const { createApp } = require("../../examples/foo-corp/app");

const port = Number(process.env.PORT);
const sessionStore = new library.RedisStore({ url: process.env.REDIS_URL });
const app = createApp(library, { authToken: process.env.TWILIO_AUTH_TOKEN, host: `127.0.0.1:${port}`, sessionStore });

let durations;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const server = http.createServer((req, res) => {
  if (durations !== undefined) {
    const start = performance.now();
    const list = durations;
    res.once("finish", () => list.push(performance.now() - start));
  }
  app(req, res);
});

process.on("message", (message) => {
  if (message === "measure") {
    durations = [];
    loopDelay.reset();
    loopDelay.enable();
  } else if (message === "report") {
    loopDelay.disable();
    const eventLoopDelayMs = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
    process.send({ type: "durations", durations: durations ?? [], eventLoopDelayMs });
    durations = undefined;
  } else if (message === "memory") {
    if (typeof global.gc === "function") global.gc();
    process.send({ type: "memory", heapUsed: process.memoryUsage().heapUsed });
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log(`listening on 127.0.0.1:${port}`);
});
server.on("error", (err) => {
  console.error(`soak server: ${err.message}`);
  process.exit(1);
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  sessionStore.close().finally(() => process.exit(0));
});
