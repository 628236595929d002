import { SerialSteps } from "../../../src/testing/serial-steps";

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("SerialSteps", () => {
  it("starts a step only after the previous one finished, in the order asked", async () => {
    const steps = new SerialSteps();
    const log: string[] = [];
    const step = (name: string, ticks: number) => async (): Promise<void> => {
      log.push(`${name} start`);
      for (let i = 0; i < ticks; i++) await tick();
      log.push(`${name} end`);
    };
    await Promise.all([steps.run(step("a", 3)), steps.run(step("b", 1)), steps.run(step("c", 0))]);
    expect(log).toEqual(["a start", "a end", "b start", "b end", "c start", "c end"]);
  });

  it("rejects with the step's error, and still runs the steps after a failed one", async () => {
    const steps = new SerialSteps();
    const failing = steps.run(() => Promise.reject(new Error("boom")));
    let ran = false;
    const next = steps.run(async () => {
      ran = true;
    });
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBeUndefined();
    expect(ran).toBe(true);
  });
});
