// Offline verification of tokend's JWT access tokens (RFC 9068 §4) for
// resource servers, with tokend's own rules (services/jwt/jwt_verifier.cc)
// and node's built-in crypto.
import { constants, createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";

import { Code, createClient, type Transport } from "@connectrpc/connect";

import { TokenService } from "../gen/tokend/v1/token_pb.js";
import { TokendError } from "./client.js";
import type { Principal, Verifier } from "./guard.js";

/** The largest token a JwtVerifier accepts (8 KiB), as tokend. */
export const MAX_JWT_BYTES = 8 * 1024;
const ALGORITHMS = new Set(["ES256", "EdDSA", "RS256"]);
/** With no keys at all, refetch at most this often. */
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * A refused JWT. `reason` is tokend's name for the failed check: too_large,
 * malformed, wrong_type, unsupported_algorithm, unknown_key,
 * algorithm_mismatch, bad_signature, expired, not_yet_valid, wrong_issuer or
 * wrong_audience.
 */
export class JwtError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(`${reason}: ${message}`);
    this.name = "JwtError";
  }
}

export interface JwtVerifierOptions {
  /**
   * Where the JWK Set comes from: a Transport to tokend (its GetJwks RPC,
   * which needs no client credentials), or a function returning the document
   * (e.g. a fetch of /.well-known/jwks.json).
   */
  jwks: Transport | (() => Promise<string>);
  /** tokend's issuer; required. */
  issuer: string;
  /** This resource server; empty: aud is not checked. */
  audience?: string;
  /** Clock skew allowed on exp and nbf; default 30 000 ms. */
  leewayMs?: number;
  /** A token with an unknown kid refetches the key set at most this often; default 30 000 ms. */
  minRefetchIntervalMs?: number;
  /** The key set is refetched when older; default 300 000 ms. */
  maxCacheAgeMs?: number;
  /** For the GetJwks call; default 10 000 ms. */
  timeoutMs?: number;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

interface Jwk {
  alg: string;
  key: KeyObject;
}
type KeySet = Map<string, Jwk>;
type Json = Record<string, unknown>;

/** Unpadded, canonical base64url (RFC 7515 §2); undefined otherwise. */
export function base64UrlDecode(text: string): Buffer | undefined {
  if (text.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const raw = Buffer.from(text, "base64url");
  return raw.toString("base64url") === text ? raw : undefined;
}

/** A JSON object starting with "{" (as tokend parses), else undefined. */
function jsonObject(raw: Buffer | string): Json | undefined {
  const text = raw.toString();
  if (!text.startsWith("{")) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON number that is a whole number within ±9e15, as tokend reads NumericDate. */
function intMember(o: Json, name: string): number | undefined {
  const v = o[name];
  return typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= 9e15 ? v : undefined;
}

function bytesMember(o: Json, name: string): Buffer {
  const v = o[name];
  return (typeof v === "string" && base64UrlDecode(v)) || Buffer.alloc(0);
}

/** A usable published JWK (tokend's FromJwk rules), else undefined. */
function publicKey(jwk: Json): [string, Jwk] | undefined {
  const { kid, alg, kty, crv, use } = jwk;
  if (typeof kid !== "string" || kid === "" || typeof alg !== "string" || typeof kty !== "string") return undefined;
  if ((typeof use === "string" && use !== "sig") || "d" in jwk || !ALGORITHMS.has(alg)) return undefined;
  try {
    if (alg === "ES256" && kty === "EC" && crv === "P-256") {
      const x = bytesMember(jwk, "x");
      const y = bytesMember(jwk, "y");
      if (x.length !== 32 || y.length !== 32) return undefined;
      const key = createPublicKey({ key: { kty, crv, x: jwk.x as string, y: jwk.y as string }, format: "jwk" });
      return [kid, { alg, key }];
    }
    if (alg === "EdDSA" && kty === "OKP" && crv === "Ed25519") {
      if (bytesMember(jwk, "x").length !== 32) return undefined;
      return [kid, { alg, key: createPublicKey({ key: { kty, crv, x: jwk.x as string }, format: "jwk" }) }];
    }
    if (alg === "RS256" && kty === "RSA") {
      if (bytesMember(jwk, "n").length === 0 || bytesMember(jwk, "e").length === 0) return undefined;
      const key = createPublicKey({ key: { kty, n: jwk.n as string, e: jwk.e as string }, format: "jwk" });
      return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048 ? [kid, { alg, key }] : undefined;
    }
  } catch {
    return undefined; // key material the crypto library refuses
  }
  return undefined;
}

/** kid → key for the usable keys of a JWK Set; throws when it has no "keys" array. */
export function parseJwks(document: string): KeySet {
  const keys = jsonObject(document)?.keys;
  if (!Array.isArray(keys)) throw new Error('a JWKS needs a "keys" array');
  const out: KeySet = new Map();
  for (const jwk of keys) {
    const found = typeof jwk === "object" && jwk !== null ? publicKey(jwk as Json) : undefined;
    if (found) out.set(...found);
  }
  return out;
}

function signatureOk({ alg, key }: Jwk, signed: Buffer, sig: Buffer): boolean {
  try {
    if (alg === "ES256") {
      return sig.length === 64 && cryptoVerify("sha256", signed, { key, dsaEncoding: "ieee-p1363" }, sig);
    }
    if (alg === "EdDSA") return sig.length === 64 && cryptoVerify(null, signed, key, sig);
    const size = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
    return sig.length === size && cryptoVerify("sha256", signed, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return false;
  }
}

/**
 * The guard's Verifier for tokend's JWT access tokens, checked offline
 * against tokend's JWKS: alg ES256, EdDSA or RS256 only; typ at+jwt; no crit;
 * a published kid whose alg matches; the signature; the claims iss, sub, exp,
 * iat, jti and client_id present; exp and nbf within the leeway; iss equal to
 * the issuer; aud naming the audience. A token with an unknown kid refetches
 * the key set (at most once per minRefetchIntervalMs), so a key rotation
 * needs no restart. A signature cannot tell that a token was revoked after it
 * was issued: where that matters, use the IntrospectionVerifier.
 */
export class JwtVerifier implements Verifier {
  private readonly fetchJwks: () => Promise<string>;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly leewayMs: number;
  private readonly minRefetchMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private keys: KeySet | undefined;
  private fetchedAt = -Infinity;
  private attemptedAt = -Infinity;
  private inflight: Promise<KeySet | undefined> | undefined;
  private lastError = "";

  constructor(options: JwtVerifierOptions) {
    if (!options.issuer) throw new Error("JwtVerifier needs the issuer");
    const { jwks } = options;
    if (typeof jwks === "function") {
      this.fetchJwks = jwks;
    } else {
      const stub = createClient(TokenService, jwks);
      const timeoutMs = options.timeoutMs ?? 10_000;
      this.fetchJwks = async () => (await stub.getJwks({}, { timeoutMs })).jwksJson;
    }
    this.issuer = options.issuer;
    this.audience = options.audience ?? "";
    this.leewayMs = options.leewayMs ?? 30_000;
    this.minRefetchMs = options.minRefetchIntervalMs ?? 30_000;
    this.maxAgeMs = options.maxCacheAgeMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The principal (username is empty: JWTs carry none), undefined for a
   * refused token; rejects with TokendError (Unavailable) when no key set
   * could be fetched at all.
   */
  async verify(token: string): Promise<Principal | undefined> {
    try {
      return await this.check(token);
    } catch (e) {
      if (e instanceof JwtError) return undefined;
      throw e;
    }
  }

  /** verify() that says why: rejects with a JwtError for a refused token. */
  async check(token: string): Promise<Principal> {
    if (Buffer.byteLength(token) > MAX_JWT_BYTES) throw new JwtError("too_large", "the token exceeds 8 KiB");
    const keys = await this.currentKeys();
    if (keys === undefined) throw this.unavailable("no JWKS could be fetched");
    try {
      return this.verifyWith(token, keys);
    } catch (e) {
      if (!(e instanceof JwtError) || e.reason !== "unknown_key") throw e;
      const fresh = await this.refetch(this.minRefetchMs); // a rotation not seen yet?
      if (fresh === keys || fresh === undefined) throw e;
      return this.verifyWith(token, fresh);
    }
  }

  /** Fetches the key set now (e.g. at start-up); rejects with TokendError when that fails. */
  async refresh(): Promise<void> {
    const before = this.keys;
    const after = await this.refetch(0);
    if (after === undefined || after === before) throw this.unavailable("the JWKS could not be fetched");
  }

  private unavailable(what: string): TokendError {
    return new TokendError(Code.Unavailable, "", `${what}: ${this.lastError}`);
  }

  private async currentKeys(): Promise<KeySet | undefined> {
    if (this.keys !== undefined && this.now() - this.fetchedAt < this.maxAgeMs) return this.keys;
    return this.refetch(RETRY_AFTER_FAILURE_MS);
  }

  /** Refetches unless a fetch started within minIntervalMs; the keys now held (a failed fetch keeps the old ones). */
  private async refetch(minIntervalMs: number): Promise<KeySet | undefined> {
    if (this.inflight) return this.inflight; // one fetch at a time
    const now = this.now();
    if (now - this.attemptedAt < minIntervalMs) return this.keys;
    this.attemptedAt = now;
    this.inflight = (async () => {
      try {
        this.keys = parseJwks(await this.fetchJwks());
        this.fetchedAt = now;
      } catch (e) {
        this.lastError = String(e);
      }
      return this.keys;
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private verifyWith(token: string, keys: KeySet): Principal {
    const parts = token.split(".");
    const [headerRaw, payloadRaw, sig] = parts.map(base64UrlDecode);
    if (parts.length !== 3 || !headerRaw || !payloadRaw || !sig) throw new JwtError("malformed", "not a compact JWS");
    const header = jsonObject(headerRaw);
    if (header === undefined) throw new JwtError("malformed", "the header is not a JSON object");
    const { alg, typ, kid } = header;
    if (typeof alg !== "string" || !ALGORITHMS.has(alg)) throw new JwtError("unsupported_algorithm", "unsupported alg");
    if (typ !== "at+jwt" && typ !== "application/at+jwt") throw new JwtError("wrong_type", "typ is not at+jwt");
    if ("crit" in header) throw new JwtError("malformed", "critical header parameters are not supported");
    const key = typeof kid === "string" ? keys.get(kid) : undefined;
    if (key === undefined) throw new JwtError("unknown_key", "no published key has this kid");
    if (key.alg !== alg) throw new JwtError("algorithm_mismatch", "alg differs from the key's");
    if (!signatureOk(key, Buffer.from(`${parts[0]}.${parts[1]}`), sig)) {
      throw new JwtError("bad_signature", "the signature does not verify");
    }
    const claims = jsonObject(payloadRaw);
    if (claims === undefined) throw new JwtError("malformed", "the payload is not a JSON object");
    return this.principal(claims);
  }

  private principal(c: Json): Principal {
    const exp = intMember(c, "exp");
    const iat = intMember(c, "iat");
    const nbf = "nbf" in c ? intMember(c, "nbf") : iat;
    const scope = "scope" in c ? c.scope : "";
    const aud = !("aud" in c) ? [] : typeof c.aud === "string" ? [c.aud] : c.aud;
    const { iss, sub, jti, client_id: clientId } = c;
    if (
      exp === undefined || iat === undefined || nbf === undefined || typeof scope !== "string" ||
      !Array.isArray(aud) || !aud.every((a) => typeof a === "string") ||
      typeof iss !== "string" || typeof sub !== "string" || typeof jti !== "string" || typeof clientId !== "string"
    ) {
      throw new JwtError("malformed", "a required claim is missing or mistyped");
    }
    const now = this.now();
    if (exp * 1000 + this.leewayMs <= now) throw new JwtError("expired", "the token has expired");
    if (nbf * 1000 - this.leewayMs > now) throw new JwtError("not_yet_valid", "the token is not valid yet");
    if (iss !== this.issuer) throw new JwtError("wrong_issuer", "iss is not the expected issuer");
    if (this.audience && !aud.includes(this.audience)) {
      throw new JwtError("wrong_audience", "aud does not name this audience");
    }
    const scopes = scope.split(" ").filter((s) => s !== "");
    return { subject: sub, clientId, username: "", scopes, expiresAt: exp };
  }
}
