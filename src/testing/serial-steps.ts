/** Runs asynchronous steps one at a time, in the order they were asked for. */
export class SerialSteps {
  private last: Promise<unknown> = Promise.resolve();

  /** Runs `work` once every earlier step has settled (a failed one included); resolves or rejects as `work` does. */
  run(work: () => Promise<void>): Promise<void> {
    const run = this.last.then(work);
    this.last = run.catch(() => undefined);
    return run;
  }
}
