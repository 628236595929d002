import { describeValue } from "./states";

/**
 * The message of anything thrown: an Error's `message`, else the value as a string. Never throws
 * itself (a null-prototype object or a throwing `toString` is described instead), because it runs
 * while reporting another failure.
 */
export function errorMessage(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return describeValue(err);
  }
}
