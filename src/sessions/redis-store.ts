import crypto from "node:crypto";
import { ConfigError } from "../errors";
import { errorMessage } from "../error-message";
import { log } from "../logger";
import type * as RedisModuleNamespace from "redis";
import { checkTtl, DEFAULT_TTL_SECONDS, type SessionFields, type SessionPatch, type SessionStore, type StoredSession } from "./store";

/**
 * The one command `RedisStore` sends: `EVAL`, as node-redis's clients and clusters
 * (`createClient()`, `createCluster()`) spell it. Every script touches one key, so it runs on a
 * Redis Cluster too. For another client, adapt it, e.g. ioredis:
 * `{ eval: (script, o) => ioredis.eval(script, o.keys.length, ...o.keys, ...o.arguments) }`.
 */
export interface RedisEvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link RedisStore}: exactly one of `url` and `client`. */
export type RedisStoreOptions = RedisStoreCommon &
  (
    | {
        /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS): the store makes, connects and owns a node-redis client; `close()` closes it. Needs the `redis` package installed. */
        url: string;
        client?: never;
      }
    | {
        /** A client you made and connected (node-redis client or cluster, or an adapter); you close it. */
        client: RedisEvalClient;
        url?: never;
      }
  );

interface RedisStoreCommon {
  /** Prefix of every key the store writes. Default `"tif:call:"`: a call's data is the hash `tif:call:<CallSid>`. */
  prefix?: string;
  /** Seconds a call's data lives after its last write, unless `config.sessions.ttlSeconds` says otherwise. Default 14400 (4 hours). */
  ttlSeconds?: number;
  /**
   * Longest wait, in milliseconds, for one store operation (connecting included) before it
   * rejects, so that a Redis that is down or stuck fails the request instead of holding it
   * past Twilio's 15 s limit. Default 3000. A write that timed out may still be applied when a
   * stuck Redis recovers: the error means "not confirmed", not "not written".
   */
  timeoutMs?: number;
}

const DEFAULT_PREFIX = "tif:call:";
const DEFAULT_TIMEOUT_MS = 3000;
const REVISION = "rev";
/** Data fields are prefixed so that no key of the user's can collide with the revision field. */
const FIELD = "f:";

// Each script is atomic on the server and touches only KEYS[1].
const GET_SCRIPT = `return redis.call('HGETALL', KEYS[1])`;

// ARGV: ttl, new revision, number of field/value pairs to set, the pairs, then fields to remove.
const PATCH_SCRIPT = `
local n = tonumber(ARGV[3])
if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 4, 3 + 2 * n)) end
for i = 4 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
redis.call('HSET', KEYS[1], '${REVISION}', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

// ARGV: expected revision ('' = the call must have no data), ttl, new revision, then field/value pairs.
const COMPARE_AND_SET_SCRIPT = `
local current = redis.call('HGET', KEYS[1], '${REVISION}')
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], '${REVISION}', ARGV[3], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;

const DESTROY_SCRIPT = `return redis.call('DEL', KEYS[1])`;

/**
 * A fresh revision per write, never repeated: after the data is destroyed and re-created, or by
 * another instance of the app. A random prefix per process and a counter, rather than random bytes
 * per write: as unique, without a call into the system's random source on every write.
 */
const REVISION_PREFIX = crypto.randomBytes(9).toString("base64url");
let revisionCount = 0;
function newRevision(): string {
  return `${REVISION_PREFIX}${(revisionCount++).toString(36)}`;
}

/** The reply of HGETALL inside a script: a flat [field, value, ...] array. */
function toStoredSession(reply: unknown): StoredSession | undefined {
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  const fields: SessionFields = {};
  let revision = "";
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const name = String(reply[i]);
    const value = String(reply[i + 1]);
    if (name === REVISION) revision = value;
    else if (name.startsWith(FIELD)) {
      const key = name.slice(FIELD.length);
      if (key === "__proto__") Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
      else fields[key] = value;
    }
  }
  return { fields, revision };
}

type RedisModule = typeof RedisModuleNamespace;

interface OwnedClient extends RedisEvalClient {
  close(): Promise<void>;
  destroy(): void;
}

/**
 * Keeps call sessions in Redis, so that every instance of an app behind a load balancer sees the
 * same calls. A call's data is one hash (`<prefix><CallSid>`, one field per key plus a revision);
 * every operation is one atomic script, and every write refreshes the hash's TTL.
 */
export class RedisStore implements SessionStore {
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly url: string | undefined;
  private readonly timeoutMs: number;
  private client: Promise<RedisEvalClient> | undefined;
  /** The client once connected: commands then go straight to it, without a hop through the promise. */
  private ready: RedisEvalClient | undefined;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    if (typeof options !== "object" || options === null) {
      throw new ConfigError("ERR_IVR_CONFIG_INVALID", "new RedisStore(options): options are required: { url } or { client }");
    }
    const { url, client, prefix = DEFAULT_PREFIX } = options as { url?: unknown; client?: unknown; prefix?: unknown };
    if ((url === undefined) === (client === undefined)) {
      throw new ConfigError(
        "ERR_IVR_CONFIG_INVALID",
        `RedisStore options need exactly one of \`url\` (the store makes its own client) or \`client\` (yours), got ${url === undefined ? "neither" : "both"}`,
      );
    }
    if (url !== undefined && (typeof url !== "string" || !/^rediss?:\/\//i.test(url))) {
      // Describe the type only: a URL may carry a password.
      throw new ConfigError("ERR_IVR_CONFIG_INVALID", `RedisStore options.url must be a redis:// or rediss:// URL string, got ${typeof url === "string" ? "another string" : typeof url}`);
    }
    if (client !== undefined && (typeof client !== "object" || client === null || typeof (client as RedisEvalClient).eval !== "function")) {
      throw new ConfigError("ERR_IVR_CONFIG_INVALID", "RedisStore options.client must be a Redis client with `eval(script, { keys, arguments })` (node-redis's createClient() or createCluster())");
    }
    if (typeof prefix !== "string") throw new ConfigError("ERR_IVR_CONFIG_INVALID", `RedisStore options.prefix must be a string, got ${typeof prefix}`);
    this.prefix = prefix;
    this.ttlSeconds = checkTtl(options.ttlSeconds, "RedisStore options.ttlSeconds") ?? DEFAULT_TTL_SECONDS;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new ConfigError("ERR_IVR_CONFIG_INVALID", `RedisStore options.timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
    }
    this.timeoutMs = timeoutMs;
    this.url = url;
    if (client !== undefined) {
      this.ready = client as RedisEvalClient;
      this.client = Promise.resolve(this.ready);
    }
  }

  async get(callSid: string): Promise<StoredSession | undefined> {
    return toStoredSession(await this.run(GET_SCRIPT, callSid, []));
  }

  async compareAndSet(callSid: string, expectedRevision: string | undefined, fields: SessionFields, ttlSeconds: number | undefined): Promise<boolean> {
    const args = [expectedRevision ?? "", String(ttlSeconds ?? this.ttlSeconds), newRevision()];
    for (const key of Object.keys(fields)) args.push(FIELD + key, fields[key] as string);
    return Number(await this.run(COMPARE_AND_SET_SCRIPT, callSid, args)) === 1;
  }

  async patch(callSid: string, changes: SessionPatch, ttlSeconds: number | undefined): Promise<void> {
    const keys = Object.keys(changes.set);
    const args = [String(ttlSeconds ?? this.ttlSeconds), newRevision(), String(keys.length)];
    for (const key of keys) args.push(FIELD + key, changes.set[key] as string);
    for (const key of changes.remove) args.push(FIELD + key);
    await this.run(PATCH_SCRIPT, callSid, args);
  }

  async destroy(callSid: string): Promise<void> {
    await this.run(DESTROY_SCRIPT, callSid, []);
  }

  /**
   * Connects the client the store makes from `url` now rather than on first use (the library calls
   * it when an app is created, so the first caller does not wait for the connection).
   */
  async init(): Promise<void> {
    if (this.closed) return;
    await (this.client ??= this.openClient());
  }

  /** Closes the client the store made from `url`; a client you passed is left to you. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.url === undefined || this.client === undefined) return;
    const owned = (await this.client.catch(() => undefined)) as OwnedClient | undefined;
    if (owned !== undefined) {
      await owned.close().catch(() => {
        owned.destroy();
      });
    }
  }

  private run(script: string, callSid: string, args: string[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error("RedisStore is closed"));
    const options = { keys: [this.prefix + callSid], arguments: args };
    const ready = this.ready;
    const work = ready !== undefined ? ready.eval(script, options) : (this.client ??= this.openClient()).then((client) => client.eval(script, options));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`RedisStore: no answer from Redis within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      work.then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /** Makes and connects the owned client on first use; a failed connection is retried on the next use. */
  private openClient(): Promise<RedisEvalClient> {
    const url = this.url as string;
    const connecting = (async () => {
      let redis: RedisModule;
      try {
        redis = await import("redis");
      } catch (err) {
        throw new Error(`RedisStore({ url }) needs the \`redis\` package: npm install redis (${errorMessage(err)})`);
      }
      const client = redis.createClient({
        url,
        // Fail fast while Redis is unreachable instead of queueing commands (and callers) indefinitely.
        disableOfflineQueue: true,
        // Every command is bounded by the store's own timer (run): node-redis's default 5 s bound
        // would add a second timer and an AbortSignal to every command.
        commandOptions: { timeout: 0 },
        socket: { connectTimeout: this.timeoutMs, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
      });
      // node-redis emits connection errors as events; without a listener they would crash the process.
      client.on("error", (err: unknown) => {
        log.error("RedisStore: %s", errorMessage(err));
      });
      // connect() keeps retrying while Redis is unreachable: bound it, and start afresh on the next use.
      let timer: NodeJS.Timeout | undefined;
      const failed = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`RedisStore: could not connect to Redis within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
        // A refused connection fails now rather than after every retry.
        client.once("error", (err: unknown) => {
          reject(new Error(`RedisStore: could not connect to Redis: ${errorMessage(err)}`));
        });
      });
      try {
        await Promise.race([client.connect(), failed]);
      } catch (err) {
        client.destroy();
        throw err;
      } finally {
        clearTimeout(timer);
      }
      const owned = client as unknown as OwnedClient;
      this.ready = owned;
      return owned;
    })();
    connecting.catch(() => {
      if (this.client === connecting) this.client = undefined;
    });
    return connecting;
  }
}
