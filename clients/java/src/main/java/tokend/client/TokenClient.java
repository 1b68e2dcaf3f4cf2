package tokend.client;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import tokend.v1.TokenServiceGrpc;

/**
 * tokend's TokenService for one OAuth client. Every method throws
 * {@link TokendException} on failure. Thread-safe; the caller owns the channel.
 */
public final class TokenClient implements Issuer {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String clientId;
  private final TokenServiceGrpc.TokenServiceBlockingStub stub;
  private final long timeoutMillis;

  public TokenClient(Channel channel, String clientId, String clientSecret) {
    this(channel, clientId, clientSecret, 10_000);
  }

  public TokenClient(Channel channel, String clientId, String clientSecret, long timeoutMillis) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, basicAuthorization(clientId, clientSecret));
    this.clientId = clientId;
    this.stub = TokenServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    this.timeoutMillis = timeoutMillis;
  }

  public String clientId() { return clientId; }

  /** RFC 6749 §4.4 client_credentials. */
  @Override
  public Token issue(List<String> scopes) {
    return issue(scopes, null, null);
  }

  /** client_credentials, or RFC 6749 §4.3 password when username is not null. */
  public Token issue(List<String> scopes, String username, String password) {
    var req = tokend.v1.Token.IssueTokenRequest.newBuilder().addAllScopes(scopes);
    if (username == null) {
      req.setClientCredentials(tokend.v1.Token.ClientCredentialsGrant.getDefaultInstance());
    } else {
      req.setPassword(tokend.v1.Token.PasswordGrant.newBuilder().setUsername(username)
          .setPassword(password == null ? "" : password));
    }
    var r = call(() -> stub().issueToken(req.build()));
    return new Token(r.getAccessToken(), r.getTokenType(), r.getExpiresIn(), r.getRefreshToken(), r.getScope());
  }

  /** RFC 6749 §6: spends the refresh token; a spent one throws invalid_grant. */
  public Token refresh(String refreshToken) {
    var r = call(() -> stub().refresh(
        tokend.v1.Token.RefreshRequest.newBuilder().setRefreshToken(refreshToken).build()));
    return new Token(r.getAccessToken(), r.getTokenType(), r.getExpiresIn(), r.getRefreshToken(), r.getScope());
  }

  /** RFC 7662; an inactive token is an answer, not an error. */
  public Introspection introspect(String token) {
    var r = call(() -> stub().introspect(
        tokend.v1.Token.IntrospectRequest.newBuilder().setToken(token).build()));
    return new Introspection(r.getActive(), r.getScope(), r.getClientId(), r.getUsername(),
        r.getTokenType(), r.getExp(), r.getIat(), r.getSub(), r.getAud(), r.getIss(), r.getJti());
  }

  /** RFC 7009; an unknown token is not an error. */
  public void revoke(String token) {
    call(() -> stub().revoke(tokend.v1.Token.RevokeRequest.newBuilder().setToken(token).build()));
  }

  private TokenServiceGrpc.TokenServiceBlockingStub stub() {
    return stub.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  private static <T> T call(Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw TokendException.from(e);
    }
  }

  /** The authorization value of RFC 6749 §2.3.1: Basic base64(formurlencode(id) ":" formurlencode(secret)). */
  public static String basicAuthorization(String clientId, String clientSecret) {
    String raw = formEncode(clientId) + ":" + formEncode(clientSecret);
    return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
  }

  static String formEncode(String value) {
    var out = new ByteArrayOutputStream();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '*') {
        out.write(c);
      } else if (c == ' ') {
        out.write('+');
      } else {
        out.writeBytes(String.format("%%%02X", c).getBytes(StandardCharsets.US_ASCII));
      }
    }
    return out.toString(StandardCharsets.US_ASCII);
  }
}
