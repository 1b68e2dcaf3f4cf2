package tokend.client;

import java.util.Arrays;
import java.util.List;

/** RFC 7662 §2.2; an expired, revoked or unknown token has only active == false. */
public record Introspection(boolean active, String scope, String clientId, String username,
    String tokenType, long exp, long iat, String sub, String aud, String iss, String jti) {
  public List<String> scopes() {
    return scope.isEmpty() ? List.of() : Arrays.asList(scope.split(" +"));
  }
}
