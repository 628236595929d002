import assert from "node:assert/strict";
import crypto from "node:crypto";
import type { SessionStore } from "../sessions/store";

/** One check of the session-store contract: run it with any test runner (it throws on failure). */
export interface StoreContractCheck {
  name: string;
  run(): Promise<void>;
}

/** Options of {@link sessionStoreContract}. */
export interface StoreContractOptions {
  /**
   * Include the checks that wait for data to expire (about 3 s of real time in all). Default true.
   * The store must honour a `ttlSeconds` of 1.
   */
  expiry?: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The behaviour every `SessionStore` must have, as a list of checks, so your own store can be
 * tested exactly like the built-in ones:
 *
 * ```ts
 * for (const check of sessionStoreContract(() => new MyStore())) test(check.name, check.run);
 * ```
 *
 * Each check makes a fresh store with `makeStore`, uses call SIDs no other check uses, and calls
 * the store's `close()` (if any) at the end.
 */
export function sessionStoreContract(makeStore: () => SessionStore | Promise<SessionStore>, options: StoreContractOptions = {}): StoreContractCheck[] {
  const check = (name: string, body: (store: SessionStore, sid: (n?: number) => string) => Promise<void>): StoreContractCheck => ({
    name,
    async run() {
      const store = await makeStore();
      const prefix = `CA${crypto.randomBytes(12).toString("hex")}`;
      try {
        await body(store, (n = 0) => `${prefix}${n}`);
      } finally {
        await store.close?.();
      }
    },
  });

  const checks: StoreContractCheck[] = [
    check("get: a call never written is undefined, not an error", async (store, sid) => {
      assert.equal(await store.get(sid()), undefined);
    }),

    check("compareAndSet with no expected revision creates the call, once", async (store, sid) => {
      assert.equal(await store.compareAndSet(sid(), undefined, { a: '"1"' }, 60), true);
      const stored = await store.get(sid());
      assert.deepEqual({ ...stored?.fields }, { a: '"1"' });
      assert.equal(typeof stored?.revision, "string");
      assert.equal(await store.compareAndSet(sid(), undefined, { a: '"2"' }, 60), false, "a second create must fail: the call exists");
      assert.deepEqual({ ...(await store.get(sid()))?.fields }, { a: '"1"' });
    }),

    check("compareAndSet replaces every field when the revision matches, and changes the revision", async (store, sid) => {
      await store.compareAndSet(sid(), undefined, { a: "1", b: "2" }, 60);
      const before = await store.get(sid());
      assert.ok(before !== undefined);
      assert.equal(await store.compareAndSet(sid(), before.revision, { c: "3" }, 60), true);
      const after = await store.get(sid());
      assert.deepEqual({ ...after?.fields }, { c: "3" });
      assert.notEqual(after?.revision, before.revision);
    }),

    check("compareAndSet with a stale revision changes nothing and resolves false", async (store, sid) => {
      await store.compareAndSet(sid(), undefined, { a: "1" }, 60);
      const first = await store.get(sid());
      await store.compareAndSet(sid(), first?.revision, { a: "2" }, 60);
      assert.equal(await store.compareAndSet(sid(), first?.revision, { a: "3" }, 60), false);
      assert.deepEqual({ ...(await store.get(sid()))?.fields }, { a: "2" });
    }),

    check("of racing compareAndSets on one revision, exactly one wins", async (store, sid) => {
      await store.compareAndSet(sid(), undefined, { n: "0" }, 60);
      const { revision } = (await store.get(sid())) ?? { revision: "" };
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.compareAndSet(sid(), revision, { n: String(i + 1) }, 60)));
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true) + 1;
      assert.deepEqual({ ...(await store.get(sid()))?.fields }, { n: String(winner) });
    }),

    check("a revision is never reused after destroy and re-create", async (store, sid) => {
      await store.compareAndSet(sid(), undefined, { a: "1" }, 60);
      const old = (await store.get(sid()))?.revision;
      await store.destroy(sid());
      await store.compareAndSet(sid(), undefined, { a: "2" }, 60);
      assert.notEqual((await store.get(sid()))?.revision, old);
      assert.equal(await store.compareAndSet(sid(), old, { a: "3" }, 60), false);
    }),

    check("destroy removes the call's data and resolves when there is none", async (store, sid) => {
      await store.compareAndSet(sid(), undefined, { a: "1" }, 60);
      await store.destroy(sid());
      assert.equal(await store.get(sid()), undefined);
      await store.destroy(sid(1));
    }),

    check("calls are isolated from each other", async (store, sid) => {
      await store.compareAndSet(sid(1), undefined, { a: "1" }, 60);
      await store.compareAndSet(sid(2), undefined, { a: "2" }, 60);
      await store.destroy(sid(1));
      assert.equal(await store.get(sid(1)), undefined);
      assert.deepEqual({ ...(await store.get(sid(2)))?.fields }, { a: "2" });
    }),

    check("field names and values are kept exactly: unicode, empty, reserved-looking, large", async (store, sid) => {
      const fields: Record<string, string> = { "": "empty name", rev: "r", "f:x": "prefixed", "ключ ☎": '"☎ 📞"', empty: "", big: "x".repeat(100_000) };
      Object.defineProperty(fields, "__proto__", { value: "{}", enumerable: true, writable: true, configurable: true });
      await store.compareAndSet(sid(), undefined, fields, 60);
      const stored = await store.get(sid());
      assert.ok(stored !== undefined);
      assert.deepEqual(Object.keys(stored.fields).sort(), Object.keys(fields).sort());
      for (const key of Object.keys(fields)) assert.equal(stored.fields[key], fields[key], `field ${JSON.stringify(key)}`);
    }),
  ];

  checks.push(
    check("patch (when present) sets and removes fields without touching others, and changes the revision", async (store, sid) => {
      if (store.patch === undefined) return;
      await store.patch(sid(), { set: { a: "1", b: "2" }, remove: [] }, 60);
      const first = await store.get(sid());
      assert.deepEqual({ ...first?.fields }, { a: "1", b: "2" });
      await store.patch(sid(), { set: { c: "3" }, remove: ["a", "missing"] }, 60);
      const second = await store.get(sid());
      assert.deepEqual({ ...second?.fields }, { b: "2", c: "3" });
      assert.notEqual(second?.revision, first?.revision);
      assert.equal(await store.compareAndSet(sid(), first?.revision, {}, 60), false, "a patch must make older revisions stale");
    }),

    check("patch (when present): 50 concurrent patches of different fields are all kept", async (store, sid) => {
      if (store.patch === undefined) return;
      const patch = store.patch.bind(store);
      await Promise.all(Array.from({ length: 50 }, (_, i) => patch(sid(), { set: { [`k${i}`]: String(i) }, remove: [] }, 60)));
      const stored = await store.get(sid());
      assert.equal(Object.keys(stored?.fields ?? {}).length, 50);
      for (let i = 0; i < 50; i++) assert.equal(stored?.fields[`k${i}`], String(i));
    }),
  );

  if (options.expiry !== false) {
    checks.push(
      check("data expires ttlSeconds after the last write", async (store, sid) => {
        await store.compareAndSet(sid(), undefined, { a: "1" }, 1);
        assert.notEqual(await store.get(sid()), undefined);
        await sleep(1300);
        assert.equal(await store.get(sid()), undefined);
      }),
      check("every write refreshes the expiry", async (store, sid) => {
        await store.compareAndSet(sid(), undefined, { a: "1" }, 1);
        await sleep(700);
        const { revision } = (await store.get(sid())) ?? { revision: "" };
        assert.equal(await store.compareAndSet(sid(), revision, { a: "2" }, 2), true);
        await sleep(700);
        assert.deepEqual({ ...(await store.get(sid()))?.fields }, { a: "2" }, "still there: the write refreshed the expiry");
      }),
    );
  }
  return checks;
}
