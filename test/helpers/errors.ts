import { ConfigError } from "../../src";
import type { ConfigErrorCode } from "../../src";

/** Runs `build`, expecting it to throw a ConfigError with `code`; returns the error. */
export function configError(build: () => unknown, code: ConfigErrorCode): ConfigError {
  let thrown: unknown;
  try {
    build();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  const error = thrown as ConfigError;
  expect(error.name).toBe("ConfigError");
  expect(error.code).toBe(code);
  return error;
}
