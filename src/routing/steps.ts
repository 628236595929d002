/** A value now, or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * True for a value `await` would wait on (an object or function with a `then` method). A `then`
 * getter that throws counts as one, so that `Promise.resolve` turns the throw into a rejection.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== "object" || value === null) && typeof value !== "function") return false;
  try {
    return typeof (value as { then?: unknown }).then === "function";
  } catch {
    return true;
  }
}

/**
 * Steps whose every `yield` hands over a value or a promise: the generator gets the value back
 * (`const x = yield f()` acts as `const x = await f()`, a rejection is thrown at the `yield`).
 */
export type Steps<T> = Generator<unknown, T, unknown>;

/**
 * Runs `steps` synchronously for as long as no step hands over a promise, so that a request whose
 * state functions are all synchronous (most are) costs no promise, microtask or timer; from the
 * first promise on, it continues asynchronously. Either way the steps see exactly what `await`
 * would have given them.
 * @returns the result, or a promise of it once a step was asynchronous.
 * @throws what the steps throw, while they run synchronously (afterwards the promise rejects).
 */
export function runSteps<T>(steps: Steps<T>): MaybePromise<T> {
  /** Resumes the steps with `sent` (thrown into them when `failed`) until they finish or hand over a thenable. */
  function resume(sent: unknown, failed: boolean): MaybePromise<T> {
    let input = sent;
    let throwIn = failed;
    for (;;) {
      const step = throwIn ? steps.throw(input) : steps.next(input);
      if (step.done === true) return step.value;
      const value = step.value;
      if (isThenable(value)) {
        return Promise.resolve(value).then(
          (result) => resume(result, false),
          (err: unknown) => resume(err, true),
        );
      }
      input = value;
      throwIn = false;
    }
  }
  return resume(undefined, false);
}
