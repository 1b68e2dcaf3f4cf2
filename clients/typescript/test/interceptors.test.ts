// The interceptor pair: a TypeScript echo service behind bearerGuard, called
// through bearerInterceptor.
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";

import { Code, ConnectError, createClient, type Client, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";

import { EchoService, type EchoRequest } from "../gen/echo_pb.js";
import { IntrospectionVerifier, TokenSource, bearerGuard, bearerInterceptor, principalOf } from "../src/index.js";
import { client, env, sleep } from "./env.js";

let server: http2.Http2Server;
let baseUrl = "";
const sessions = new Set<http2.ServerHttp2Session>();

function echo(req: EchoRequest, ctx: HandlerContext) {
  const p = principalOf(ctx);
  return { message: req.message, subject: p.subject, clientId: p.clientId, scopes: p.scopes };
}

before(async () => {
  const guard = bearerGuard({
    verifier: new IntrospectionVerifier(client("RS_"), { cacheTtlMs: 1000 }),
    requiredScopes: { "/echo.v1.EchoService/Echo": ["read"], "/echo.v1.EchoService/Shout": ["write"] },
  });
  const routes = (router: ConnectRouter) => router.service(EchoService, { echo, shout: echo });
  server = http2.createServer(connectNodeAdapter({ routes, interceptors: [guard] }));
  server.on("session", (session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  for (const session of sessions) session.destroy(); // clients keep their HTTP/2 sessions open
  server.close();
});

function stub(source?: TokenSource): Client<typeof EchoService> {
  const interceptors = source ? [bearerInterceptor(source)] : [];
  return createClient(EchoService, createGrpcTransport({ baseUrl, interceptors }));
}

async function code(p: Promise<unknown>): Promise<Code> {
  try {
    await p;
  } catch (e) {
    return ConnectError.from(e).code;
  }
  return assert.fail("resolved");
}

test("the guard admits the token and exposes the caller", async () => {
  const reply = await stub(new TokenSource(client(), { scopes: ["read"] })).echo({ message: "hi" });
  assert.equal(reply.message, "hi");
  assert.equal(reply.clientId, env("TOKEND_CLIENT_ID"));
  assert.equal(reply.subject, env("TOKEND_CLIENT_ID"));
  assert.deepEqual(reply.scopes, ["read"]);
});

test("a missing scope is PermissionDenied", async () => {
  assert.equal(await code(stub(new TokenSource(client(), { scopes: ["read"] })).shout({})), Code.PermissionDenied);
  const both = stub(new TokenSource(client(), { scopes: ["read", "write"] }));
  assert.equal((await both.shout({ message: "HI" })).message, "HI");
});

test("no token or an unknown one is Unauthenticated", async () => {
  const plain = stub();
  for (const authorization of [undefined, "Bearer not-a-token", "Basic eDp5"]) {
    const headers: Record<string, string> = authorization ? { authorization } : {};
    assert.equal(await code(plain.echo({}, { headers })), Code.Unauthenticated, authorization);
  }
});

test("a revoked token is rejected within the cache TTL", async () => {
  const c = client();
  const source = new TokenSource(c, { scopes: ["read"] });
  const s = stub(source);
  assert.equal((await s.echo({ message: "1" })).message, "1");
  await c.revoke(await source.accessToken());
  await sleep(1100);
  assert.equal(await code(s.echo({ message: "2" })), Code.Unauthenticated);
});
