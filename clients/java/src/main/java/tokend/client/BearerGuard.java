package tokend.client;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A server interceptor that admits only calls with a valid bearer token:
 * {@code ServerInterceptors.intercept(service, new BearerGuard(verifier, requiredScopes, List.of()))}.
 * requiredScopes maps a full method name ("echo.v1.EchoService/Echo") to the scopes its token
 * must all hold; other methods need defaultScopes. A missing, malformed or inactive token
 * answers UNAUTHENTICATED, a missing scope PERMISSION_DENIED, a verifier that cannot tell
 * UNAVAILABLE. Handlers read the caller with {@link #principal()}.
 */
public final class BearerGuard implements ServerInterceptor {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Principal> PRINCIPAL = Context.key("tokend-principal");

  private final Verifier verifier;
  private final Map<String, List<String>> requiredScopes;
  private final List<String> defaultScopes;

  public BearerGuard(Verifier verifier, Map<String, List<String>> requiredScopes, List<String> defaultScopes) {
    this.verifier = verifier;
    this.requiredScopes = Map.copyOf(requiredScopes);
    this.defaultScopes = List.copyOf(defaultScopes);
  }

  /** The caller of the handler now running under a BearerGuard, or null. */
  public static Principal principal() {
    return PRINCIPAL.get();
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String header = headers.get(AUTHORIZATION);
    String method = call.getMethodDescriptor().getFullMethodName();
    Principal p;
    try {
      p = authorize(method, header == null ? "" : header);
    } catch (GuardDenied d) {
      call.close(d.status, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, p), call, headers, next);
  }

  /** The principal for a call, or GuardDenied with the status to answer. */
  public Principal authorize(String method, String authorization) throws GuardDenied {
    int space = authorization.indexOf(' ');
    String token = space < 0 ? "" : authorization.substring(space + 1).trim();
    if (space < 0 || !authorization.substring(0, space).equalsIgnoreCase("bearer") || token.isEmpty()) {
      throw new GuardDenied(Status.UNAUTHENTICATED.withDescription("a bearer token is required"));
    }
    Optional<Principal> p;
    try {
      p = verifier.verify(token);
    } catch (TokendException e) {
      throw new GuardDenied(Status.UNAVAILABLE.withDescription("cannot verify the token now: " + e.getMessage()));
    }
    if (p.isEmpty()) throw new GuardDenied(Status.UNAUTHENTICATED.withDescription("the token is not active"));
    for (String scope : requiredScopes.getOrDefault(method, defaultScopes)) {
      if (!p.get().scopes().contains(scope)) {
        throw new GuardDenied(Status.PERMISSION_DENIED.withDescription("the token lacks scope " + scope));
      }
    }
    return p.get();
  }

  /** A refused call and the status to answer it with. */
  public static final class GuardDenied extends Exception {
    public final Status status;

    GuardDenied(Status status) {
      super(status.getDescription());
      this.status = status;
    }
  }
}
