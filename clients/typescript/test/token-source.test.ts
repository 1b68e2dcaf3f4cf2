import assert from "node:assert/strict";
import { test } from "node:test";

import { Code } from "@connectrpc/connect";

import { TokendError, TokenSource, type IssueOptions, type Issuer, type Token } from "../src/index.js";
import { client, sleep } from "./env.js";

/** Counts issue() calls of an inner issuer. */
class Counting implements Issuer {
  calls = 0;
  constructor(private readonly inner: Issuer) {}
  issue(options?: IssueOptions): Promise<Token> {
    this.calls++;
    return this.inner.issue(options);
  }
}

/** Answers from a list (a token or an error); the last answer repeats. */
class Fake implements Issuer {
  constructor(private readonly answers: (Token | Error)[]) {}
  async issue(): Promise<Token> {
    const a = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    if (a instanceof Error) throw a;
    return a;
  }
}

const down = new TokendError(Code.Unavailable, "", "connection refused");
const fakeToken = (accessToken: string, expiresIn: number): Token => ({
  accessToken, tokenType: "Bearer", expiresIn, refreshToken: "", scope: "read", scopes: ["read"],
});

test("renews a short-lived token before it expires", async () => {
  const short = client("SHORT_");
  const counting = new Counting(short);
  const source = new TokenSource(counting);
  const first = await source.token();
  assert.equal(first.expiresIn, 4);
  assert.equal(await source.token(), first);
  await sleep(3300); // past 80 % of 4 s: this call starts the renewal in the background
  await source.token(); // the current token (or, on a slow machine, the renewed one)
  await sleep(300);
  const second = await source.token();
  assert.notEqual(second.accessToken, first.accessToken);
  assert.equal(counting.calls, 2);
  assert.ok((await short.introspect(second.accessToken)).active);
});

test("one request in flight for many callers", async () => {
  const counting = new Counting(client());
  const source = new TokenSource(counting, { scopes: ["read"] });
  const tokens = await Promise.all(Array.from({ length: 16 }, () => source.token()));
  assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
  assert.equal(counting.calls, 1);
});

test("backs off while tokend is down", async () => {
  let now = 1_000_000;
  const counting = new Counting(new Fake([down]));
  const source = new TokenSource(counting, { now: () => now });
  const step = async (ms: number, calls: number) => {
    now += ms;
    await assert.rejects(source.token(), down);
    assert.equal(counting.calls, calls);
  };
  await step(0, 1);
  await step(300, 1); // first backoff: 375-500 ms
  await step(250, 2);
  await step(700, 2); // second backoff: 750-1000 ms
  await step(350, 3);
});

test("keeps the valid token while down but never an expired one", async () => {
  let now = 1_000_000;
  const counting = new Counting(new Fake([fakeToken("a", 100), down]));
  const source = new TokenSource(counting, { now: () => now });
  assert.equal((await source.token()).accessToken, "a");
  now += 85_000; // renewal due; it fails in the background
  assert.equal((await source.token()).accessToken, "a");
  await sleep(0);
  assert.equal(counting.calls, 2);
  now += 4_000;
  assert.equal((await source.token()).accessToken, "a");
  await sleep(0);
  now += 2_000; // past 90 s (100 s less 10 s)
  await assert.rejects(source.token(), down);
});
