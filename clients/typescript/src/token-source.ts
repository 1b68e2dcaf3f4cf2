// A caching client_credentials token source, like Go's oauth2.TokenSource.
import type { IssueOptions, Token } from "./client.js";

/** Grants tokens; a TokenClient is one. */
export interface Issuer {
  issue(options?: IssueOptions): Promise<Token>;
}

export interface TokenSourceOptions {
  scopes?: string[];
  /** Fraction of the life after which to renew; default 0.8. */
  renewAt?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Milliseconds, monotonic; default performance.now. */
  now?: () => number;
}

/**
 * One access token shared by every caller, renewed before it expires.
 *
 * - token() answers from the cache until `renewAt` (80 %) of the token's life
 *   has passed; then it starts one fetch in the background and keeps answering
 *   the current token. Only one request is in flight at a time.
 * - An expired token is never handed out: a token counts as expired
 *   min(10 s, 10 % of its life) early, measured from before it was requested;
 *   without a valid token callers await the one fetch in flight.
 * - After a failed fetch the source backs off (0.5 s doubling to 30 s, with
 *   jitter): meanwhile token() answers the still-valid token, or rejects with
 *   the last error at once, without calling tokend.
 */
export class TokenSource {
  private current?: Token;
  private renewTime = 0;
  private expiry = 0;
  private inflight?: Promise<Token>;
  private failures = 0;
  private retryTime = 0;
  private lastError?: unknown;
  private readonly now: () => number;

  constructor(
    private readonly issuer: Issuer,
    private readonly options: TokenSourceOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  async token(): Promise<Token> {
    const now = this.now();
    const valid = this.current !== undefined && now < this.expiry;
    if (valid && now < this.renewTime) return this.current!;
    if (this.inflight === undefined && now >= this.retryTime) {
      const fetch = this.fetch();
      this.inflight = fetch;
      // Settled: let the next call decide; a background renewal's failure is
      // kept in lastError, not thrown here.
      fetch.then(
        () => this.settle(fetch),
        () => this.settle(fetch),
      );
    }
    if (valid) return this.current!;
    if (this.inflight === undefined) throw this.lastError;
    return this.inflight;
  }

  async accessToken(): Promise<string> {
    return (await this.token()).accessToken;
  }

  private async fetch(): Promise<Token> {
    const start = this.now();
    try {
      const token = await this.issuer.issue({ scopes: this.options.scopes ?? [] });
      const life = token.expiresIn * 1000;
      this.current = token;
      this.renewTime = start + life * (this.options.renewAt ?? 0.8);
      this.expiry = start + life - Math.min(10_000, life * 0.1);
      this.failures = 0;
      this.retryTime = 0;
      return token;
    } catch (e) {
      this.failures++;
      const min = this.options.minBackoffMs ?? 500;
      const delay = Math.min(this.options.maxBackoffMs ?? 30_000, min * 2 ** (this.failures - 1));
      this.retryTime = this.now() + delay * (0.75 + 0.25 * Math.random());
      this.lastError = e;
      throw e;
    }
  }

  private settle(fetch: Promise<Token>): void {
    if (this.inflight === fetch) this.inflight = undefined;
  }
}
