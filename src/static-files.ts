import crypto from "node:crypto";
import fs from "node:fs";
import type { RequestHandler } from "express";
import serveStatic from "serve-static";
import { ConfigError } from "./errors";

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;
// One reusable buffer: hashing thousands of files must not allocate per file.
const CHUNK_SIZE = 1 << 20;

// One-shot hashing (Node >= 20.12) skips building a Hash object per file: most audio prompts fit one read.
const hashOnce = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: "hex") => string }).hash;

/** md5 hex digest of a file's contents, read in chunks so large files do not sit in memory whole. */
export function md5OfFile(file: string, buffer: Buffer = Buffer.allocUnsafe(CHUNK_SIZE)): string {
  const fd = fs.openSync(file, "r");
  try {
    let read = fs.readSync(fd, buffer, 0, buffer.length, null);
    // A short first read is the whole file: no second read just to see end-of-file.
    if (read < buffer.length && hashOnce !== undefined) return hashOnce("md5", buffer.subarray(0, read), "hex");
    const hash = crypto.createHash("md5");
    while (read > 0) {
      hash.update(read === buffer.length ? buffer : buffer.subarray(0, read));
      if (read < buffer.length) break;
      read = fs.readSync(fd, buffer, 0, buffer.length, null);
    }
    return hash.digest("hex");
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Scans `dir` recursively and fingerprints every file.
 * @returns map from the file's path relative to `dir` (POSIX separators, no leading slash) to its md5.
 */
export function fingerprintDirectory(dir: string): Map<string, string> {
  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(dir);
  } catch {
    throw new ConfigError("ERR_IVR_CONFIG_INVALID", `config.staticFiles.path ${JSON.stringify(dir)} does not exist`);
  }
  if (!rootStat.isDirectory()) {
    throw new ConfigError("ERR_IVR_CONFIG_INVALID", `config.staticFiles.path ${JSON.stringify(dir)} is not a directory`);
  }

  const hashes = new Map<string, string>();
  const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
  // Real paths already walked: a symlink loop must not recurse forever.
  const visited = new Set<string>([fs.realpathSync(dir)]);
  const pending: string[] = [""];
  for (let relDir = pending.pop(); relDir !== undefined; relDir = pending.pop()) {
    for (const entry of fs.readdirSync(relDir === "" ? dir : `${dir}/${relDir}`, { withFileTypes: true })) {
      // Dotfiles (and dot-folders) are never served, so they get no fingerprinted URL either.
      if (entry.name.startsWith(".")) continue;
      const rel = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      // `dir` is already resolved: plain concatenation avoids re-normalising thousands of paths.
      const full = `${dir}/${rel}`;
      let isFile = entry.isFile();
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        const target = fs.statSync(full, { throwIfNoEntry: false });
        isFile = target?.isFile() ?? false;
        isDir = target?.isDirectory() ?? false;
      }
      if (isFile) {
        hashes.set(rel, md5OfFile(full, buffer));
      } else if (isDir) {
        const real = fs.realpathSync(full);
        if (!visited.has(real)) {
          visited.add(real);
          pending.push(rel);
        }
      }
    }
  }
  return hashes;
}

/**
 * Serves files from `dir` with far-future caching. The `?v=` fingerprint is ignored for lookup:
 * a changed file gets a new URL, so cached copies never go stale.
 */
export function createStaticFilesMiddleware(dir: string): RequestHandler {
  return serveStatic(dir, {
    index: false,
    dotfiles: "ignore",
    fallthrough: true,
    redirect: false,
    etag: true,
    lastModified: true,
    maxAge: ONE_YEAR_MS,
    setHeaders: setExpires,
  });
}

function setExpires(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader("Expires", new Date(Date.now() + ONE_YEAR_MS).toUTCString());
}
