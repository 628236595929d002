import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["cjs", "esm"],
  dts: true,
  clean: true,
  target: "node20",
  platform: "node",
  sourcemap: false,
  outExtension: ({ format }) => ({ js: format === "cjs" ? ".cjs" : ".mjs" }),
  // Make bare require("twilio-interactive-flow") callable, as the original allowed, while keeping
  // .default and every named export on it.
  footer: ({ format }) =>
    format === "cjs"
      ? {
          js: [
            "{ const ns = module.exports; const f = ns.default;",
            "  for (const k of Object.keys(ns)) if (k !== 'default') f[k] = ns[k];",
            "  f.default = f; Object.defineProperty(f, '__esModule', { value: true }); module.exports = f; }",
          ].join("\n"),
        }
      : {},
});
