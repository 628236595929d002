import { ConfigError } from "../errors";
import { checkTtl, DEFAULT_TTL_SECONDS, type SessionFields, type SessionPatch, type SessionStore, type StoredSession } from "./store";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Seconds a call's data lives after its last write, unless `config.sessions.ttlSeconds` says otherwise. Default 14400 (4 hours). */
  ttlSeconds?: number;
  /** Most calls kept at once; past it, the call written longest ago is evicted. Default 10000. */
  maxCalls?: number;
}

interface Entry {
  fields: Map<string, string>;
  revision: number;
  expiresAt: number;
}

const DEFAULT_MAX_CALLS = 10_000;
/** Expired calls are also swept on this period (they are never returned once expired). */
const SWEEP_MS = 60_000;

let warnedInProduction = false;

/**
 * Keeps call sessions in this process's memory: the default store. Bounded (oldest call evicted
 * past `maxCalls`), expired by TTL, its timer `unref`'d so it never keeps a process alive. Data is
 * lost on restart and not shared between instances: use `RedisStore` for more than one.
 */
export class MemoryStore implements SessionStore {
  private readonly calls = new Map<string, Entry>();
  private readonly ttlSeconds: number;
  private readonly maxCalls: number;
  private sweeper: NodeJS.Timeout | undefined;
  /** Store-wide, so a call destroyed and written again never gets a revision it had before. */
  private lastRevision = 0;

  constructor(options: MemoryStoreOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new ConfigError("ERR_IVR_CONFIG_INVALID", `new MemoryStore(options): options must be an object, got ${options === null ? "null" : typeof options}`);
    }
    this.ttlSeconds = checkTtl(options.ttlSeconds, "MemoryStore options.ttlSeconds") ?? DEFAULT_TTL_SECONDS;
    const maxCalls = options.maxCalls ?? DEFAULT_MAX_CALLS;
    if (typeof maxCalls !== "number" || !Number.isInteger(maxCalls) || maxCalls < 1) {
      throw new ConfigError("ERR_IVR_CONFIG_INVALID", `MemoryStore options.maxCalls must be a positive whole number, got ${String(maxCalls)}`);
    }
    this.maxCalls = maxCalls;
    if (process.env.NODE_ENV === "production" && !warnedInProduction) {
      warnedInProduction = true;
      process.emitWarning(
        "twilio-interactive-flow: call sessions use the MemoryStore under NODE_ENV=production; its data is lost on restart and not shared between instances (use RedisStore)",
        { code: "IVR_MEMORY_STORE_IN_PRODUCTION" },
      );
    }
  }

  /** Number of calls held (expired ones not yet swept included). */
  get size(): number {
    return this.calls.size;
  }

  get(callSid: string): Promise<StoredSession | undefined> {
    const entry = this.live(callSid);
    if (entry === undefined) return Promise.resolve(undefined);
    const fields: SessionFields = {};
    for (const [key, text] of entry.fields) {
      if (key === "__proto__") Object.defineProperty(fields, key, { value: text, enumerable: true, writable: true, configurable: true });
      else fields[key] = text;
    }
    return Promise.resolve({ fields, revision: String(entry.revision) });
  }

  compareAndSet(callSid: string, expectedRevision: string | undefined, fields: SessionFields, ttlSeconds: number | undefined): Promise<boolean> {
    const entry = this.live(callSid);
    const current = entry === undefined ? undefined : String(entry.revision);
    if (current !== expectedRevision) return Promise.resolve(false);
    this.write(callSid, new Map(Object.entries(fields)), ttlSeconds);
    return Promise.resolve(true);
  }

  patch(callSid: string, changes: SessionPatch, ttlSeconds: number | undefined): Promise<void> {
    const entry = this.live(callSid);
    const fields = entry?.fields ?? new Map<string, string>();
    for (const key of Object.keys(changes.set)) fields.set(key, changes.set[key] as string);
    for (const key of changes.remove) fields.delete(key);
    this.write(callSid, fields, ttlSeconds);
    return Promise.resolve();
  }

  destroy(callSid: string): Promise<void> {
    this.calls.delete(callSid);
    return Promise.resolve();
  }

  /** Drops all data and stops the sweep timer. */
  close(): Promise<void> {
    this.calls.clear();
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    return Promise.resolve();
  }

  /** The call's entry unless it expired (an expired one is removed on the way). */
  private live(callSid: string): Entry | undefined {
    const entry = this.calls.get(callSid);
    if (entry !== undefined && entry.expiresAt <= Date.now()) {
      this.calls.delete(callSid);
      return undefined;
    }
    return entry;
  }

  private write(callSid: string, fields: Map<string, string>, ttlSeconds: number | undefined): void {
    const revision = ++this.lastRevision;
    // Delete then set: a Map iterates in insertion order, so the first key is the call written longest ago.
    this.calls.delete(callSid);
    this.calls.set(callSid, { fields, revision, expiresAt: Date.now() + (ttlSeconds ?? this.ttlSeconds) * 1000 });
    while (this.calls.size > this.maxCalls) {
      const oldest = this.calls.keys().next().value as string;
      this.calls.delete(oldest);
    }
    this.startSweeper();
  }

  private startSweeper(): void {
    if (this.sweeper !== undefined) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [callSid, entry] of this.calls) if (entry.expiresAt <= now) this.calls.delete(callSid);
      if (this.calls.size === 0 && this.sweeper !== undefined) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, Math.min(SWEEP_MS, this.ttlSeconds * 1000));
    this.sweeper.unref();
  }
}
