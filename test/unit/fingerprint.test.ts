import { createPathFingerprinter } from "../../src/fingerprint";

const HASHES = new Map([
  ["/static/intro.mp3", "0123456789abcdef0123456789abcdef"],
  ["/static/sub/deep/tone.wav", "fedcba9876543210fedcba9876543210"],
  ["/static/my file.mp3", "11111111111111111111111111111111"],
]);

describe("createPathFingerprinter", () => {
  const fingerprint = createPathFingerprinter("/static", HASHES);

  it("appends v=<hash> for a known file, nested or not", () => {
    expect(fingerprint("/static/intro.mp3")).toBe("/static/intro.mp3?v=0123456789abcdef0123456789abcdef");
    expect(fingerprint("/static/sub/deep/tone.wav")).toBe("/static/sub/deep/tone.wav?v=fedcba9876543210fedcba9876543210");
  });

  it("keeps an existing query and adds v last", () => {
    expect(fingerprint("/static/intro.mp3?lang=en&x=1")).toBe("/static/intro.mp3?lang=en&x=1&v=0123456789abcdef0123456789abcdef");
  });

  it("finds a file whose URL is percent-encoded", () => {
    expect(fingerprint("/static/my%20file.mp3")).toBe("/static/my%20file.mp3?v=11111111111111111111111111111111");
  });

  it.each(["/intro.mp3", "/other/intro.mp3", "/staticx/intro.mp3", "/static", "intro.mp3"])(
    "throws for %s, which is not under the mount path, hinting fingerprint: false",
    (url) => {
      expect(() => fingerprint(url)).toThrow(/fingerprint: false/);
      expect(() => fingerprint(url)).toThrow(/not under the static files mount path "\/static"/);
      expect(() => fingerprint(url)).toThrow(JSON.stringify(url));
    },
  );

  it("throws naming the path when the file does not exist", () => {
    expect(() => fingerprint("/static/missing.mp3")).toThrow(/"\/static\/missing\.mp3"/);
    expect(() => fingerprint("/static/missing.mp3?x=1")).toThrow(/"\/static\/missing\.mp3".*no such file/);
  });

  it("throws for a directory rather than a file", () => {
    expect(() => fingerprint("/static/sub/deep")).toThrow(/"\/static\/sub\/deep"/);
  });

  it("is case-sensitive about file names", () => {
    expect(() => fingerprint("/static/INTRO.mp3")).toThrow(/INTRO\.mp3/);
  });

  it("accepts any root-relative path when there is no mount path", () => {
    const noMount = createPathFingerprinter("", new Map([["/intro.mp3", "abc"], ["/sub/deep/tone.wav", "def"]]));
    expect(noMount("/intro.mp3")).toBe("/intro.mp3?v=abc");
    expect(noMount("/sub/deep/tone.wav?a=b")).toBe("/sub/deep/tone.wav?a=b&v=def");
    expect(() => noMount("/nope.mp3")).toThrow(/"\/nope\.mp3"/);
  });
});
