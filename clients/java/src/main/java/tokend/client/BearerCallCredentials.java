package tokend.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Puts {@code authorization: Bearer <token>} from a TokenSource on every call:
 * {@code stub.withCallCredentials(new BearerCallCredentials(source))}. Over TLS only
 * unless allowInsecure; when no token can be had the call fails with UNAVAILABLE.
 * The token is fetched on the call's executor, never on the caller's event loop.
 */
public final class BearerCallCredentials extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TokenSource source;
  private final boolean allowInsecure;

  public BearerCallCredentials(TokenSource source) {
    this(source, false);
  }

  public BearerCallCredentials(TokenSource source, boolean allowInsecure) {
    this.source = source;
    this.allowInsecure = allowInsecure;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    if (!allowInsecure && info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      applier.fail(Status.UNAUTHENTICATED.withDescription("bearer tokens need a TLS channel"));
      return;
    }
    executor.execute(() -> {
      try {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + source.token().accessToken());
        applier.apply(headers);
      } catch (TokendException e) {
        applier.fail(Status.UNAVAILABLE.withDescription("no bearer token: " + e.getMessage()));
      }
    });
  }

  @Override
  public void thisUsesUnstableApi() {}
}
