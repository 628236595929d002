import { ConfigError } from "../errors";

/**
 * The contract between call sessions and the place their data lives. Implement it to keep
 * sessions somewhere else (a database, another cache); `MemoryStore` and `RedisStore` are the
 * built-in implementations, and `sessionStoreContract()` in `twilio-interactive-flow/testing`
 * checks yours.
 *
 * A store keeps, per call (keyed by Twilio's `CallSid`), a flat map of field name -> JSON text
 * and a revision that changes on every write. It never parses the JSON: the library encodes and
 * decodes values, so a store only moves strings. "Not found" is `undefined`, never an error; a
 * rejected promise means the store itself failed and reaches the request's error path.
 */
export interface SessionStore {
  /**
   * Required. The call's fields and current revision, or `undefined` when the call has no data
   * (never written, destroyed, or expired). Called by `session.get`, `getAll` and `update`.
   */
  get(callSid: string): Promise<StoredSession | undefined>;
  /**
   * Required. Atomically replaces all of the call's fields, but only when its revision is still
   * `expectedRevision` (`undefined`: only when the call has no data). On success it stores a new
   * revision, refreshes the expiry to `ttlSeconds` from now, and resolves `true`; when the revision
   * differs it changes nothing and resolves `false`. Called by `session.update` (and by `set` and
   * `delete` when the store has no `patch`).
   */
  compareAndSet(callSid: string, expectedRevision: string | undefined, fields: SessionFields, ttlSeconds: number | undefined): Promise<boolean>;
  /**
   * Optional: one atomic write of some fields, without a read. Sets `changes.set`, removes
   * `changes.remove`, creates the call's data if needed, changes the revision and refreshes the
   * expiry. Called by `session.set` and `session.delete`; without it they run a
   * `get` + `compareAndSet` loop, which is correct but costs a round trip more.
   */
  patch?(callSid: string, changes: SessionPatch, ttlSeconds: number | undefined): Promise<void>;
  /** Required. Removes the call's data; resolves even when there was none. Called when Twilio reports the call ended. */
  destroy(callSid: string): Promise<void>;
  /**
   * Optional. Called once when an app using the store is created, without waiting for it (a
   * rejection is logged and the store is used anyway): the place to open connections early, so
   * that the first caller does not wait for them.
   */
  init?(): Promise<void>;
  /** Optional. Releases connections and timers the store owns; the library never calls it. */
  close?(): Promise<void>;
}

/** A call's stored fields: field name -> JSON text of its value. */
export type SessionFields = Record<string, string>;

/** What {@link SessionStore.get} returns. */
export interface StoredSession {
  fields: SessionFields;
  /** Opaque; changes on every write. Passed back to `compareAndSet` to detect a concurrent write. */
  revision: string;
}

/** A partial write for {@link SessionStore.patch}. */
export interface SessionPatch {
  /** Fields to set: name -> JSON text. */
  set: Readonly<SessionFields>;
  /** Field names to remove. */
  remove: readonly string[];
}

/** True when `it` has the methods a session store must have (checked by shape, not class). */
export function isSessionStore(it: unknown): it is SessionStore {
  if (typeof it !== "object" || it === null) return false;
  const store = it as Record<string, unknown>;
  return (
    typeof store.get === "function" &&
    typeof store.compareAndSet === "function" &&
    typeof store.destroy === "function" &&
    (store.patch === undefined || typeof store.patch === "function") &&
    (store.init === undefined || typeof store.init === "function")
  );
}

/** Four hours: Twilio's default limit on a call's duration, so data outlives any default call. */
export const DEFAULT_TTL_SECONDS = 4 * 60 * 60;

/** Checks a `ttlSeconds` option: a positive whole number of seconds. */
export function checkTtl(value: unknown, key: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ConfigError("ERR_IVR_CONFIG_INVALID", `${key} must be a positive whole number of seconds, got ${typeof value === "number" ? String(value) : typeof value}`);
  }
  return value;
}
