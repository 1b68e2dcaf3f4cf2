// Resource-server side: checks incoming bearer tokens and exposes who called.
import { createHash } from "node:crypto";

import { Code, ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";

import type { TokenClient } from "./client.js";

/** Who a verified token speaks for. */
export interface Principal {
  /** The user id for password grants, else the client id. */
  subject: string;
  clientId: string;
  username: string;
  scopes: string[];
  /** Unix seconds. */
  expiresAt: number;
}

/** Checks a bearer token: the principal when active, undefined when not; rejects when it cannot tell now. */
export interface Verifier {
  verify(token: string): Promise<Principal | undefined>;
}

export interface IntrospectionVerifierOptions {
  /** How long an active answer is reused; default 5000 ms. */
  cacheTtlMs?: number;
  maxEntries?: number;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

/**
 * Verifies opaque tokens through tokend's Introspect with a short positive
 * cache: only active answers are kept, for cacheTtlMs at most (never past the
 * token's exp), so a revoked token is refused within that time. The client
 * must hold the `introspect` permission.
 */
export class IntrospectionVerifier implements Verifier {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  private readonly ttl: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(
    private readonly client: TokenClient,
    options: IntrospectionVerifierOptions = {},
  ) {
    this.ttl = options.cacheTtlMs ?? 5000;
    this.max = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<Principal | undefined> {
    const key = createHash("sha256").update(token).digest("base64");
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && now < hit.until) return hit.principal;
    const info = await this.client.introspect(token);
    if (!info.active) {
      this.cache.delete(key);
      return undefined;
    }
    const principal: Principal = {
      subject: info.sub || info.clientId,
      clientId: info.clientId,
      username: info.username,
      scopes: info.scopes,
      expiresAt: info.exp,
    };
    if (this.cache.size >= this.max) {
      for (const [k, v] of this.cache) if (now >= v.until) this.cache.delete(k);
      if (this.cache.size >= this.max) this.cache.clear();
    }
    const until = info.exp ? Math.min(now + this.ttl, info.exp * 1000) : now + this.ttl;
    this.cache.set(key, { principal, until });
    return principal;
  }
}

/** Where handlers find the caller: ctx.values.get(principalKey). */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "tokend principal" });

/** The caller admitted by bearerGuard; throws Unauthenticated when there is none. */
export function principalOf(ctx: HandlerContext): Principal {
  const p = ctx.values.get(principalKey);
  if (p === undefined) throw new ConnectError("no bearer guard on this route", Code.Unauthenticated);
  return p;
}

export interface BearerGuardOptions {
  verifier: Verifier;
  /** Full method name ("/echo.v1.EchoService/Echo") to the scopes its token must all hold. */
  requiredScopes?: Record<string, string[]>;
  /** For methods not in requiredScopes. */
  defaultScopes?: string[];
}

/**
 * A Connect server interceptor: connectNodeAdapter({ routes, interceptors: [bearerGuard(...)] }).
 * A missing, malformed or inactive token answers Unauthenticated, a missing
 * scope PermissionDenied, a verifier that cannot tell Unavailable.
 */
export function bearerGuard(options: BearerGuardOptions): Interceptor {
  return (next) => async (req) => {
    const [scheme, ...rest] = (req.header.get("authorization") ?? "").split(" ");
    const token = rest.join(" ").trim();
    if (scheme.toLowerCase() !== "bearer" || token === "") {
      throw new ConnectError("a bearer token is required", Code.Unauthenticated);
    }
    let principal: Principal | undefined;
    try {
      principal = await options.verifier.verify(token);
    } catch (e) {
      throw new ConnectError(`cannot verify the token now: ${String(e)}`, Code.Unavailable);
    }
    if (principal === undefined) throw new ConnectError("the token is not active", Code.Unauthenticated);
    const method = `/${req.service.typeName}/${req.method.name}`;
    const required = options.requiredScopes?.[method] ?? options.defaultScopes ?? [];
    const missing = required.filter((s) => !principal!.scopes.includes(s));
    if (missing.length > 0) {
      throw new ConnectError(`the token lacks scope ${missing.join(" ")}`, Code.PermissionDenied);
    }
    req.contextValues.set(principalKey, principal);
    return next(req);
  };
}
