package tokend.client;

import java.util.Arrays;
import java.util.List;

/** An issued token (RFC 6749 §5.1). refreshToken is empty for client_credentials. */
public record Token(String accessToken, String tokenType, long expiresIn, String refreshToken, String scope) {
  public List<String> scopes() {
    return scope.isEmpty() ? List.of() : Arrays.asList(scope.split(" +"));
  }
}
