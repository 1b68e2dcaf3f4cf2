package tokend.client;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * One client_credentials access token shared by every thread, renewed before it expires.
 *
 * <ul>
 *   <li>{@link #token()} answers from the cache until 80 % of the token's life has passed;
 *       then the first caller fetches a new token while the others keep the current one.
 *       Only one request is in flight at a time.
 *   <li>An expired token is never handed out: a token counts as expired min(10 s, 10 % of
 *       its life) early, measured from before it was requested; without a valid token,
 *       callers wait for the one fetch in flight.
 *   <li>After a failed fetch the source backs off (0.5 s doubling to 30 s, with jitter):
 *       meanwhile token() answers the still-valid token, or rethrows the last error at once
 *       without calling tokend.
 * </ul>
 */
public final class TokenSource {
  private final Issuer issuer;
  private final List<String> scopes;
  private final LongSupplier nanoClock;
  private final long minBackoffNanos = 500_000_000L;
  private final long maxBackoffNanos = 30_000_000_000L;

  private Token token;
  private long renewAt;
  private long expiresAt;
  private boolean fetching;
  private int failures;
  private long retryAt;
  private RuntimeException lastError;

  public TokenSource(Issuer issuer, List<String> scopes) {
    this(issuer, scopes, System::nanoTime);
  }

  /** nanoClock: monotonic nanoseconds (tests pass a fake). */
  public TokenSource(Issuer issuer, List<String> scopes, LongSupplier nanoClock) {
    this.issuer = issuer;
    this.scopes = List.copyOf(scopes);
    this.nanoClock = nanoClock;
  }

  /** A valid token; throws the last fetch's TokendException when none can be had. */
  public Token token() {
    synchronized (this) {
      while (true) {
        long now = nanoClock.getAsLong();
        boolean valid = token != null && now - expiresAt < 0;
        boolean backingOff = failures > 0 && now - retryAt < 0;
        if (valid && (now - renewAt < 0 || fetching || backingOff)) return token;
        if (fetching) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a token", e);
          }
          continue;
        }
        if (backingOff) throw lastError;
        fetching = true;
        break;
      }
    }
    return fetch();
  }

  private Token fetch() {
    long start = nanoClock.getAsLong();
    Token got;
    try {
      got = issuer.issue(scopes);
    } catch (RuntimeException e) {
      synchronized (this) {
        fetching = false;
        notifyAll();
        failures++;
        long backoff = Math.min(maxBackoffNanos, minBackoffNanos << Math.min(failures - 1, 16));
        long now = nanoClock.getAsLong();
        retryAt = now + (long) (backoff * ThreadLocalRandom.current().nextDouble(0.75, 1.0));
        lastError = e;
        if (token != null && now - expiresAt < 0) return token;
      }
      throw e;
    }
    long life = got.expiresIn() * 1_000_000_000L;
    synchronized (this) {
      token = got;
      renewAt = start + (long) (life * 0.8);
      expiresAt = start + life - Math.min(10_000_000_000L, life / 10);
      failures = 0;
      fetching = false;
      notifyAll();
    }
    return got;
  }
}
