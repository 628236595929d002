import { SessionError } from "../errors";
import type { CallSession, JsonValue } from "../types";
import { decodeField, jsonProblem } from "./json-value";
import type { SessionFields, SessionStore, StoredSession } from "./store";

/** What every session of an app shares. */
export interface SessionSettings {
  store: SessionStore;
  /** `config.sessions.ttlSeconds`; `undefined` leaves the store's own default. */
  ttlSeconds: number | undefined;
}

/** How long `update` keeps retrying against concurrent writers before it gives up with an error. */
const UPDATE_TIME_LIMIT_MS = 10_000;

/** Twilio SIDs are 34 characters; anything much longer (or with control characters) is not a CallSid. */
const CALL_SID = /^[\x21-\x7e]{1,128}$/;

type Data = Record<string, JsonValue>;

/** Sets an own data property, also for the key `__proto__` (plain assignment would change the prototype). */
function setOwn(target: Data, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function decodeAll(stored: StoredSession | undefined, callSid: string): Data {
  const data: Data = {};
  if (stored === undefined) return data;
  for (const key of Object.keys(stored.fields)) setOwn(data, key, decodeField(stored.fields[key] as string, key, callSid));
  return data;
}

/** Waits a little before the next `update` attempt: jittered, growing, so racing writers spread out. */
function backoff(attempt: number): Promise<void> {
  if (attempt === 0) return new Promise((resolve) => setImmediate(resolve));
  const ms = Math.random() * Math.min(2 ** attempt, 20);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A call's session on a store. Stateless apart from its call: every method goes to the store. */
class StoreSession implements CallSession {
  constructor(
    readonly callSid: string,
    private readonly settings: SessionSettings,
  ) {}

  async get(key: string): Promise<JsonValue | undefined> {
    this.checkKey(key);
    const stored = await this.settings.store.get(this.callSid);
    if (stored === undefined || !Object.hasOwn(stored.fields, key)) return undefined;
    return decodeField(stored.fields[key] as string, key, this.callSid);
  }

  async getAll(): Promise<Data> {
    return decodeAll(await this.settings.store.get(this.callSid), this.callSid);
  }

  async set(key: string, value: JsonValue): Promise<void> {
    this.checkKey(key);
    const text = this.encode(value, `session.set(${JSON.stringify(key)}, value): value`);
    const { store, ttlSeconds } = this.settings;
    if (store.patch !== undefined) {
      await store.patch(this.callSid, { set: { [key]: text }, remove: [] }, ttlSeconds);
      return;
    }
    await this.update((data) => {
      setOwn(data, key, value);
      return data;
    });
  }

  async delete(key: string): Promise<void> {
    this.checkKey(key);
    const { store, ttlSeconds } = this.settings;
    if (store.patch !== undefined) {
      await store.patch(this.callSid, { set: {}, remove: [key] }, ttlSeconds);
      return;
    }
    await this.update((data) => {
      delete data[key];
      return data;
    });
  }

  async update(fn: (data: Data) => Data | Promise<Data>): Promise<Data> {
    if (typeof fn !== "function") throw this.valueError(`session.update(fn): fn must be a function, got ${typeof fn}`);
    const { store, ttlSeconds } = this.settings;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const stored = await store.get(this.callSid);
      const next = await fn(decodeAll(stored, this.callSid));
      if (typeof next !== "object" || next === null || Array.isArray(next)) {
        throw this.valueError(`session.update(fn): fn must return the new data object, got ${next === null ? "null" : Array.isArray(next) ? "an array" : typeof next}`);
      }
      const fields: SessionFields = {};
      for (const key of Object.keys(next)) {
        const value = next[key] as JsonValue;
        // `undefined` means "no such key", as it does in JSON.
        if (value === undefined) continue;
        const text = this.encode(value, `session.update(fn): the data's ${JSON.stringify(key)}`);
        if (key === "__proto__") Object.defineProperty(fields, key, { value: text, enumerable: true, writable: true, configurable: true });
        else fields[key] = text;
      }
      if (await store.compareAndSet(this.callSid, stored?.revision, fields, ttlSeconds)) return next;
      if (Date.now() - started > UPDATE_TIME_LIMIT_MS) {
        throw new SessionError(
          "ERR_IVR_SESSION_CONFLICT",
          this.callSid,
          `session.update on call ${this.callSid} lost ${attempt + 1} races to concurrent writers in ${UPDATE_TIME_LIMIT_MS} ms; nothing was written`,
        );
      }
      await backoff(attempt);
    }
  }

  private checkKey(key: unknown): void {
    if (typeof key !== "string" || key === "") {
      throw this.valueError(`session key must be a non-empty string, got ${typeof key === "string" ? '""' : typeof key}`);
    }
  }

  private encode(value: unknown, what: string): string {
    const problem = jsonProblem(value, what);
    if (problem !== undefined) throw this.valueError(`${problem}; call ${this.callSid}, nothing was written`);
    return JSON.stringify(value);
  }

  private valueError(message: string): SessionError {
    return new SessionError("ERR_IVR_SESSION_VALUE", this.callSid, message);
  }
}

/** For a request without a usable CallSid: every method rejects, saying why. */
class NoCallSession implements CallSession {
  readonly callSid = "";

  private fail(): Promise<never> {
    return Promise.reject(
      new SessionError(
        "ERR_IVR_SESSION_NO_CALL",
        undefined,
        "this request has no CallSid, so it has no call session (Twilio sends CallSid on every voice webhook; add it to hand-made requests)",
      ),
    );
  }
  get(): Promise<never> {
    return this.fail();
  }
  getAll(): Promise<never> {
    return this.fail();
  }
  set(): Promise<never> {
    return this.fail();
  }
  delete(): Promise<never> {
    return this.fail();
  }
  update(): Promise<never> {
    return this.fail();
  }
}

/**
 * The session handed to a request's state functions. Creating it touches no store: a request
 * whose states never use the session costs no round trip.
 */
export function createCallSession(callSid: unknown, settings: SessionSettings): CallSession {
  if (typeof callSid !== "string" || !CALL_SID.test(callSid)) return new NoCallSession();
  return new StoreSession(callSid, settings);
}
