package tokend.client;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import tokend.v1.TokenServiceGrpc;

/**
 * The guard's verifier for tokend's JWT access tokens (RFC 9068 §4), checked offline against
 * tokend's JWKS with tokend's own rules (services/jwt/jwt_verifier.cc): alg ES256, EdDSA or
 * RS256 only; typ at+jwt; no crit; a published kid whose alg matches; the signature; the claims
 * iss, sub, exp, iat, jti and client_id present; exp and nbf within the leeway; iss equal to the
 * issuer; aud naming the audience. The key set comes from tokend's GetJwks RPC (or any
 * supplier), is cached, and is refetched when a token names an unknown kid (at most once per
 * {@code minRefetchInterval}), so a key rotation needs no restart. Thread-safe; blocks only to
 * fetch the key set. A signature cannot tell that a token was revoked after it was issued:
 * where that matters, use the {@link IntrospectionVerifier}.
 */
public final class JwtVerifier implements Verifier {
  /** The largest token accepted (8 KiB), as tokend. */
  public static final int MAX_TOKEN_BYTES = 8 * 1024;

  private static final Set<String> ALGORITHMS = Set.of("ES256", "EdDSA", "RS256");
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
  private static final TypeAdapter<JsonElement> JSON = new Gson().getAdapter(JsonElement.class);
  // SubjectPublicKeyInfo of an Ed25519 key (RFC 8410), before its 32 bytes.
  private static final byte[] ED25519_SPKI = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
  private static final ECParameterSpec P256 = p256();

  /**
   * issuer: tokend's (required). audience: this resource server ("" : aud is not checked).
   * leeway: clock skew allowed on exp and nbf. minRefetchInterval: an unknown kid refetches the
   * key set at most this often. maxCacheAge: an older key set is refetched.
   */
  public record Options(String issuer, String audience, Duration leeway, Duration minRefetchInterval,
      Duration maxCacheAge, Clock clock) {
    public Options {
      if (issuer == null || issuer.isEmpty()) throw new IllegalArgumentException("JwtVerifier needs the issuer");
      if (audience == null) audience = "";
    }

    /** Leeway 30 s, refetch interval 30 s, cache age 5 min, the system clock. */
    public static Options of(String issuer, String audience) {
      return new Options(issuer, audience, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(5),
          Clock.systemUTC());
    }

    public Options withLeeway(Duration d) {
      return new Options(issuer, audience, d, minRefetchInterval, maxCacheAge, clock);
    }

    public Options withMinRefetchInterval(Duration d) {
      return new Options(issuer, audience, leeway, d, maxCacheAge, clock);
    }

    public Options withClock(Clock c) {
      return new Options(issuer, audience, leeway, minRefetchInterval, maxCacheAge, c);
    }
  }

  private record Jwk(String alg, PublicKey key) {}

  private final Supplier<String> fetch;
  private final Options options;
  private final Object fetching = new Object(); // one fetch at a time
  private Map<String, Jwk> keys; // guarded by this; replaced, never changed
  private Instant fetchedAt = Instant.MIN;
  private Instant attemptedAt = Instant.MIN;
  private String lastError = "";

  /** Fetches the key set with tokend's GetJwks RPC on channel (no client credentials needed). */
  public JwtVerifier(Channel channel, Options options) {
    this(() -> {
      try {
        return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getJwks(tokend.v1.Token.GetJwksRequest.getDefaultInstance()).getJwksJson();
      } catch (StatusRuntimeException e) {
        throw TokendException.from(e);
      }
    }, options);
  }

  /** Fetches the key set with jwks (e.g. a GET of /.well-known/jwks.json); it may throw. */
  public JwtVerifier(Supplier<String> jwks, Options options) {
    this.fetch = jwks;
    this.options = options;
  }

  /**
   * The principal (username is empty: JWTs carry none), empty for a refused token; throws
   * TokendException (UNAVAILABLE) when no key set could be fetched at all.
   */
  @Override
  public Optional<Principal> verify(String token) {
    try {
      return Optional.of(check(token));
    } catch (JwtException e) {
      return Optional.empty();
    }
  }

  /** {@link #verify} that says why a token is refused. */
  public Principal check(String token) throws JwtException {
    if (token.getBytes(StandardCharsets.UTF_8).length > MAX_TOKEN_BYTES) {
      throw new JwtException("too_large", "the token exceeds 8 KiB");
    }
    Map<String, Jwk> current = currentKeys();
    if (current == null) throw unavailable("no JWKS could be fetched");
    try {
      return check(token, current);
    } catch (JwtException e) {
      if (!e.reason().equals("unknown_key")) throw e;
      Map<String, Jwk> fresh = refetch(options.minRefetchInterval()); // a rotation not seen yet?
      if (fresh == current) throw e;
      return check(token, fresh);
    }
  }

  /** Fetches the key set now (e.g. at start-up); TokendException when that fails. */
  public void refresh() {
    Map<String, Jwk> before;
    synchronized (this) {
      before = keys;
    }
    Map<String, Jwk> after = refetch(Duration.ZERO);
    if (after == null || after == before) throw unavailable("the JWKS could not be fetched");
  }

  private synchronized TokendException unavailable(String what) {
    return new TokendException(Status.Code.UNAVAILABLE, "", what + ": " + lastError);
  }

  private Map<String, Jwk> currentKeys() {
    synchronized (this) {
      if (keys != null && Duration.between(fetchedAt, options.clock().instant()).compareTo(options.maxCacheAge()) < 0) {
        return keys;
      }
    }
    return refetch(RETRY_AFTER_FAILURE);
  }

  /** Refetches unless a fetch started within minInterval; the keys now held (a failed fetch keeps the old ones). */
  private Map<String, Jwk> refetch(Duration minInterval) {
    synchronized (fetching) {
      Instant now = options.clock().instant();
      synchronized (this) {
        if (attemptedAt.plus(minInterval).isAfter(now)) return keys;
        attemptedAt = now;
      }
      Map<String, Jwk> fresh;
      try {
        fresh = parseJwks(fetch.get());
      } catch (RuntimeException e) {
        synchronized (this) {
          lastError = String.valueOf(e.getMessage());
          return keys;
        }
      }
      synchronized (this) {
        keys = fresh;
        fetchedAt = now;
        return fresh;
      }
    }
  }

  private Principal check(String token, Map<String, Jwk> keys) throws JwtException {
    String[] parts = token.split("\\.", -1);
    byte[][] raw = new byte[3][];
    for (int i = 0; i < parts.length && parts.length == 3; i++) raw[i] = base64Url(parts[i]);
    if (parts.length != 3 || raw[0] == null || raw[1] == null || raw[2] == null) {
      throw new JwtException("malformed", "not a compact JWS");
    }
    JsonObject header = jsonObject(raw[0]);
    if (header == null) throw new JwtException("malformed", "the header is not a JSON object");
    String alg = string(header, "alg");
    if (alg == null || !ALGORITHMS.contains(alg)) throw new JwtException("unsupported_algorithm", "unsupported alg");
    String typ = string(header, "typ");
    if (!"at+jwt".equals(typ) && !"application/at+jwt".equals(typ)) {
      throw new JwtException("wrong_type", "typ is not at+jwt");
    }
    if (header.has("crit")) throw new JwtException("malformed", "critical header parameters are not supported");
    String kid = string(header, "kid");
    Jwk key = kid == null ? null : keys.get(kid);
    if (key == null) throw new JwtException("unknown_key", "no published key has this kid");
    if (!key.alg().equals(alg)) throw new JwtException("algorithm_mismatch", "alg differs from the key's");
    byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    if (!signatureOk(key, signed, raw[2])) throw new JwtException("bad_signature", "the signature does not verify");
    JsonObject claims = jsonObject(raw[1]);
    if (claims == null) throw new JwtException("malformed", "the payload is not a JSON object");
    return principal(claims);
  }

  private Principal principal(JsonObject c) throws JwtException {
    Long exp = integer(c, "exp");
    Long iat = integer(c, "iat");
    Long nbf = c.has("nbf") ? integer(c, "nbf") : iat;
    String scope = c.has("scope") ? string(c, "scope") : "";
    List<String> aud = c.has("aud") ? strings(c.get("aud")) : List.of();
    String iss = string(c, "iss");
    String sub = string(c, "sub");
    String clientId = string(c, "client_id");
    if (exp == null || iat == null || nbf == null || scope == null || aud == null || iss == null || sub == null
        || clientId == null || string(c, "jti") == null) {
      throw new JwtException("malformed", "a required claim is missing or mistyped");
    }
    long now = options.clock().millis();
    long leeway = options.leeway().toMillis();
    if (exp * 1000 + leeway <= now) throw new JwtException("expired", "the token has expired");
    if (nbf * 1000 - leeway > now) throw new JwtException("not_yet_valid", "the token is not valid yet");
    if (!iss.equals(options.issuer())) throw new JwtException("wrong_issuer", "iss is not the expected issuer");
    if (!options.audience().isEmpty() && !aud.contains(options.audience())) {
      throw new JwtException("wrong_audience", "aud does not name this audience");
    }
    List<String> scopes = Arrays.stream(scope.split(" ")).filter(s -> !s.isEmpty()).toList();
    return new Principal(sub, clientId, "", scopes, exp);
  }

  // ---- JOSE ----

  /** Unpadded, canonical base64url (RFC 7515 §2); null otherwise. */
  static byte[] base64Url(String text) {
    if (text.length() % 4 == 1 || !BASE64URL.matcher(text).matches()) return null;
    byte[] raw = Base64.getUrlDecoder().decode(text);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw).equals(text) ? raw : null;
  }

  private static JsonObject jsonObject(byte[] raw) {
    return jsonObject(new String(raw, StandardCharsets.UTF_8));
  }

  /** A JSON object starting with "{" (as tokend parses), else null. */
  private static JsonObject jsonObject(String text) {
    if (!text.startsWith("{")) return null;
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setLenient(false);
      JsonElement e = JSON.read(reader);
      return e.isJsonObject() && reader.peek() == JsonToken.END_DOCUMENT ? e.getAsJsonObject() : null;
    } catch (IOException | JsonParseException | IllegalStateException e) {
      return null;
    }
  }

  private static String string(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }

  /** A JSON number that is a whole number within ±9e15, as tokend reads NumericDate. */
  private static Long integer(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return null;
    try {
      BigDecimal v = e.getAsBigDecimal();
      if (v.abs().compareTo(BigDecimal.valueOf(9_000_000_000_000_000L)) > 0 || v.stripTrailingZeros().scale() > 0) {
        return null;
      }
      return v.longValueExact();
    } catch (ArithmeticException | NumberFormatException x) {
      return null;
    }
  }

  private static List<String> strings(JsonElement e) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) return List.of(e.getAsString());
    if (!e.isJsonArray()) return null;
    List<String> out = new ArrayList<>();
    for (JsonElement item : e.getAsJsonArray()) {
      if (!item.isJsonPrimitive() || !((JsonPrimitive) item).isString()) return null;
      out.add(item.getAsString());
    }
    return out;
  }

  private static byte[] bytes(JsonObject o, String name) {
    String s = string(o, name);
    byte[] b = s == null ? null : base64Url(s);
    return b == null ? new byte[0] : b;
  }

  /** kid to key for the usable keys of a JWK Set (tokend's FromJwk rules); throws when it has no "keys" array. */
  private static Map<String, Jwk> parseJwks(String document) {
    JsonObject doc = jsonObject(document);
    if (doc == null || !doc.has("keys") || !doc.get("keys").isJsonArray()) {
      throw new IllegalArgumentException("a JWKS needs a \"keys\" array");
    }
    Map<String, Jwk> out = new HashMap<>();
    for (JsonElement e : doc.getAsJsonArray("keys")) {
      if (!e.isJsonObject()) continue;
      JsonObject jwk = e.getAsJsonObject();
      String kid = string(jwk, "kid");
      PublicKey key = publicKey(jwk);
      if (key != null) out.put(kid, new Jwk(string(jwk, "alg"), key));
    }
    return Map.copyOf(out);
  }

  private static PublicKey publicKey(JsonObject jwk) {
    String kid = string(jwk, "kid");
    String alg = string(jwk, "alg");
    String kty = string(jwk, "kty");
    String use = string(jwk, "use");
    String crv = string(jwk, "crv");
    if (kid == null || kid.isEmpty() || alg == null || kty == null || (use != null && !use.equals("sig"))
        || jwk.has("d")) {
      return null;
    }
    try {
      if (alg.equals("ES256") && kty.equals("EC") && "P-256".equals(crv)) {
        byte[] x = bytes(jwk, "x");
        byte[] y = bytes(jwk, "y");
        if (x.length != 32 || y.length != 32) return null;
        ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
        if (!onP256(w)) return null;
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, P256));
      }
      if (alg.equals("EdDSA") && kty.equals("OKP") && "Ed25519".equals(crv)) {
        byte[] x = bytes(jwk, "x");
        if (x.length != 32) return null;
        byte[] spki = Arrays.copyOf(ED25519_SPKI, ED25519_SPKI.length + 32);
        System.arraycopy(x, 0, spki, ED25519_SPKI.length, 32);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
      }
      if (alg.equals("RS256") && kty.equals("RSA")) {
        byte[] n = bytes(jwk, "n");
        byte[] e = bytes(jwk, "e");
        if (n.length == 0 || e.length == 0) return null;
        RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(new BigInteger(1, n), new BigInteger(1, e)));
        return key.getModulus().bitLength() >= 2048 ? key : null;
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return null; // key material the provider refuses
    }
    return null;
  }

  private static boolean signatureOk(Jwk key, byte[] signed, byte[] sig) {
    try {
      Signature verifier;
      switch (key.alg()) {
        case "ES256" -> {
          if (sig.length != 64) return false;
          verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        }
        case "EdDSA" -> {
          if (sig.length != 64) return false;
          verifier = Signature.getInstance("Ed25519");
        }
        default -> {
          if (sig.length != (((RSAPublicKey) key.key()).getModulus().bitLength() + 7) / 8) return false;
          verifier = Signature.getInstance("SHA256withRSA");
        }
      }
      verifier.initVerify(key.key());
      verifier.update(signed);
      return verifier.verify(sig);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec("secp256r1"));
      return params.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is not available", e);
    }
  }

  /** y² = x³ + ax + b over P-256's field, with both coordinates in range. */
  private static boolean onP256(ECPoint w) {
    EllipticCurve curve = P256.getCurve();
    BigInteger p = ((ECFieldFp) curve.getField()).getP();
    BigInteger x = w.getAffineX();
    BigInteger y = w.getAffineY();
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) return false;
    BigInteger rhs = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
    return y.pow(2).mod(p).equals(rhs);
  }
}
