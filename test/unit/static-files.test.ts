import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fingerprintDirectory, md5OfFile } from "../../src/static-files";

const FIXTURES = path.join(__dirname, "..", "fixtures", "static");
const md5 = (bytes: Buffer): string => crypto.createHash("md5").update(bytes).digest("hex");
const md5File = (file: string): string => md5(fs.readFileSync(file));

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ivr-static-unit-"));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("fingerprintDirectory", () => {
  it("hashes every fixture file, nested ones included, by the md5 of its contents, skipping dotfiles it would never serve", () => {
    const hashes = fingerprintDirectory(FIXTURES);
    expect(Object.fromEntries(hashes)).toEqual({
      "intro.mp3": md5File(path.join(FIXTURES, "intro.mp3")),
      "hold.mp3": md5File(path.join(FIXTURES, "hold.mp3")),
      "sub/deep/tone.wav": md5File(path.join(FIXTURES, "sub/deep/tone.wav")),
    });
  });

  it("gives the same result for a path with a trailing slash", () => {
    expect(fingerprintDirectory(`${FIXTURES}/`)).toEqual(fingerprintDirectory(FIXTURES));
  });

  it("hashes an empty file and distinguishes files by content, not name", () => {
    fs.writeFileSync(path.join(tmp, "empty.mp3"), "");
    fs.writeFileSync(path.join(tmp, "a.mp3"), "same");
    fs.writeFileSync(path.join(tmp, "b.mp3"), "same");
    fs.writeFileSync(path.join(tmp, "c.mp3"), "different");
    const hashes = fingerprintDirectory(tmp);
    expect(hashes.get("empty.mp3")).toBe(md5(Buffer.alloc(0)));
    expect(hashes.get("a.mp3")).toBe(hashes.get("b.mp3"));
    expect(hashes.get("c.mp3")).toBe(md5(Buffer.from("different")));
  });

  it("does not hang on a symlink to a parent directory", () => {
    fs.writeFileSync(path.join(tmp, "top.mp3"), "top");
    fs.mkdirSync(path.join(tmp, "sub"));
    fs.writeFileSync(path.join(tmp, "sub", "inner.mp3"), "inner");
    fs.symlinkSync(tmp, path.join(tmp, "sub", "up"), "dir");
    fs.symlinkSync(".", path.join(tmp, "self"), "dir");

    const hashes = fingerprintDirectory(tmp);

    expect(hashes.get("top.mp3")).toBe(md5(Buffer.from("top")));
    expect(hashes.get("sub/inner.mp3")).toBe(md5(Buffer.from("inner")));
    for (const [rel, hash] of hashes) expect(hash).toBe(md5File(path.join(tmp, rel)));
  });

  it("follows a symlinked file and skips a dangling symlink", () => {
    fs.writeFileSync(path.join(tmp, "real.mp3"), "real");
    fs.symlinkSync(path.join(tmp, "real.mp3"), path.join(tmp, "alias.mp3"));
    fs.symlinkSync(path.join(tmp, "nowhere"), path.join(tmp, "dangling.mp3"));
    const hashes = fingerprintDirectory(tmp);
    expect(hashes.get("alias.mp3")).toBe(md5(Buffer.from("real")));
    expect(hashes.has("dangling.mp3")).toBe(false);
  });

  it("throws naming the path when the directory does not exist or is a file", () => {
    const missing = path.join(tmp, "missing");
    expect(() => fingerprintDirectory(missing)).toThrow(missing);
    const file = path.join(tmp, "file.mp3");
    fs.writeFileSync(file, "x");
    expect(() => fingerprintDirectory(file)).toThrow(/not a directory/);
  });
});

describe("md5OfFile", () => {
  it("hashes a file larger than its 1 MiB read buffer like crypto over the whole buffer", () => {
    const bytes = crypto.randomBytes(3 * 1024 * 1024 + 12345);
    const file = path.join(tmp, "big.bin");
    fs.writeFileSync(file, bytes);
    expect(md5OfFile(file)).toBe(md5(bytes));
  });

  it("hashes a file whose size is an exact multiple of the buffer", () => {
    const bytes = crypto.randomBytes(2 * 1024 * 1024);
    const file = path.join(tmp, "exact.bin");
    fs.writeFileSync(file, bytes);
    expect(md5OfFile(file)).toBe(md5(bytes));
  });

  it("gives the same answer when a small buffer is reused across files", () => {
    const buffer = Buffer.alloc(7);
    const first = path.join(tmp, "first.bin");
    const second = path.join(tmp, "second.bin");
    fs.writeFileSync(first, "the first file, longer than seven bytes");
    fs.writeFileSync(second, "second");
    expect(md5OfFile(first, buffer)).toBe(md5File(first));
    expect(md5OfFile(second, buffer)).toBe(md5File(second));
  });
});
