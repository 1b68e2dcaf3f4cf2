// TokenClient: IssueToken, Refresh, Introspect and Revoke with typed errors,
// over Connect speaking the gRPC protocol (HTTP/2) to tokend.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

import { OAuthErrorSchema } from "../gen/tokend/v1/errors_pb.js";
import { IssueTokenRequestSchema, TokenService } from "../gen/tokend/v1/token_pb.js";

/**
 * A failed tokend call: the gRPC status code and the exact RFC 6749 §5.2 code
 * (`invalid_client`, `invalid_grant`, …), read from the grpc-status-details-bin
 * trailer; `oauthCode` is "" when tokend sent none (e.g. code Unavailable).
 */
export class TokendError extends Error {
  constructor(
    readonly code: Code,
    readonly oauthCode: string,
    readonly description: string,
  ) {
    super(`${oauthCode || Code[code]}: ${description}`);
    this.name = "TokendError";
  }

  static from(e: unknown): TokendError {
    if (e instanceof TokendError) return e;
    const ce = ConnectError.from(e);
    const [oauth] = ce.findDetails(OAuthErrorSchema);
    return new TokendError(ce.code, oauth?.error ?? "", oauth?.errorDescription ?? ce.rawMessage);
  }
}

/** An issued token (RFC 6749 §5.1). */
export interface Token {
  accessToken: string;
  tokenType: string;
  /** Seconds. */
  expiresIn: number;
  /** Empty for client_credentials. */
  refreshToken: string;
  /** Space separated. */
  scope: string;
  scopes: string[];
}

/** RFC 7662; an expired, revoked or unknown token has only active=false. */
export interface Introspection {
  active: boolean;
  scope: string;
  scopes: string[];
  clientId: string;
  username: string;
  tokenType: string;
  exp: number;
  iat: number;
  sub: string;
  aud: string;
  iss: string;
  jti: string;
}

/** client_credentials, or password when `username` is set. */
export interface IssueOptions {
  scopes?: string[];
  username?: string;
  password?: string;
  audience?: string;
}

export interface TokenClientOptions {
  /** "host:port" of tokend's gRPC listener (plain HTTP/2), or give `baseUrl`/`transport`. */
  address?: string;
  /** e.g. "https://tokend.internal:50051" for TLS. */
  baseUrl?: string;
  transport?: Transport;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
}

const UNRESERVED = /[A-Za-z0-9\-._*]/;

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for Basic credentials. */
export function formEncode(value: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(c)) out += c;
    else if (byte === 0x20) out += "+";
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** The `authorization` metadata value for client authentication. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return "Basic " + Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString("base64");
}

function scopesOf(scope: string): string[] {
  return scope.split(" ").filter((s) => s !== "");
}

interface TokenResponse {
  accessToken: string;
  tokenType: string;
  expiresIn: bigint;
  refreshToken: string;
  scope: string;
}

function toToken(r: TokenResponse): Token {
  return {
    accessToken: r.accessToken,
    tokenType: r.tokenType,
    expiresIn: Number(r.expiresIn),
    refreshToken: r.refreshToken,
    scope: r.scope,
    scopes: scopesOf(r.scope),
  };
}

/** tokend's TokenService for one OAuth client; every method rejects with TokendError. */
export class TokenClient {
  readonly clientId: string;
  private readonly stub: Client<typeof TokenService>;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: TokenClientOptions) {
    this.clientId = options.clientId;
    const transport =
      options.transport ??
      createGrpcTransport({ baseUrl: options.baseUrl ?? `http://${options.address ?? "127.0.0.1:50051"}` });
    this.stub = createClient(TokenService, transport);
    this.headers = { authorization: basicAuthorization(options.clientId, options.clientSecret) };
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw TokendError.from(e);
    }
  }

  private get opts() {
    return { headers: this.headers, timeoutMs: this.timeoutMs };
  }

  /** RFC 6749 §4.4 client_credentials, or §4.3 password when a username is given. */
  async issue(options: IssueOptions = {}): Promise<Token> {
    const request: MessageInitShape<typeof IssueTokenRequestSchema> = {
      scopes: options.scopes ?? [],
      audience: options.audience ?? "",
      grant:
        options.username === undefined
          ? { case: "clientCredentials", value: {} }
          : { case: "password", value: { username: options.username, password: options.password ?? "" } },
    };
    const r = await this.call(() => this.stub.issueToken(request, this.opts));
    return toToken(r);
  }

  /** RFC 6749 §6: spends the refresh token; a spent one rejects with invalid_grant. */
  async refresh(refreshToken: string, scopes: string[] = []): Promise<Token> {
    return toToken(await this.call(() => this.stub.refresh({ refreshToken, scopes }, this.opts)));
  }

  /** RFC 7662; an inactive token is an answer, not an error. */
  async introspect(token: string): Promise<Introspection> {
    const r = await this.call(() => this.stub.introspect({ token }, this.opts));
    return {
      active: r.active,
      scope: r.scope,
      scopes: scopesOf(r.scope),
      clientId: r.clientId,
      username: r.username,
      tokenType: r.tokenType,
      exp: Number(r.exp),
      iat: Number(r.iat),
      sub: r.sub,
      aud: r.aud,
      iss: r.iss,
      jti: r.jti,
    };
  }

  /** RFC 7009; an unknown token is not an error. */
  async revoke(token: string): Promise<void> {
    await this.call(() => this.stub.revoke({ token }, this.opts));
  }
}
