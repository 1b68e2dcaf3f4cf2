import assert from "node:assert/strict";
import { test } from "node:test";

import { Code } from "@connectrpc/connect";

import { TokenClient, TokendError, basicAuthorization } from "../src/index.js";
import { client, env } from "./env.js";

async function rejection(p: Promise<unknown>): Promise<TokendError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TokendError, String(e));
    return e;
  }
  assert.fail("resolved");
}

test("issue, introspect, revoke", async () => {
  const c = client();
  const token = await c.issue({ scopes: ["read", "write"] });
  assert.equal(token.tokenType, "Bearer");
  assert.ok(token.accessToken && token.expiresIn > 0 && token.refreshToken === "");
  assert.deepEqual(token.scopes, ["read", "write"]);
  const info = await c.introspect(token.accessToken);
  assert.ok(info.active);
  assert.equal(info.clientId, env("TOKEND_CLIENT_ID"));
  await c.revoke(token.accessToken);
  assert.equal((await c.introspect(token.accessToken)).active, false);
  await c.revoke("never-issued"); // RFC 7009: not an error
});

test("password grant, refresh, and a spent refresh token is invalid_grant", async () => {
  const c = client();
  const token = await c.issue({ username: env("TOKEND_USERNAME"), password: env("TOKEND_PASSWORD") });
  assert.ok(token.refreshToken);
  const next = await c.refresh(token.refreshToken);
  assert.notEqual(next.accessToken, token.accessToken);
  assert.equal((await c.introspect(next.accessToken)).username, env("TOKEND_USERNAME"));
  const e = await rejection(c.refresh(token.refreshToken));
  assert.equal(e.oauthCode, "invalid_grant");
  assert.equal(e.code, Code.FailedPrecondition);
});

test("a wrong secret is invalid_client", async () => {
  const bad = new TokenClient({ address: env("TOKEND_GRPC_ADDR"), clientId: env("TOKEND_CLIENT_ID"), clientSecret: "nope" });
  const e = await rejection(bad.issue());
  assert.equal(e.oauthCode, "invalid_client");
  assert.equal(e.code, Code.Unauthenticated);
  assert.ok(e.description);
});

test("an unreachable tokend is Unavailable without an OAuth code", async () => {
  const dead = new TokenClient({ address: "127.0.0.1:1", clientId: "x", clientSecret: "y", timeoutMs: 2000 });
  const e = await rejection(dead.issue());
  assert.equal(e.code, Code.Unavailable);
  assert.equal(e.oauthCode, "");
});

test("Basic credentials are form-urlencoded (RFC 6749 §2.3.1)", () => {
  assert.equal(basicAuthorization("a b", "x:y/é"), "Basic YStiOnglM0F5JTJGJUMzJUE5");
});
