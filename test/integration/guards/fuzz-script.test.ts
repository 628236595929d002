// `npm run fuzz` (scripts/fuzz.mjs) as a real process for two seconds with a fixed seed, against
// this source bundled like dist/ (without touching dist/, which other checks may be using): it
// exits 0, says nothing broke, and tried inputs of every category.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { bundleEntry, type Bundle } from "../../helpers/app-process";

const REPO = path.resolve(__dirname, "..", "..", "..");
const CATEGORIES = ["signature", "oversize", "malformed", "traversal", "signed"];
jest.setTimeout(60_000);

let bundle: Bundle;

beforeAll(async () => {
  bundle = await bundleEntry(path.join(REPO, "src", "index.ts"), "fuzz-script-test");
});

afterAll(() => {
  bundle.remove();
});

it("runs for the given seconds with the given seed, finds nothing broken and reports every category", async () => {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, ["scripts/fuzz.mjs", "--seconds", "2", "--seed", "1", "--lib", bundle.file], { cwd: REPO, timeout: 45_000 }));
  } catch (err) {
    // A non-zero exit: show what the script printed (the failing inputs).
    const { code, stdout: out, stderr } = err as { code?: number; stdout?: string; stderr?: string };
    throw new Error(`fuzz.mjs exited with ${String(code)}:\n${out ?? ""}${stderr ?? ""}`);
  }
  expect(stdout).toMatch(/^fuzz: seed 1, 2 s, \d+ rounds, \d+ inputs/);
  expect(stdout).toMatch(/\nnothing broke\n$/);
  for (const category of CATEGORIES) {
    const count = new RegExp(`^  ${category}\\s+(\\d+) inputs  statuses (.*)  max \\d+ ms$`, "m").exec(stdout);
    expect(count).not.toBeNull();
    expect(Number(count?.[1])).toBeGreaterThan(0);
  }
  // Each category saw only the status it expects (traversal: the control file's 200, and 404s).
  expect(stdout).toMatch(/^ {2}signature\s+\d+ inputs {2}statuses 403x\d+ {2}/m);
  expect(stdout).toMatch(/^ {2}oversize\s+\d+ inputs {2}statuses 413x\d+ {2}/m);
  expect(stdout).toMatch(/^ {2}malformed\s+\d+ inputs {2}statuses 400x\d+ {2}/m);
  expect(stdout).toMatch(/^ {2}signed\s+\d+ inputs {2}statuses 200x\d+ {2}/m);
});

it("exits 1 and names the failing inputs with the seed when the app misbehaves", async () => {
  // --lib pointing at a wrapper that serves the symlinked secret: the script must notice.
  const wrapper = path.join(path.dirname(bundle.file), "leaky.js");
  fs.writeFileSync(
    wrapper,
    [
      `const real = require(${JSON.stringify(bundle.file)});`,
      'const fs = require("fs");',
      "module.exports = { menu: real.menu, twilioIvr: (states, config) => { const app = real.twilioIvr(states, config);",
      '  return (req, res) => (req.url.endsWith("leak.txt") ? res.end(fs.readFileSync(config.staticFiles.path + "/leak.txt")) : app(req, res)); } };',
    ].join("\n"),
  );
  const result = await promisify(execFile)(process.execPath, ["scripts/fuzz.mjs", "--seconds", "2", "--seed", "1", "--lib", wrapper], { cwd: REPO, timeout: 45_000 }).then(
    () => ({ code: 0, stdout: "" }),
    (err: unknown) => err as { code: number; stdout: string },
  );
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/BROKEN: \d+ failing input\(s\); replay with: node scripts\/fuzz\.mjs --seed 1 --seconds 2/);
  expect(result.stdout).toMatch(/\[traversal \w+\] the secret outside staticFiles\.path was served \(status 200\)/);
  expect(result.stdout).not.toMatch(/fuzz-secret-/);
});
