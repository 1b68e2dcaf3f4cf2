package tokend.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies opaque tokens through tokend's Introspect with a short positive cache: only
 * active answers are kept, for ttlMillis at most (never past the token's exp), so a revoked
 * token is refused within that time. The client must hold the {@code introspect} permission.
 */
public final class IntrospectionVerifier implements Verifier {
  private record Entry(Principal principal, long untilMillis) {}

  private final TokenClient client;
  private final long ttlMillis;
  private final int maxEntries;
  private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

  public IntrospectionVerifier(TokenClient client, long ttlMillis) {
    this(client, ttlMillis, 10_000);
  }

  public IntrospectionVerifier(TokenClient client, long ttlMillis, int maxEntries) {
    this.client = client;
    this.ttlMillis = ttlMillis;
    this.maxEntries = maxEntries;
  }

  @Override
  public Optional<Principal> verify(String token) {
    String key = sha256(token);
    long now = System.currentTimeMillis();
    Entry hit = cache.get(key);
    if (hit != null && now < hit.untilMillis()) return Optional.of(hit.principal());
    Introspection info = client.introspect(token);
    if (!info.active()) {
      cache.remove(key);
      return Optional.empty();
    }
    var p = new Principal(info.sub().isEmpty() ? info.clientId() : info.sub(), info.clientId(),
        info.username(), info.scopes(), info.exp());
    long until = info.exp() == 0 ? now + ttlMillis : Math.min(now + ttlMillis, info.exp() * 1000);
    if (cache.size() >= maxEntries) {
      cache.values().removeIf(e -> e.untilMillis() <= now);
      if (cache.size() >= maxEntries) cache.clear();
    }
    cache.put(key, new Entry(p, until));
    return Optional.of(p);
  }

  private static String sha256(String token) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
