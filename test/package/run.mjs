// Package import tests: `npm run test:package`.
//
// Builds the package, packs it with `npm pack`, installs the tarball into one temporary project,
// and imports it from four sub-projects that share that project's node_modules, the way users do:
//   cjs-js   require("twilio-interactive-flow").default(...) and require("twilio-interactive-flow")(...)
//   esm-js   import twilioIvr, { isValidState } from "twilio-interactive-flow"   (.mjs)
//   ts-cjs   TypeScript, "module": "nodenext", package type commonjs
//   ts-esm   TypeScript, "module": "nodenext", package type module
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

const CJS_JS = `"use strict";
const assert = require("node:assert/strict");
const { once } = require("node:events");
const pkg = require("twilio-interactive-flow");
${SMOKE_JS}
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
}
main().catch(fail);
`;

const ESM_JS = `import assert from "node:assert/strict";
import { once } from "node:events";
import twilioIvr, { isValidState, twilioIvr as namedTwilioIvr } from "twilio-interactive-flow";
import * as namespace from "twilio-interactive-flow";
${SMOKE_JS}
for (const name of ${JSON.stringify(NAMED_FUNCTIONS)}) {
  assert.equal(typeof namespace[name], "function", "named export " + name);
}
assert.equal(isValidState(DONE), true);
assert.equal(isValidState({ uri: "/bare" }), false);
await smoke(twilioIvr, 'import twilioIvr from "twilio-interactive-flow"').catch(fail);
await smoke(namedTwilioIvr, 'import { twilioIvr } from "twilio-interactive-flow"').catch(fail);
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

async function main(): Promise<void> {
  assert.equal(isValidState(DONE), true);
  assert.equal(isValidState(BARE), false);
  assert.equal(NO_HOST.urlFor.host, undefined);
  await smoke(twilioIvr, 'import twilioIvr from "twilio-interactive-flow"');
  await smoke(namedTwilioIvr, 'import { twilioIvr } from "twilio-interactive-flow"');
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
      const exportTargets = JSON.stringify(repoPackage.exports).match(/"\.\/[^"]+"/g) ?? [];
      const pointedAt = [repoPackage.main, repoPackage.module, repoPackage.types, ...exportTargets.map((t) => JSON.parse(t))]
        .filter((p) => typeof p === "string")
        .map((p) => path.posix.normalize(p));
      const missing = pointedAt.filter((p) => !files.has(p));
      if (missing.length > 0) throw new Error(`missing from the tarball: ${missing.join(", ")}`);
      const unexpected = [...files].filter((f) => !/^(dist\/|package\.json$|README|LICENSE)/i.test(f));
      if (unexpected.length > 0) throw new Error(`unexpected files in the tarball: ${unexpected.join(", ")}`);
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
    writeProject(path.join(project, "ts-cjs"), { "package.json": { private: true, type: "commonjs" }, "tsconfig.json": TSCONFIG, "index.ts": TS });
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
      await quietly(`${label}: tsc type-checks the import and the exported types`, () =>
        run(bin("tsc"), ["-p", "tsconfig.json"], inProject(dir)),
      ),
      // tsc emits even when it reports type errors, so the compiled code runs either way.
      await quietly(`${label}: the compiled import builds a working app`, () => run(node, ["out/index.js"], inProject(dir))),
    ];
    const outcomes = await Promise.all([
      quietly('CommonJS JS: require(...).default, bare require(...) and named exports work', () =>
        run(node, ["index.js"], inProject("cjs-js")),
      ).then((r) => [r]),
      quietly('ESM JS (.mjs): import twilioIvr, { isValidState } works', () => run(node, ["index.mjs"], inProject("esm-js"))).then(
        (r) => [r],
      ),
      typescript("ts-cjs", 'TypeScript nodenext, "type": "commonjs"'),
      typescript("ts-esm", 'TypeScript nodenext, "type": "module"'),
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
