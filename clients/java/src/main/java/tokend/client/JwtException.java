package tokend.client;

/**
 * A JWT that {@link JwtVerifier} refused. {@link #reason()} is tokend's name for the failed
 * check: too_large, malformed, wrong_type, unsupported_algorithm, unknown_key,
 * algorithm_mismatch, bad_signature, expired, not_yet_valid, wrong_issuer or wrong_audience.
 */
public final class JwtException extends Exception {
  private final String reason;

  public JwtException(String reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
