// Scenario 3's fixtures and timings: the library's start-up fingerprinting vs `md5sum` over the same files.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Writes `count` files of `size` random bytes under `root`, spread over nested folders `d<i>/s<j>/`. */
export function writeRandomFiles(root, { count, size, prefix }) {
  const buffer = Buffer.allocUnsafe(Math.min(size, 1 << 20));
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `d${i % 10}`, `s${Math.floor(i / 10) % 10}`);
    fs.mkdirSync(dir, { recursive: true });
    const fd = fs.openSync(path.join(dir, `${prefix}-${i}.bin`), "w");
    try {
      for (let written = 0; written < size; ) {
        const n = Math.min(buffer.length, size - written);
        crypto.randomFillSync(buffer, 0, n);
        fs.writeSync(fd, buffer, 0, n);
        written += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * Runs `calls` twilioIvr() calls fingerprinting `dir` in a fresh Node process (bench/create-app.mjs)
 * and returns their times in ms, the first (cold) call first.
 */
function timeLibrary(dir, calls = 1) {
  const result = spawnSync(process.execPath, [path.join(here, "create-app.mjs"), dir, String(calls)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) throw new Error(`create-app.mjs failed with status ${result.status}`);
  return JSON.parse(result.stdout).ms;
}

/** Wall time of `find <dir> -type f -print0 | xargs -0 md5sum`, output discarded. */
function timeMd5sum(dir) {
  const started = performance.now();
  const result = spawnSync("sh", ["-c", 'find "$1" -type f -print0 | xargs -0 md5sum >/dev/null', "sh", dir], { stdio: "inherit" });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`md5sum pipeline failed with status ${result.status}`);
  return elapsed;
}

/**
 * Times app creation the way an app starts: one twilioIvr() call in a fresh process per run,
 * alternated with md5sum runs, after one warm-up run of each (which also brings the files into
 * the page cache, so neither side pays for the disk). `warm` is a second view: the later calls
 * of one process, after V8 has compiled the hashing loop, which shows how much is warm-up.
 */
export function compareCreation(dir, runs) {
  timeLibrary(dir);
  timeMd5sum(dir);
  const library = [];
  const md5sum = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      library.push(timeLibrary(dir)[0]);
      md5sum.push(timeMd5sum(dir));
    } else {
      md5sum.push(timeMd5sum(dir));
      library.push(timeLibrary(dir)[0]);
    }
  }
  const warm = timeLibrary(dir, runs + 3).slice(3);
  return { library, md5sum, warm };
}
