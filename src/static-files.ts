import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
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
 * Calls `onFile(rel, full)` for every file under `dir` that the static server may serve: not a
 * dotfile nor under a dot-folder, and whose real path (every symlink resolved) is inside the real
 * `dir`. A symlink to a file or folder inside `dir` counts; one leading outside is skipped, as is a
 * dangling one. Only symlinks cost a `realpath`: a plain entry of a folder known to be inside is inside.
 */
function walkServableFiles(dir: string, onFile: (rel: string, full: string) => void): void {
  const realRoot = fs.realpathSync.native(dir);
  const insideRoot = isInside(realRoot);
  // Real paths already walked: a symlink loop must not recurse forever.
  const visited = new Set<string>([realRoot]);
  const pending: { rel: string; real: string }[] = [{ rel: "", real: realRoot }];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    const { rel: relDir, real: realDir } = folder;
    for (const entry of fs.readdirSync(relDir === "" ? dir : `${dir}/${relDir}`, { withFileTypes: true })) {
      // Dotfiles (and dot-folders) are never served, so they get no fingerprinted URL either.
      if (entry.name.startsWith(".")) continue;
      const rel = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      // `dir` is already resolved: plain concatenation avoids re-normalising thousands of paths.
      const full = `${dir}/${rel}`;
      let isFile = entry.isFile();
      let isDir = entry.isDirectory();
      let real = `${realDir}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        try {
          real = fs.realpathSync.native(full);
        } catch {
          continue; // dangling, or a loop of links
        }
        if (!insideRoot(real)) continue;
        const target = fs.statSync(real, { throwIfNoEntry: false });
        isFile = target?.isFile() ?? false;
        isDir = target?.isDirectory() ?? false;
      }
      if (isFile) {
        onFile(rel, full);
      } else if (isDir && !visited.has(real)) {
        visited.add(real);
        pending.push({ rel, real });
      }
    }
  }
}

/** A test of "is this real path `root` or under it", for a real (symlink-free) `root`. */
function isInside(realRoot: string): (real: string) => boolean {
  const prefix = realRoot.endsWith("/") ? realRoot : `${realRoot}/`;
  return (real) => real === realRoot || real.startsWith(prefix);
}

/**
 * The files the last {@link fingerprintDirectory} found, handed to the file server built in the
 * same synchronous `twilioIvr()` call so start-up walks the directory once. Dropped on the next tick:
 * a server built later scans for itself.
 */
let lastScan: { root: string; files: Set<string> } | undefined;

function throwUnlessDirectory(dir: string): void {
  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(dir);
  } catch {
    throw new ConfigError("ERR_IVR_CONFIG_INVALID", `config.staticFiles.path ${JSON.stringify(dir)} does not exist`);
  }
  if (!rootStat.isDirectory()) {
    throw new ConfigError("ERR_IVR_CONFIG_INVALID", `config.staticFiles.path ${JSON.stringify(dir)} is not a directory`);
  }
}

/**
 * Scans `dir` recursively and fingerprints every file the static server would serve (see
 * {@link listServableFiles}: no dotfiles, nothing whose real path is outside `dir`).
 * @returns map from the file's path relative to `dir` (POSIX separators, no leading slash) to its md5.
 */
export function fingerprintDirectory(dir: string): Map<string, string> {
  throwUnlessDirectory(dir);
  const hashes = new Map<string, string>();
  const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
  walkServableFiles(dir, (rel, full) => hashes.set(rel, md5OfFile(full, buffer)));
  const scan = { root: path.resolve(dir), files: new Set(hashes.keys()) };
  lastScan = scan;
  process.nextTick(() => {
    if (lastScan === scan) lastScan = undefined;
  });
  return hashes;
}

/** The relative paths (as in {@link fingerprintDirectory}) of the files the static server may serve. */
export function listServableFiles(dir: string): Set<string> {
  throwUnlessDirectory(dir);
  const files = new Set<string>();
  walkServableFiles(dir, (rel) => files.add(rel));
  return files;
}

/**
 * The path, relative to the static root, that `send` (serve-static's engine) would open for a
 * request path: percent-decoded once, normalised. Undefined for what it would refuse or never serve
 * a file for (undecodable, NUL, climbing out with `..`, the root itself, a trailing slash).
 * It follows `send`'s own steps exactly, so a path checked here is the path then served.
 */
export function servedRelativePath(pathname: string): string | undefined {
  let decoded = pathname;
  if (pathname.includes("%")) {
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
  }
  if (decoded.includes("\0")) return undefined;
  const rel = path.posix.normalize(`./${decoded}`);
  if (rel === "." || rel === ".." || rel.startsWith("../") || rel.endsWith("/")) return undefined;
  return rel;
}

/**
 * Bytes read (and written to the socket) at a time when serving a file, instead of Node's 64 kB.
 * A 3 MB prompt then takes 12 reads, writes and buffers instead of 47: measured with wrk (one
 * connection-heavy client on its own CPU), 0.78x a bare serve-static app at 64 kB and 1.1-1.35x at
 * 256 kB. Larger gained nothing. A response holds about one chunk in memory while the socket drains.
 */
const READ_CHUNK = 256 * 1024;

/** Files learned after start-up (added since, or reached through a second symlinked name), at most. */
const MAX_LEARNED = 10_000;

/**
 * Serves files from `dir` with far-future caching. The `?v=` fingerprint is ignored for lookup:
 * a changed file gets a new URL, so cached copies never go stale.
 *
 * Only files whose real path is inside the real `dir` are served. Those found when the app was
 * created are a Set lookup per request (no extra syscall). A path not in it (a file added since,
 * or a name that does not exist) costs one `realpath` and is served only if it resolves inside
 * `dir`; a file found that way is remembered (up to {@link MAX_LEARNED}). A file later replaced by
 * a symlink leading outside is not re-checked: whoever can write into `dir` can publish anyway.
 */
export function createStaticFilesMiddleware(dir: string): RequestHandler {
  const root = path.resolve(dir);
  const handedOver = lastScan?.root === root ? lastScan.files : undefined;
  const allowed = handedOver ?? listServableFiles(root);
  const insideRoot = isInside(fs.realpathSync.native(root));
  let learned = 0;
  const serve = serveStatic(root, {
    index: false,
    dotfiles: "ignore",
    fallthrough: true,
    redirect: false,
    etag: true,
    lastModified: true,
    maxAge: ONE_YEAR_MS,
    setHeaders: setExpires,
    // serve-static hands its options to send, which passes them on to fs.createReadStream.
    highWaterMark: READ_CHUNK,
  } as serveStatic.ServeStaticOptions);

  return function staticFiles(req, res, next) {
    // serve-static hands anything but GET and HEAD on, too.
    if (req.method !== "GET" && req.method !== "HEAD") {
      next();
      return;
    }
    const rel = servedRelativePath(req.path);
    if (rel === undefined) {
      next();
      return;
    }
    if (allowed.has(rel)) {
      serve(req, res, next);
      return;
    }
    if (rel.startsWith(".") || rel.includes("/.")) {
      next(); // a dotfile, or under a dot-folder: never served
      return;
    }
    fs.realpath.native(`${root}/${rel}`, (err, real) => {
      if (err !== null || !insideRoot(real)) {
        next();
        return;
      }
      if (learned < MAX_LEARNED) {
        allowed.add(rel);
        learned++;
      }
      serve(req, res, next);
    });
  };
}

function setExpires(res: { setHeader(name: string, value: string): unknown }): void {
  res.setHeader("Expires", new Date(Date.now() + ONE_YEAR_MS).toUTCString());
}
