package tokend.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import tokend.v1.Errors;

/**
 * A failed tokend call: the gRPC status code and the exact RFC 6749 §5.2 code
 * ("invalid_client", "invalid_grant", ...), read from the grpc-status-details-bin
 * trailer; {@link #oauthError()} is "" when tokend sent none (e.g. UNAVAILABLE).
 */
public final class TokendException extends RuntimeException {
  private static final Metadata.Key<byte[]> DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private final Status.Code code;
  private final String oauthError;
  private final String description;

  public TokendException(Status.Code code, String oauthError, String description) {
    super((oauthError.isEmpty() ? code.name() : oauthError) + ": " + description);
    this.code = code;
    this.oauthError = oauthError;
    this.description = description;
  }

  public static TokendException from(StatusRuntimeException e) {
    String error = "";
    String description = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
    Metadata trailers = e.getTrailers();
    byte[] raw = trailers == null ? null : trailers.get(DETAILS);
    if (raw != null) {
      try {
        for (Any any : Errors.RpcStatus.parseFrom(raw).getDetailsList()) {
          if (any.is(Errors.OAuthError.class)) {
            Errors.OAuthError oauth = any.unpack(Errors.OAuthError.class);
            error = oauth.getError();
            description = oauth.getErrorDescription();
          }
        }
      } catch (InvalidProtocolBufferException ignored) {
        // Not tokend's details: keep the plain status.
      }
    }
    return new TokendException(e.getStatus().getCode(), error, description);
  }

  public Status.Code code() { return code; }
  public String oauthError() { return oauthError; }
  public String description() { return description; }
}
