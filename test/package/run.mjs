// Package import tests: `npm run test:package`.
//
// Builds the package, packs it with `npm pack`, installs the tarball into one temporary project,
// and imports it from four sub-projects that share that project's node_modules, the way users do:
//   cjs-js   require("twilio-interactive-flow").default(...) and require("twilio-interactive-flow")(...)
//   esm-js   import twilioIvr, { isValidState } from "twilio-interactive-flow"   (.mjs)
//   ts-cjs   TypeScript, "module": "nodenext", package type commonjs
//   ts-esm   TypeScript, "module": "nodenext", package type module
//   ts-node10 TypeScript, "module": "commonjs", "moduleResolution": "node" (ignores "exports")
// Each also imports "twilio-interactive-flow/testing" and runs a simulated call (plain and signed)
// against an app built with the packed package. Then the packed bin: --help, --version, and a
// scripted call (`twilio-interactive-flow call <url>` with piped input) against a listening app.
// The TypeScript ones are type-checked with this repository's tsc (skipLibCheck off, so errors in
// the shipped .d.ts files count) and compiled, then run. Every sub-project builds an app with a
// routable end state, listens on port 0, POSTs to it with fetch and checks the TwiML.
// Prints one line per check; exits non-zero if any fails. Temporary files are removed.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const repoPackage = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
const bin = (name) => path.join(repo, "node_modules", ".bin", name);

// What a TypeScript user on Node has besides our package: Node's types, for their own code.
// Anything else our .d.ts files need must come with the package itself.
const CONSUMER_EXTRAS = [`@types/node@${repoPackage.devDependencies["@types/node"]}`];

const NAMED_FUNCTIONS = [
  "twilioIvr",
  "isRoutableState",
  "isBranchingState",
  "isRenderableState",
  "isEndState",
  "isAsynchronousState",
  "isNormalState",
  "isValidState",
  "MemoryStore",
  "RedisStore",
  "redirectCall",
  "SessionError",
];

const results = [];

function report(label, error) {
  results.push({ label, ok: error === undefined });
  if (error === undefined) {
    console.log(`ok    ${label}`);
  } else {
    console.log(`FAIL  ${label}`);
    console.log(`${String(error.message ?? error).trim().replace(/^/gm, "      ")}`);
  }
}

/** Runs a command; rejects with its output when it fails or takes longer than `timeout` ms. */
function run(command, args, { cwd, timeout = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const reason = error.killed ? `timed out after ${timeout} ms` : `exit code ${error.code}`;
        reject(new Error(`\`${command} ${args.join(" ")}\` failed (${reason})\n${stdout}${stderr}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Runs one check; returns false (after reporting) when it fails. */
async function check(label, fn) {
  try {
    await fn();
    report(label);
    return true;
  } catch (error) {
    report(label, error);
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Sources of the sub-projects. The smoke check is the same in each; only the import differs.

const EXPECTED_TWIML =
  "<Response><Say>Bye +15550001111</Say><Redirect>http://ivr.example.test/next?step=2</Redirect></Response>";

const SMOKE_JS = `
const DONE = {
  name: "DONE",
  uri: "/done",
  isEndState: true,
  twimlFor: (urlFor, input) =>
    "<Response><Say>Bye " + input.From + "</Say><Redirect>" +
    urlFor("/next", { absolute: true, query: { step: 2 } }) + "</Redirect></Response>",
};
const CONFIG = { twilio: { authToken: "", validate: false }, urlFor: { host: () => "ivr.example.test" } };

async function smoke(factory, how) {
  assert.equal(typeof factory, "function", how + " is not a function");
  assert.throws(() => factory([{ name: "BARE", uri: "/bare" }], CONFIG), /Invalid state provided/, how);
  const app = factory([DONE], CONFIG);
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const res = await fetch("http://127.0.0.1:" + server.address().port + "/done", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "From=%2B15550001111",
    });
    assert.equal(res.status, 200, how);
    assert.match(res.headers.get("content-type") ?? "", /^text\\/xml/, how);
    assert.equal(await res.text(), ${JSON.stringify(EXPECTED_TWIML)}, how);
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

function fail(error) {
  console.error(error);
  process.exit(1);
}
setTimeout(() => fail(new Error("timed out")), 20000).unref();
`;

// The call simulator, from "twilio-interactive-flow/testing", against an app of the packed package.
const TESTING_SMOKE_JS = `
const HELLO = {
  name: "HELLO",
  uri: "/hello",
  isEndState: true,
  twimlFor: (urlFor, input) => "<Response><Say>Hello " + input.From + "</Say><Hangup/></Response>",
};
const SIGNED_CONFIG = { twilio: { authToken: "package-check-token" }, urlFor: { host: () => "localhost" } };

async function simulatorSmoke(factory, testing, how) {
  for (const name of ["simulateCall", "parseTwiml", "formatTranscript", "CallStepError", "TwimlError", "SimulatedCall"]) {
    assert.equal(typeof testing[name], "function", how + ": export " + name);
  }
  const call = await testing.simulateCall(factory([HELLO], CONFIG), { uri: "/hello", from: "+15550002222" });
  assert.deepEqual(call.said, ["Hello +15550002222"], how);
  assert.equal(call.ended, true, how);
  assert.deepEqual(call.transcript.map((entry) => entry.type), ["request", "say", "hangup"], how);
  // Signed with the token the app checks: accepted; unsigned: 403, a failed step.
  const signedApp = factory([HELLO], SIGNED_CONFIG);
  const signed = await testing.simulateCall(signedApp, { uri: "/hello", authToken: "package-check-token" });
  assert.equal(signed.lastSaid, "Hello +15005550006", how);
  await assert.rejects(testing.simulateCall(signedApp, { uri: "/hello" }), (error) => error instanceof testing.CallStepError && /403/.test(error.message), how);
  // The TwiML checks (fast-xml-parser, a runtime dependency) work from the installed package.
  assert.throws(
    () => testing.parseTwiml("<Response><Gather><Dial>+15550001111</Dial></Gather></Response>"),
    (error) => error instanceof testing.TwimlError && error.code === 12200,
    how,
  );
}
`;

const CJS_JS = `"use strict";
const assert = require("node:assert/strict");
const { once } = require("node:events");
const pkg = require("twilio-interactive-flow");
const testing = require("twilio-interactive-flow/testing");
${SMOKE_JS}
${TESTING_SMOKE_JS}
async function main() {
  for (const name of ${JSON.stringify(NAMED_FUNCTIONS)}) {
    assert.equal(typeof pkg[name], "function", "named export " + name);
  }
  assert.equal(typeof pkg.ConfigError, "function", "named export ConfigError");
  assert.equal(pkg.isValidState(DONE), true);
  assert.equal(pkg.isValidState({ uri: "/bare" }), false);
  await smoke(pkg.default, 'require("twilio-interactive-flow").default');
  await smoke(pkg, 'require("twilio-interactive-flow")');
  await smoke(pkg.twilioIvr, 'require("twilio-interactive-flow").twilioIvr');
  await simulatorSmoke(pkg.default, testing, 'require("twilio-interactive-flow/testing")');
}
main().catch(fail);
`;

const ESM_JS = `import assert from "node:assert/strict";
import { once } from "node:events";
import twilioIvr, { isValidState, twilioIvr as namedTwilioIvr } from "twilio-interactive-flow";
import * as namespace from "twilio-interactive-flow";
import * as testing from "twilio-interactive-flow/testing";
import { simulateCall } from "twilio-interactive-flow/testing";
${SMOKE_JS}
${TESTING_SMOKE_JS}
for (const name of ${JSON.stringify(NAMED_FUNCTIONS)}) {
  assert.equal(typeof namespace[name], "function", "named export " + name);
}
assert.equal(isValidState(DONE), true);
assert.equal(isValidState({ uri: "/bare" }), false);
await smoke(twilioIvr, 'import twilioIvr from "twilio-interactive-flow"').catch(fail);
await smoke(namedTwilioIvr, 'import { twilioIvr } from "twilio-interactive-flow"').catch(fail);
assert.equal(simulateCall, testing.simulateCall);
await simulatorSmoke(twilioIvr, testing, 'import { simulateCall } from "twilio-interactive-flow/testing"').catch(fail);
`;

// Menus load twilio's TwiML builder and an XML parser on first use (src/load-on-use.ts): an app
// without menus never loads them, and a menu still works in both builds, the ES one included
// (where \`require\` comes from the banner tsup adds).
const LAZY_MENU_BODY = `
const menuDependencies = () => Object.keys(requireFromHere.cache).filter((file) => /[\\\\/](xmlbuilder|fast-xml-parser)[\\\\/]|VoiceResponse\\.js$/.test(file));
assert.deepEqual(menuDependencies(), [], "loaded before any menu was made");
const app = lib.twilioIvr([{ name: "E", uri: "/e", isEndState: true, twimlFor: () => "<Response/>" }], { twilio: { authToken: "t" }, urlFor: { host: () => "h" } });
assert.equal(typeof app, "function");
assert.deepEqual(menuDependencies(), [], "loaded by an app without menus");
const sales = { name: "sales", uri: "/sales", isEndState: true, twimlFor: () => "<Response><Say>Sales</Say></Response>" };
const main = lib.menu({ name: "main", uri: "/main", processTransitionUri: "/main/choice", prompt: '<Say voice="alice">Press 1 &amp; wait</Say>', options: [{ keys: ["1"], to: sales }], onFailure: sales });
const twiml = String(await main.twimlFor((p) => p, {}));
assert.match(twiml, /<Gather action="\\/main\\/choice\\?attempt=1"[^>]*><Say voice="alice">Press 1 &amp; wait<\\/Say><\\/Gather>/, twiml);
assert.notDeepEqual(menuDependencies(), [], "a menu with a TwiML prompt loaded them");
`;

const LAZY_MENU_CJS = `"use strict";
const assert = require("node:assert/strict");
const requireFromHere = require;
const lib = require("twilio-interactive-flow");
(async () => {
${LAZY_MENU_BODY}
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

const LAZY_MENU_ESM = `import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as lib from "twilio-interactive-flow";
const requireFromHere = createRequire(import.meta.url);
${LAZY_MENU_BODY}
`;

// Typed: it must compile with strict settings, and the @ts-expect-error lines prove the types
// are real (if they were \`any\`, the expected errors would be missing and tsc would fail).
const TS = `import assert from "node:assert/strict";
import { once } from "node:events";
import twilioIvr, {
  isValidState,
  twilioIvr as namedTwilioIvr,
  type Config,
  type State,
  type TwilioVoiceParams,
  type UrlFor,
  type UrlForOptions,
} from "twilio-interactive-flow";
import {
  CallStepError,
  parseTwiml,
  simulateCall,
  TwimlError,
  type SimulateCallOptions,
  type SimulatedCall,
  type TranscriptEntry,
} from "twilio-interactive-flow/testing";

const redirect: UrlForOptions = { absolute: true, query: { step: 2 } };
const DONE: State = {
  name: "DONE",
  uri: "/done",
  isEndState: true,
  twimlFor: (urlFor: UrlFor, input?: TwilioVoiceParams) =>
    \`<Response><Say>Bye \${input?.From ?? "nobody"}</Say><Redirect>\${urlFor("/next", redirect)}</Redirect></Response>\`,
};
const CONFIG: Config = { twilio: { authToken: "", validate: false }, urlFor: { host: () => "ivr.example.test" } };

// @ts-expect-error a bare \`uri\` is not a state
const BARE: State = { name: "BARE", uri: "/bare" };
// @ts-expect-error urlFor.host is required
const NO_HOST: Config = { twilio: { authToken: "" }, urlFor: {} };
// Never called: fails to compile if the app's type degrades to \`any\` (e.g. express types missing
// while skipLibCheck hides the error in our .d.ts).
export function appIsTyped(app: ReturnType<typeof twilioIvr>): number {
  // @ts-expect-error an Express app is not a number
  const notANumber: number = app;
  return notANumber;
}

async function smoke(factory: typeof twilioIvr, how: string): Promise<void> {
  assert.throws(() => factory([BARE], CONFIG), /Invalid state provided/, how);
  const app = factory([DONE], CONFIG);
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const address = server.address();
    assert(address !== null && typeof address === "object");
    const res = await fetch(\`http://127.0.0.1:\${address.port}/done\`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "From=%2B15550001111",
    });
    assert.equal(res.status, 200, how);
    assert.match(res.headers.get("content-type") ?? "", /^text\\/xml/, how);
    assert.equal(await res.text(), ${JSON.stringify(EXPECTED_TWIML)}, how);
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

const HELLO: State = {
  name: "HELLO",
  uri: "/hello",
  isEndState: true,
  twimlFor: (_urlFor: UrlFor, input?: TwilioVoiceParams) => \`<Response><Say>Hello \${input?.From ?? "nobody"}</Say><Hangup/></Response>\`,
};
// @ts-expect-error uri is required
const NO_URI: SimulateCallOptions = { from: "+15550002222" };
// @ts-expect-error not a kind of transcript entry
const NOT_AN_ENTRY: TranscriptEntry = { type: "sing", text: "la" };
// Never called: fails to compile if the simulator's types degrade to \`any\`.
export async function simulatorIsTyped(call: SimulatedCall): Promise<void> {
  // @ts-expect-error keys are a string
  await call.press(1);
  // @ts-expect-error the transcript is read-only
  call.transcript.push({ type: "end" });
}

async function simulatorSmoke(): Promise<void> {
  const options: SimulateCallOptions = { uri: "/hello", from: "+15550002222" };
  const call: SimulatedCall = await simulateCall(twilioIvr([HELLO], CONFIG), options);
  const said: readonly string[] = call.said;
  assert.deepEqual(said, ["Hello +15550002222"]);
  const types: TranscriptEntry["type"][] = call.transcript.map((entry) => entry.type);
  assert.deepEqual(types, ["request", "say", "hangup"]);
  assert.equal(call.ended, true);
  const signedApp = twilioIvr([HELLO], { twilio: { authToken: "package-check-token" }, urlFor: { host: () => "localhost" } });
  const signed = await simulateCall(signedApp, { uri: "/hello", authToken: "package-check-token" });
  assert.equal(signed.lastSaid, "Hello +15005550006");
  await assert.rejects(simulateCall(signedApp, { uri: "/hello" }), (error: unknown) => error instanceof CallStepError && error.message.includes("403"));
  assert.throws(
    () => parseTwiml("<Response><Say>unclosed</Response>"),
    (error: unknown) => error instanceof TwimlError && error.code === 12100,
  );
  assert.equal(NO_URI.uri, undefined);
  assert.equal(NOT_AN_ENTRY.type, "sing");
}

async function main(): Promise<void> {
  assert.equal(isValidState(DONE), true);
  assert.equal(isValidState(BARE), false);
  assert.equal(NO_HOST.urlFor.host, undefined);
  await smoke(twilioIvr, 'import twilioIvr from "twilio-interactive-flow"');
  await smoke(namedTwilioIvr, 'import { twilioIvr } from "twilio-interactive-flow"');
  await simulatorSmoke();
}

setTimeout(() => {
  console.error("timed out");
  process.exit(1);
}, 20000).unref();
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`;

// The packed bin, as users run it: a scripted call piped into \`twilio-interactive-flow call <url>\`.
const BIN_CALL_JS = `"use strict";
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const { once } = require("node:events");
const path = require("node:path");
const twilioIvr = require("twilio-interactive-flow").default;

const BYE = { name: "BYE", isEndState: true, twimlFor: () => "<Response><Say>Bye</Say><Hangup/></Response>" };
const MENU = {
  name: "MENU",
  uri: "/menu",
  processTransitionUri: "/menu-out",
  twimlFor: () => '<Response><Gather action="/menu-out" numDigits="1"><Say>Press 1</Say></Gather></Response>',
  transitionOut: (input) => (input.Digits === "1" ? BYE : MENU),
};

async function main() {
  const app = twilioIvr([MENU, BYE], { twilio: { authToken: "", validate: false }, urlFor: { host: () => "localhost" } });
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const bin = path.join(__dirname, "..", "node_modules", ".bin", "twilio-interactive-flow");
    const child = spawn(bin, ["call", "http://127.0.0.1:" + server.address().port + "/menu"], { stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdin.end("2\\n1\\n");
    const [code] = await once(child, "close");
    assert.equal(code, 0, stdout + stderr);
    const lines = stdout.trimEnd().split("\\n").slice(1);
    assert.deepEqual(lines, ["Say: Press 1", "(waiting for keys...)", "> 2", "Say: Press 1", "(waiting for keys...)", "> 1", "Say: Bye", "Hangup", "(call ended)"], stderr);
  } finally {
    server.close();
    server.closeAllConnections();
  }
}
setTimeout(() => {
  console.error("timed out");
  process.exit(1);
}, 20000).unref();
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

const TSCONFIG = {
  compilerOptions: {
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "ES2022",
    lib: ["ES2022"],
    types: ["node"],
    strict: true,
    skipLibCheck: false,
    outDir: "out",
    rootDir: ".",
  },
  files: ["index.ts"],
};

// TypeScript's older resolution ("moduleResolution": "node", still the default with "module":
// "commonjs") ignores "exports": "typesVersions" must lead it to the ./testing types.
const TSCONFIG_NODE10 = {
  compilerOptions: { ...TSCONFIG.compilerOptions, module: "commonjs", moduleResolution: "node", esModuleInterop: true },
  files: ["index.ts"],
};

function writeProject(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, contents] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), typeof contents === "string" ? contents : JSON.stringify(contents, null, 2));
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "twilio-interactive-flow-package-"));
  const cleanUp = () => fs.rmSync(tmp, { recursive: true, force: true });
  process.once("SIGINT", () => {
    cleanUp();
    process.exit(130);
  });

  try {
    if (!(await check("build (tsup)", () => run(bin("tsup"), [], { cwd: repo, timeout: 60_000 })))) return;

    let tarball;
    const packed = await check("npm pack: the tarball holds dist/ and every file package.json points at", async () => {
      const out = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", tmp], { cwd: repo });
      const [info] = JSON.parse(out);
      tarball = path.join(tmp, info.filename);
      const files = new Set(info.files.map((f) => f.path));
      // The files "exports" points at: its string values (its keys are subpaths, not files).
      const leaves = (value) => (typeof value === "string" ? [value] : Object.values(value ?? {}).flatMap(leaves));
      const exportTargets = leaves(repoPackage.exports);
      const bins = Object.values(repoPackage.bin ?? {});
      const pointedAt = [repoPackage.main, repoPackage.module, repoPackage.types, ...bins, ...exportTargets]
        .filter((p) => typeof p === "string")
        .map((p) => path.posix.normalize(p));
      const missing = pointedAt.filter((p) => !files.has(p));
      if (missing.length > 0) throw new Error(`missing from the tarball: ${missing.join(", ")}`);
      const unexpected = [...files].filter((f) => !/^(dist\/|package\.json$|README|LICENSE)/i.test(f));
      if (unexpected.length > 0) throw new Error(`unexpected files in the tarball: ${unexpected.join(", ")}`);
      for (const file of bins) {
        const firstLine = fs.readFileSync(path.join(repo, file), "utf8").split("\n", 1)[0];
        if (firstLine !== "#!/usr/bin/env node") throw new Error(`bin ${file} does not start with #!/usr/bin/env node`);
      }
    });
    if (!packed) return;

    const project = path.join(tmp, "project");
    writeProject(project, { "package.json": { name: "package-import-checks", private: true } });
    const installed = await check(`npm install of the tarball (with ${CONSUMER_EXTRAS.join(", ")})`, () =>
      run("npm", ["install", tarball, ...CONSUMER_EXTRAS, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
        cwd: project,
        timeout: 60_000,
      }),
    );
    if (!installed) return;

    writeProject(path.join(project, "cjs-js"), { "package.json": { private: true, type: "commonjs" }, "index.js": CJS_JS });
    writeProject(path.join(project, "esm-js"), { "index.mjs": ESM_JS });
    writeProject(path.join(project, "lazy-menu"), { "package.json": { private: true, type: "commonjs" }, "index.js": LAZY_MENU_CJS, "index.mjs": LAZY_MENU_ESM });
    writeProject(path.join(project, "ts-cjs"), { "package.json": { private: true, type: "commonjs" }, "tsconfig.json": TSCONFIG, "index.ts": TS });
    writeProject(path.join(project, "ts-node10"), { "package.json": { private: true, type: "commonjs" }, "tsconfig.json": TSCONFIG_NODE10, "index.ts": TS });
    writeProject(path.join(project, "bin-call"), { "package.json": { private: true, type: "commonjs" }, "index.js": BIN_CALL_JS });
    writeProject(path.join(project, "ts-esm"), { "package.json": { private: true, type: "module" }, "tsconfig.json": TSCONFIG, "index.ts": TS });

    const node = process.execPath;
    const inProject = (dir) => ({ cwd: path.join(project, dir) });
    // Collect the checks of each sub-project (they run in parallel) and report them in a stable order.
    const quietly = async (label, fn) => {
      try {
        await fn();
        return [label, undefined];
      } catch (error) {
        return [label, error];
      }
    };
    const typescript = async (dir, label) => [
      await quietly(`${label}: tsc type-checks the imports (with ./testing) and the exported types`, () =>
        run(bin("tsc"), ["-p", "tsconfig.json"], inProject(dir)),
      ),
      // tsc emits even when it reports type errors, so the compiled code runs either way.
      await quietly(`${label}: the compiled import builds a working app`, () => run(node, ["out/index.js"], inProject(dir))),
    ];
    const outcomes = await Promise.all([
      quietly('CommonJS JS: require(...).default, bare require(...), named exports and require(".../testing") work', () =>
        run(node, ["index.js"], inProject("cjs-js")),
      ).then((r) => [r]),
      quietly('ESM JS (.mjs): import twilioIvr, { isValidState } and { simulateCall } from ".../testing" work', () => run(node, ["index.mjs"], inProject("esm-js"))).then(
        (r) => [r],
      ),
      quietly("CommonJS: an app without menus loads neither twilio's TwiML builder nor the XML parser; a menu loads them and works", () =>
        run(node, ["index.js"], inProject("lazy-menu")),
      ).then((r) => [r]),
      quietly("ESM: the same, with `require` from the ES build's banner", () => run(node, ["index.mjs"], inProject("lazy-menu"))).then((r) => [r]),
      quietly("bin: node_modules/.bin/twilio-interactive-flow --help and --version exit 0", async () => {
        const installedBin = path.join(project, "node_modules", ".bin", "twilio-interactive-flow");
        const help = await run(installedBin, ["--help"], { cwd: project });
        if (!help.includes("Usage: twilio-interactive-flow call <url>")) throw new Error(`unexpected --help output:\n${help}`);
        const version = await run(installedBin, ["--version"], { cwd: project });
        if (version.trim() !== repoPackage.version) throw new Error(`--version printed ${JSON.stringify(version)}`);
      }).then((r) => [r]),
      quietly("bin: a scripted call piped into `twilio-interactive-flow call <url>` walks an app of the package", () =>
        run(node, ["index.js"], inProject("bin-call")),
      ).then((r) => [r]),
      typescript("ts-cjs", 'TypeScript nodenext, "type": "commonjs"'),
      typescript("ts-esm", 'TypeScript nodenext, "type": "module"'),
      typescript("ts-node10", 'TypeScript "moduleResolution": "node", "module": "commonjs"'),
    ]);
    for (const [label, error] of outcomes.flat()) report(label, error);
  } finally {
    cleanUp();
    const failed = results.filter((r) => !r.ok).length;
    console.log(`package: ${results.length - failed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    process.exitCode = failed > 0 || results.length === 0 ? 1 : 0;
  }
}

await main();
