// Headless Chromium (Debian's `chromium` package, installed by .ci/run) driven by playwright-core,
// which uses the system browser given by executablePath and never downloads one. Outside CI a
// missing browser skips the browser tests with a loud notice; under CI it fails them.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Path of the Chromium binary, or undefined when it is not installed. */
export function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    for (const name of ["chromium", "chromium-browser"]) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined;
}

const binary = findChromium();
if (binary === undefined && process.env.CI) {
  throw new Error("chromium is not installed but CI is set: .ci/run must install it (apt-get install -y chromium)");
}
if (binary === undefined) {
  console.warn(
    "\n*** chromium is not installed: the browser tests are SKIPPED. ***\n" +
      "*** Install it (apt-get install -y chromium) or run bash .ci/run, which does. ***\n",
  );
}

/** `describe` when Chromium is available, `describe.skip` otherwise (never under CI: see above). */
export const describeWithChromium: jest.Describe = binary === undefined ? describe.skip : describe;

/**
 * Launches the system Chromium headless. `--no-sandbox`: tests run as root in a container, where
 * Chromium's sandbox cannot start; `--disable-dev-shm-usage`: a container's /dev/shm is small.
 */
export async function launchChromium(): Promise<Browser> {
  if (binary === undefined) throw new Error("chromium is not installed");
  return chromium.launch({
    executablePath: binary,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--font-render-hinting=none"],
    timeout: 30_000,
  });
}
