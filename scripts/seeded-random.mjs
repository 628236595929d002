// A small seeded pseudo-random generator (sfc32) for the scripts, so that a run with a given seed
// makes the same choices again (to reproduce a failure, pass its seed back).

/**
 * @param {number} seed - any 32-bit integer
 * @returns {{ next: () => number, int: (min: number, max: number) => number, pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean }}
 *   `next()` in [0, 1), `int` in [min, max], `pick` one of `items`, `chance(p)` true with probability p
 */
export function seededRandom(seed) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (items) => items[int(0, items.length - 1)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}
