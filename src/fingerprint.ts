import { UrlForError } from "./errors";

/** Turns a root-relative public URL into its fingerprinted form, or throws UrlForError. */
export type Fingerprinter = (url: string) => string;

function splitQuery(url: string): { pathname: string; query: string } {
  const hashAt = url.indexOf("#");
  const withoutHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = withoutHash.indexOf("?");
  return queryAt === -1
    ? { pathname: withoutHash, query: "" }
    : { pathname: withoutHash.slice(0, queryAt), query: withoutHash.slice(queryAt + 1) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The built-in fingerprinter: `<mountPath>/<file>?v=<md5 of the file>`.
 * @param mountPath - `""` or a path starting with `/` without a trailing slash.
 * @param hashes - public path (mount path included) to md5; may include the hold-music endpoint.
 */
export function createPathFingerprinter(mountPath: string, hashes: ReadonlyMap<string, string>): Fingerprinter {
  return function fingerprintFromDisk(url: string): string {
    const { pathname, query } = splitQuery(url);
    if (mountPath !== "" && !pathname.startsWith(`${mountPath}/`)) {
      throw new UrlForError(
        `urlFor: cannot fingerprint ${JSON.stringify(url)}: it is not under the static files mount path ${JSON.stringify(mountPath)}. ` +
          "Pass { fingerprint: false } for URLs that are not static files.",
      );
    }
    const hash = hashes.get(pathname) ?? hashes.get(safeDecode(pathname));
    if (hash === undefined) {
      throw new UrlForError(
        `urlFor: cannot fingerprint ${JSON.stringify(pathname)}: no such file in config.staticFiles.path. ` +
          "Check the path, or pass { fingerprint: false } for URLs that are not static files.",
      );
    }
    return `${pathname}?${query === "" ? "" : `${query}&`}v=${hash}`;
  };
}
