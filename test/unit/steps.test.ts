import fc from "fast-check";
import { isThenable, runSteps, type Steps } from "../../src/routing/steps";

/** One step of a generated program: what a state function would answer with. */
type Step = { kind: "value" | "promise" | "thenable" | "throw" | "reject"; value: number; caught: boolean };

function produce(step: Step): unknown {
  switch (step.kind) {
    case "value":
      return step.value;
    case "promise":
      return Promise.resolve(step.value);
    case "thenable":
      return {
        then: (ok: (v: number) => void) => {
          ok(step.value);
        },
      };
    case "throw":
      throw new Error(`thrown ${step.value}`);
    case "reject":
      return Promise.reject(new Error(`rejected ${step.value}`));
  }
}

/** The same program with generator steps (as the render loop writes it) ... */
function* asSteps(program: readonly Step[], log: string[]): Steps<number> {
  let sum = 0;
  for (const step of program) {
    try {
      sum += (yield produce(step)) as number;
      log.push(`ok ${sum}`);
    } catch (err) {
      log.push(`caught ${(err as Error).message}`);
      if (!step.caught) throw err;
    }
  }
  return sum;
}

/** ... and with async/await, the behaviour runSteps must reproduce. */
async function asAsync(program: readonly Step[], log: string[]): Promise<number> {
  let sum = 0;
  for (const step of program) {
    try {
      sum += (await produce(step)) as number;
      log.push(`ok ${sum}`);
    } catch (err) {
      log.push(`caught ${(err as Error).message}`);
      if (!step.caught) throw err;
    }
  }
  return sum;
}

const stepArb = fc.record({
  kind: fc.constantFrom("value", "promise", "thenable", "throw", "reject"),
  value: fc.integer({ min: -1000, max: 1000 }),
  caught: fc.boolean(),
}) as fc.Arbitrary<Step>;

async function outcome(run: () => unknown): Promise<{ ok: boolean; value: unknown }> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return { ok: false, value: (err as Error).message };
  }
}

describe("runSteps", () => {
  it("gives exactly what async/await gives, for any mix of values, promises, thenables, throws and rejections (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { maxLength: 8 }), async (program) => {
        const stepsLog: string[] = [];
        const asyncLog: string[] = [];
        const got = await outcome(() => runSteps(asSteps(program, stepsLog)));
        const expected = await outcome(() => asAsync(program, asyncLog));
        expect(got).toEqual(expected);
        expect(stepsLog).toEqual(asyncLog);
      }),
      { numRuns: 500 },
    );
  });

  it("answers synchronously exactly when no step handed over a promise or thenable (property)", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 8 }), (program) => {
        let result: unknown;
        let threw = false;
        try {
          result = runSteps(asSteps(program, []));
        } catch {
          threw = true;
        }
        // Steps up to the first one that waits or throws uncaught decide it: a promise, a
        // synchronous throw, or (neither) the sum of the values, returned synchronously.
        let expected: "promise" | "throw" | number = 0;
        for (const step of program) {
          if (step.kind === "promise" || step.kind === "thenable" || step.kind === "reject") {
            expected = "promise";
            break;
          }
          if (step.kind === "throw" && !step.caught) {
            expected = "throw";
            break;
          }
          if (step.kind === "value") expected += step.value;
        }
        if (result instanceof Promise) result.catch(() => undefined);
        if (expected === "promise") expect(result).toBeInstanceOf(Promise);
        else if (expected === "throw") expect(threw).toBe(true);
        else expect({ threw, result }).toEqual({ threw: false, result: expected });
      }),
      { numRuns: 500 },
    );
  });

  it("turns a `then` getter that throws into a rejection, as await does", async () => {
    const hostile = Object.defineProperty({}, "then", {
      get() {
        throw new Error("getter boom");
      },
    });
    expect(isThenable(hostile)).toBe(true);
    function* steps(): Steps<unknown> {
      return yield hostile;
    }
    await expect(Promise.resolve(runSteps(steps()))).rejects.toThrow("getter boom");
  });

  it("treats only objects and functions with a callable then as thenables", () => {
    expect([null, undefined, 1, "then", { then: 1 }, {}].map(isThenable)).toEqual([false, false, false, false, false, false]);
    const fnWithThen = Object.assign(() => undefined, { then: () => undefined });
    expect([Promise.resolve(), { then: () => undefined }, fnWithThen].map(isThenable)).toEqual([true, true, true]);
  });
});
