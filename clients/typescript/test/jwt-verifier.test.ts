// JwtVerifier: offline checks against keys made here (every algorithm and
// refusal), then a TypeScript echo service behind bearerGuard(JwtVerifier)
// with JWTs issued by the live tokend, tampered, for another audience,
// expired, from another issuer, and across a key rotation.
import assert from "node:assert/strict";
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";

import {
  Code,
  ConnectError,
  createClient,
  type Client,
  type ConnectRouter,
  type HandlerContext,
} from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";

import { EchoService, type EchoRequest } from "../gen/echo_pb.js";
import { AdminService } from "../gen/tokend/v1/admin_pb.js";
import { TokenFormat, TokenService } from "../gen/tokend/v1/token_pb.js";
import {
  JwtError,
  JwtVerifier,
  TokendError,
  basicAuthorization,
  bearerGuard,
  principalOf,
  type Verifier,
} from "../src/index.js";
import { env } from "./env.js";

const ISSUER = "https://tokend.example";
const AUDIENCE = "https://echo.example";
type Json = Record<string, unknown>;

const b64 = (data: string | Buffer) => Buffer.from(data).toString("base64url");

// ---- offline: keys made here ----

interface LocalKey {
  alg: string;
  kid: string;
  privateKey: KeyObject;
}

function localKey(alg: string, kid: string, bits = 2048): { key: LocalKey; jwk: Json } {
  const pair =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : alg === "RS256"
        ? generateKeyPairSync("rsa", { modulusLength: bits })
        : generateKeyPairSync("ed25519");
  const jwk = { ...pair.publicKey.export({ format: "jwk" }), kid, alg, use: "sig" };
  return { key: { alg, kid, privateKey: pair.privateKey }, jwk };
}

function signJwt(key: LocalKey, header: Json, claims: Json): string {
  const signed = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const data = Buffer.from(signed);
  const sig =
    key.alg === "ES256"
      ? sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" })
      : sign(key.alg === "RS256" ? "sha256" : null, data, key.privateKey);
  return `${signed}.${b64(sig)}`;
}

const es = localKey("ES256", "kid-ES256");
const rs = localKey("RS256", "kid-RS256");
const ed = localKey("EdDSA", "kid-EdDSA");
const small = localKey("RS256", "small", 1024);
const privateJwk = { ...es.jwk, kid: "private", d: es.key.privateKey.export({ format: "jwk" }).d };
const JWKS = JSON.stringify({ keys: [es.jwk, rs.jwk, ed.jwk, small.jwk, privateJwk] });

/** Claims with `over` applied; an undefined value removes the claim. */
function claims(over: Json = {}): Json {
  const now = Math.floor(Date.now() / 1000);
  const c: Json = {
    iss: ISSUER, sub: "user-1", aud: AUDIENCE, exp: now + 300, iat: now, nbf: now, jti: "j1",
    client_id: "app", scope: "read write", ...over,
  };
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
}

function header(key: LocalKey, over: Json = {}): Json {
  const h: Json = { alg: key.alg, typ: "at+jwt", kid: key.kid, ...over };
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined));
}

const offline = (extra: Partial<ConstructorParameters<typeof JwtVerifier>[0]> = {}) =>
  new JwtVerifier({ jwks: async () => JWKS, issuer: ISSUER, audience: AUDIENCE, ...extra });

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof JwtError) return e.reason;
    throw e;
  }
  return "accepted";
}

test("JWT: every algorithm verifies and yields the principal", async () => {
  const v = offline();
  for (const { key } of [es, rs, ed]) {
    const c = claims({ aud: ["other", AUDIENCE] });
    const p = await v.check(signJwt(key, header(key), c));
    const want = { subject: "user-1", clientId: "app", username: "", scopes: ["read", "write"], expiresAt: c.exp };
    assert.deepEqual(p, want, key.alg);
  }
});

test("JWT: each refusal names tokend's check", async () => {
  const k = es.key;
  const good = signJwt(k, header(k), claims());
  const [h, p, s] = good.split(".");
  const now = Math.floor(Date.now() / 1000);
  const stranger = localKey("ES256", k.kid).key;
  const hdr = (over: Json) => b64(JSON.stringify(header(k, over)));
  const cases: Record<string, string[]> = {
    too_large: [good + "A".repeat(8192)],
    malformed: [
      `${h}.${p}`, `${good}.x`, `${h}=.${p}.${s}`, `${h}.${p}+.${s}`, `${b64("not json")}.${p}.${s}`,
      `${b64("[1]")}.${p}.${s}`,
      `${b64(" " + JSON.stringify(header(k)))}.${p}.${s}`,
      signJwt(k, header(k, { crit: ["exp"] }), claims()),
      signJwt(k, header(k), claims({ sub: undefined })),
      signJwt(k, header(k), claims({ exp: 1.5 })),
      signJwt(k, header(k), claims({ exp: "soon" })),
      signJwt(k, header(k), claims({ aud: [AUDIENCE, 7] })),
    ],
    unsupported_algorithm: [
      `${hdr({ alg: "none" })}.${p}.`,
      `${hdr({ alg: "HS256" })}.${p}.${s}`,
      `${hdr({ alg: undefined })}.${p}.${s}`,
    ],
    wrong_type: [signJwt(k, header(k, { typ: "JWT" }), claims()), signJwt(k, header(k, { typ: undefined }), claims())],
    unknown_key: [
      signJwt(k, header(k, { kid: "nope" }), claims()),
      signJwt(k, header(k, { kid: undefined }), claims()),
      signJwt(small.key, header(small.key), claims()),
      signJwt(k, header(k, { kid: "private" }), claims()),
    ],
    algorithm_mismatch: [signJwt(k, header(k, { kid: "kid-RS256" }), claims())],
    bad_signature: [
      `${h}.${b64(JSON.stringify(claims({ sub: "user-2" })))}.${s}`,
      `${h}.${p}.${b64(Buffer.alloc(64))}`,
      `${h}.${p}.${b64(Buffer.alloc(63))}`,
      signJwt(stranger, header(k), claims()),
    ],
    expired: [signJwt(k, header(k), claims({ exp: now - 31 }))],
    not_yet_valid: [signJwt(k, header(k), claims({ nbf: now + 60 }))],
    wrong_issuer: [signJwt(k, header(k), claims({ iss: ISSUER + "/" }))],
    wrong_audience: [
      signJwt(k, header(k), claims({ aud: "https://other.example" })),
      signJwt(k, header(k), claims({ aud: undefined })),
    ],
  };
  const v = offline();
  assert.equal((await v.check(good)).subject, "user-1");
  for (const [reason, tokens] of Object.entries(cases)) {
    for (const token of tokens) {
      assert.equal(await reasonOf(v.check(token)), reason, token);
      assert.equal(await v.verify(token), undefined);
    }
  }
});

test("JWT: the leeway is configurable", async () => {
  const token = signJwt(ed.key, header(ed.key), claims({ exp: Math.floor(Date.now() / 1000) - 20 }));
  assert.equal((await offline().check(token)).subject, "user-1"); // default leeway 30 s
  assert.equal(await reasonOf(offline({ leewayMs: 5000 }).check(token)), "expired");
});

test("JWT: an unknown kid refetches at most once per interval", async () => {
  let published = JSON.stringify({ keys: [] });
  let fetches = 0;
  let offset = 0;
  const v = new JwtVerifier({
    jwks: async () => {
      fetches++;
      return published;
    },
    issuer: ISSUER,
    audience: AUDIENCE,
    now: () => Date.now() + offset,
  });
  const token = signJwt(es.key, header(es.key), claims());
  assert.equal(await reasonOf(v.check(token)), "unknown_key");
  assert.equal(fetches, 1);
  published = JWKS;
  offset = 29_000;
  assert.equal(await v.verify(token), undefined);
  assert.equal(fetches, 1);
  offset = 30_000;
  assert.equal((await v.check(token)).subject, "user-1");
  assert.equal((await v.check(token)).subject, "user-1");
  assert.equal(fetches, 2);
});

test("JWT: no key set at all is Unavailable", async () => {
  const v = new JwtVerifier({
    jwks: async () => {
      throw new Error("connection refused");
    },
    issuer: ISSUER,
  });
  await assert.rejects(v.verify("a.b.c"), (e) => e instanceof TokendError && e.code === Code.Unavailable);
  await assert.rejects(v.refresh(), TokendError);
  assert.throws(() => new JwtVerifier({ jwks: async () => JWKS, issuer: "" }));
});

// ---- live: JWTs issued by tokend ----

const servers: { server: http2.Http2Server; sessions: Set<http2.ServerHttp2Session> }[] = [];
after(() => {
  for (const { server, sessions } of servers) {
    for (const session of sessions) session.destroy();
    server.close();
  }
});

function echo(req: EchoRequest, ctx: HandlerContext) {
  const p = principalOf(ctx);
  return { message: req.message, subject: p.subject, clientId: p.clientId, scopes: p.scopes };
}

/** The echo service behind bearerGuard(verifier). */
async function startEcho(verifier: Verifier): Promise<Client<typeof EchoService>> {
  const guard = bearerGuard({
    verifier,
    requiredScopes: { "/echo.v1.EchoService/Echo": ["read"], "/echo.v1.EchoService/Shout": ["write"] },
  });
  const routes = (router: ConnectRouter) => router.service(EchoService, { echo, shout: echo });
  const server = http2.createServer(connectNodeAdapter({ routes, interceptors: [guard] }));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => sessions.add(session));
  servers.push({ server, sessions });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return createClient(EchoService, createGrpcTransport({ baseUrl }));
}

const tokendTransport = () => createGrpcTransport({ baseUrl: `http://${env("TOKEND_GRPC_ADDR")}` });

/** Real time plus an offset the tests move, and a GetJwks fetch that counts. */
function liveVerifier(issuer = env("TOKEND_ISSUER")) {
  const state = { offset: 0, fetches: 0 };
  const stub = createClient(TokenService, tokendTransport());
  const verifier = new JwtVerifier({
    jwks: async () => {
      state.fetches++;
      return (await stub.getJwks({})).jwksJson;
    },
    issuer,
    audience: AUDIENCE,
    now: () => Date.now() + state.offset,
  });
  return { verifier, state };
}

async function issueJwt(options: { audience?: string; scopes?: string[]; password?: boolean } = {}): Promise<string> {
  const stub = createClient(TokenService, tokendTransport());
  const r = await stub.issueToken(
    {
      scopes: options.scopes ?? ["read"],
      audience: options.audience ?? AUDIENCE,
      tokenFormat: TokenFormat.JWT,
      grant: options.password
        ? { case: "password", value: { username: env("TOKEND_USERNAME"), password: env("TOKEND_PASSWORD") } }
        : { case: "clientCredentials", value: {} },
    },
    { headers: { authorization: basicAuthorization(env("TOKEND_CLIENT_ID"), env("TOKEND_CLIENT_SECRET")) } },
  );
  assert.equal(r.accessToken.split(".").length, 3, r.accessToken);
  return r.accessToken;
}

const segment = (token: string, i: number): Json =>
  JSON.parse(Buffer.from(token.split(".")[i], "base64url").toString());

function call(stub: Client<typeof EchoService>, token: string, method: "echo" | "shout" = "echo") {
  return stub[method]({ message: "hi" }, { headers: { authorization: `Bearer ${token}` } });
}

async function code(p: Promise<unknown>): Promise<Code> {
  try {
    await p;
  } catch (e) {
    return ConnectError.from(e).code;
  }
  return assert.fail("resolved");
}

test("JWT: tokend's token is accepted and the handler sees the caller", async () => {
  const stub = await startEcho(liveVerifier().verifier);
  const clientId = env("TOKEND_CLIENT_ID");
  const token = await issueJwt({ scopes: ["read", "write"] });
  assert.equal(segment(token, 0).typ, "at+jwt");
  const reply = await call(stub, token);
  assert.deepEqual(
    [reply.message, reply.subject, reply.clientId, reply.scopes],
    ["hi", clientId, clientId, ["read", "write"]],
  );
  assert.equal((await call(stub, token, "shout")).message, "hi");
  assert.equal(await code(call(stub, await issueJwt({ scopes: ["read"] }), "shout")), Code.PermissionDenied);

  const userToken = await issueJwt({ password: true });
  const userId = segment(userToken, 1).sub;
  const user = await call(stub, userToken);
  assert.notEqual(userId, clientId);
  assert.deepEqual([user.subject, user.clientId, user.scopes], [userId, clientId, ["read"]]);
});

test("JWT: tampered, other-audience, expired and wrong-issuer tokens are Unauthenticated", async () => {
  const { verifier } = liveVerifier();
  const stub = await startEcho(verifier);
  const token = await issueJwt();
  assert.equal((await call(stub, token)).clientId, env("TOKEND_CLIENT_ID"));

  const [h, p, s] = token.split(".");
  const payload = Buffer.from(p, "base64url");
  payload[payload.indexOf('"client_id":"') + '"client_id":"'.length] ^= 1; // one payload byte
  const tampered = `${h}.${b64(payload)}.${s}`;
  const other = await issueJwt({ audience: "https://other.example" });
  for (const [bad, reason] of [[tampered, "bad_signature"], [other, "wrong_audience"]]) {
    assert.equal(await code(call(stub, bad)), Code.Unauthenticated, reason);
    assert.equal(await reasonOf(verifier.check(bad)), reason);
  }

  // Expired (at exp + the default 30 s leeway) and another issuer, each through a guard.
  const exp = segment(token, 1).exp as number;
  const expired = liveVerifier();
  expired.state.offset = exp * 1000 + 30_000 - Date.now();
  const elsewhere = liveVerifier(env("TOKEND_ISSUER") + "/elsewhere");
  for (const [v, reason] of [[expired.verifier, "expired"], [elsewhere.verifier, "wrong_issuer"]] as const) {
    assert.equal(await reasonOf(v.check(token)), reason);
    assert.equal(await code(call(await startEcho(v), token)), Code.Unauthenticated, reason);
  }
  assert.equal((await call(stub, token)).clientId, env("TOKEND_CLIENT_ID"));
});

test("JWT: a rotated key is picked up without restart", async () => {
  const { verifier, state } = liveVerifier();
  const stub = await startEcho(verifier);
  const before = await issueJwt();
  assert.equal((await call(stub, before)).clientId, env("TOKEND_CLIENT_ID"));
  assert.equal(state.fetches, 1);

  const admin = createClient(AdminService, createGrpcTransport({ baseUrl: `http://${env("TOKEND_ADMIN_ADDR")}` }));
  const adminAuth = { authorization: `Bearer ${env("TOKEND_ADMIN_KEY")}` };
  const rotated = await admin.rotateSigningKey({}, { headers: adminAuth });
  const newer = await issueJwt();
  assert.equal(segment(newer, 0).kid, rotated.signingKey?.kid);
  assert.notEqual(segment(newer, 0).kid, segment(before, 0).kid);

  assert.equal(await code(call(stub, newer)), Code.Unauthenticated); // within the refetch interval
  assert.equal(state.fetches, 1);
  state.offset = 30_000; // the default refetch interval since the first fetch
  const reply = await call(stub, newer);
  assert.deepEqual([reply.clientId, reply.scopes], [env("TOKEND_CLIENT_ID"), ["read"]]);
  assert.equal(state.fetches, 2);
  assert.equal((await call(stub, before)).clientId, env("TOKEND_CLIENT_ID")); // the retired key stays published
  assert.equal(state.fetches, 2);

  // A verifier on the Transport itself (its GetJwks call) sees the new key too.
  const direct = new JwtVerifier({ jwks: tokendTransport(), issuer: env("TOKEND_ISSUER"), audience: AUDIENCE });
  assert.equal((await direct.check(newer)).clientId, env("TOKEND_CLIENT_ID"));
});
