import fs from "node:fs";
import { defineConfig, type Options } from "tsup";

const OUT_DIR = "dist";

const shared: Options = {
  outDir: OUT_DIR,
  target: "node20",
  platform: "node",
  sourcemap: false,
  // Cleaning is done once below, before the builds: tsup runs the configs of an array in
  // parallel, so `clean: true` in one of them could delete another's fresh output.
  clean: false,
  outExtension: ({ format }) => ({ js: format === "cjs" ? ".cjs" : ".mjs" }),
};

// Make bare require("twilio-interactive-flow") callable, as the original allowed, while keeping
// .default and every named export on it. Only the main entry gets it: `./testing` has no default
// export, and the CLI exports nothing.
const CALLABLE_CJS_FOOTER = [
  "{ const ns = module.exports; const f = ns.default;",
  "  for (const k of Object.keys(ns)) if (k !== 'default') f[k] = ns[k];",
  "  f.default = f; Object.defineProperty(f, '__esModule', { value: true }); module.exports = f; }",
].join("\n");

// The ES module build has no `require`; load-on-use.ts needs one for the dependencies menus load
// on first use. (In the CommonJS build, Node's own is used.)
const ESM_REQUIRE_BANNER = 'import { createRequire as __tifCreateRequire } from "node:module";\nconst require = __tifCreateRequire(import.meta.url);';

export default defineConfig(() => {
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  return [
    {
      ...shared,
      name: "index",
      entry: { index: "src/index.ts" },
      format: ["cjs", "esm"],
      dts: true,
      banner: ({ format }) => (format === "esm" ? { js: ESM_REQUIRE_BANNER } : {}),
      footer: ({ format }) => (format === "cjs" ? { js: CALLABLE_CJS_FOOTER } : {}),
    },
    {
      // twilio-interactive-flow/testing: the call simulator.
      ...shared,
      name: "testing",
      entry: { testing: "src/testing/index.ts" },
      format: ["cjs", "esm"],
      dts: true,
      banner: ({ format }) => (format === "esm" ? { js: ESM_REQUIRE_BANNER } : {}),
    },
    {
      // The `twilio-interactive-flow` bin. tsup marks a file starting with "#!" executable.
      ...shared,
      name: "cli",
      entry: { cli: "src/cli/index.ts" },
      format: ["cjs"],
      dts: false,
      banner: { js: "#!/usr/bin/env node" },
    },
  ];
});
