package tokend.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.AfterClass;
import org.junit.Test;
import tokend.echo.v1.EchoRequest;
import tokend.echo.v1.EchoResponse;
import tokend.echo.v1.EchoServiceGrpc;
import tokend.v1.Admin;
import tokend.v1.AdminServiceGrpc;
import tokend.v1.TokenServiceGrpc;

/**
 * JwtVerifier: offline checks against keys made here (every algorithm and refusal), then a Java
 * echo service behind BearerGuard(JwtVerifier) with JWTs issued by the live tokend, tampered, for
 * another audience, expired, from another issuer, and across a key rotation.
 */
public class JwtVerifierTest {
  static final String ISSUER = "https://tokend.example";
  static final String AUDIENCE = "https://echo.example";
  static final Gson GSON = new Gson();

  static String b64(byte[] raw) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  static String b64(String text) {
    return b64(text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] unsigned(BigInteger n, int size) {
    byte[] raw = n.toByteArray();
    if (raw.length > 1 && raw[0] == 0) raw = Arrays.copyOfRange(raw, 1, raw.length);
    if (size == 0 || raw.length == size) return raw;
    byte[] out = new byte[size];
    System.arraycopy(raw, 0, out, size - raw.length, raw.length);
    return out;
  }

  // ---- offline: keys made here ----

  record LocalKey(String alg, String kid, KeyPair pair) {
    JsonObject jwk() {
      JsonObject o = new JsonObject();
      o.addProperty("kid", kid);
      o.addProperty("alg", alg);
      o.addProperty("use", "sig");
      if (pair.getPublic() instanceof ECPublicKey ec) {
        o.addProperty("kty", "EC");
        o.addProperty("crv", "P-256");
        o.addProperty("x", b64(unsigned(ec.getW().getAffineX(), 32)));
        o.addProperty("y", b64(unsigned(ec.getW().getAffineY(), 32)));
      } else if (pair.getPublic() instanceof RSAPublicKey rsa) {
        o.addProperty("kty", "RSA");
        o.addProperty("n", b64(unsigned(rsa.getModulus(), 0)));
        o.addProperty("e", b64(unsigned(rsa.getPublicExponent(), 0)));
      } else {
        byte[] spki = pair.getPublic().getEncoded();
        o.addProperty("kty", "OKP");
        o.addProperty("crv", "Ed25519");
        o.addProperty("x", b64(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
      }
      return o;
    }
  }

  static LocalKey generate(String alg, String kid, int bits) {
    try {
      KeyPairGenerator g;
      switch (alg) {
        case "ES256" -> {
          g = KeyPairGenerator.getInstance("EC");
          g.initialize(new ECGenParameterSpec("secp256r1"));
        }
        case "RS256" -> {
          g = KeyPairGenerator.getInstance("RSA");
          g.initialize(bits);
        }
        default -> g = KeyPairGenerator.getInstance("Ed25519");
      }
      return new LocalKey(alg, kid, g.generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static final LocalKey ES = generate("ES256", "kid-ES256", 0);
  static final LocalKey RS = generate("RS256", "kid-RS256", 2048);
  static final LocalKey ED = generate("EdDSA", "kid-EdDSA", 0);
  static final LocalKey SMALL = generate("RS256", "small", 1024);
  static final String JWKS = jwks();

  static String jwks() {
    JsonArray keys = new JsonArray();
    for (LocalKey k : List.of(ES, RS, ED, SMALL)) keys.add(k.jwk());
    JsonObject priv = ES.jwk();
    priv.addProperty("kid", "private");
    priv.addProperty("d", b64(new byte[32]));
    keys.add(priv);
    JsonObject doc = new JsonObject();
    doc.add("keys", keys);
    return doc.toString();
  }

  static String sign(LocalKey key, Map<String, Object> header, Map<String, Object> claims) {
    return sign(key.alg(), key.pair().getPrivate(), header, claims);
  }

  static String sign(String alg, PrivateKey key, Map<String, Object> header, Map<String, Object> claims) {
    String signed = b64(GSON.toJson(header)) + "." + b64(GSON.toJson(claims));
    try {
      Signature s = Signature.getInstance(switch (alg) {
        case "ES256" -> "SHA256withECDSAinP1363Format";
        case "RS256" -> "SHA256withRSA";
        default -> "Ed25519";
      });
      s.initSign(key);
      s.update(signed.getBytes(StandardCharsets.US_ASCII));
      return signed + "." + b64(s.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Claims with the given overrides (name, value, ...); a null value removes the claim. */
  static Map<String, Object> claims(Object... over) {
    long now = System.currentTimeMillis() / 1000;
    Map<String, Object> c = new LinkedHashMap<>(Map.of("iss", ISSUER, "sub", "user-1", "aud", AUDIENCE,
        "exp", now + 300, "iat", now, "nbf", now, "jti", "j1", "client_id", "app", "scope", "read write"));
    return apply(c, over);
  }

  static Map<String, Object> header(LocalKey key, Object... over) {
    return apply(new LinkedHashMap<>(Map.of("alg", key.alg(), "typ", "at+jwt", "kid", key.kid())), over);
  }

  static Map<String, Object> apply(Map<String, Object> m, Object... over) {
    for (int i = 0; i < over.length; i += 2) {
      if (over[i + 1] == null) {
        m.remove((String) over[i]);
      } else {
        m.put((String) over[i], over[i + 1]);
      }
    }
    return m;
  }

  static JwtVerifier offline(JwtVerifier.Options options) {
    return new JwtVerifier(() -> JWKS, options);
  }

  static JwtVerifier offline() {
    return offline(JwtVerifier.Options.of(ISSUER, AUDIENCE));
  }

  static String reason(JwtVerifier v, String token) {
    try {
      v.check(token);
      return "accepted";
    } catch (JwtException e) {
      return e.reason();
    }
  }

  @Test
  public void everyAlgorithmVerifiesAndYieldsThePrincipal() throws Exception {
    JwtVerifier v = offline();
    for (LocalKey k : List.of(ES, RS, ED)) {
      Map<String, Object> c = claims("aud", List.of("other", AUDIENCE));
      Principal p = v.check(sign(k, header(k), c));
      assertEquals(k.alg(), new Principal("user-1", "app", "", List.of("read", "write"), (Long) c.get("exp")), p);
    }
  }

  @Test
  public void eachRefusalNamesTokendCheck() throws Exception {
    String good = sign(ES, header(ES), claims());
    String[] part = good.split("\\.");
    String h = part[0];
    String p = part[1];
    String s = part[2];
    long now = System.currentTimeMillis() / 1000;
    LocalKey stranger = generate("ES256", ES.kid(), 0);
    Map<String, List<String>> cases = new LinkedHashMap<>();
    cases.put("too_large", List.of(good + "A".repeat(8192)));
    cases.put("malformed", List.of(h + "." + p, good + ".x", h + "=." + p + "." + s, h + "." + p + "+." + s,
        b64("not json") + "." + p + "." + s, b64("{\"alg\":\"ES256\"} x") + "." + p + "." + s,
        b64(" " + GSON.toJson(header(ES))) + "." + p + "." + s,
        sign(ES, header(ES, "crit", List.of("exp")), claims()),
        sign(ES, header(ES), claims("sub", null)),
        sign(ES, header(ES), claims("exp", 1.5)),
        sign(ES, header(ES), claims("exp", "soon")),
        sign(ES, header(ES), claims("aud", List.of(AUDIENCE, 7)))));
    cases.put("unsupported_algorithm", List.of(b64(GSON.toJson(header(ES, "alg", "none"))) + "." + p + ".",
        b64(GSON.toJson(header(ES, "alg", "HS256"))) + "." + p + "." + s,
        b64(GSON.toJson(header(ES, "alg", null))) + "." + p + "." + s));
    cases.put("wrong_type", List.of(sign(ES, header(ES, "typ", "JWT"), claims()),
        sign(ES, header(ES, "typ", null), claims())));
    cases.put("unknown_key", List.of(sign(ES, header(ES, "kid", "nope"), claims()),
        sign(ES, header(ES, "kid", null), claims()), sign(SMALL, header(SMALL), claims()),
        sign(ES, header(ES, "kid", "private"), claims())));
    cases.put("algorithm_mismatch", List.of(sign(ES, header(ES, "kid", "kid-RS256"), claims())));
    cases.put("bad_signature", List.of(h + "." + b64(GSON.toJson(claims("sub", "user-2"))) + "." + s,
        h + "." + p + "." + b64(new byte[64]), h + "." + p + "." + b64(new byte[63]),
        sign(stranger, header(ES), claims())));
    cases.put("expired", List.of(sign(ES, header(ES), claims("exp", now - 31))));
    cases.put("not_yet_valid", List.of(sign(ES, header(ES), claims("nbf", now + 60))));
    cases.put("wrong_issuer", List.of(sign(ES, header(ES), claims("iss", ISSUER + "/"))));
    cases.put("wrong_audience", List.of(sign(ES, header(ES), claims("aud", "https://other.example")),
        sign(ES, header(ES), claims("aud", null))));
    JwtVerifier v = offline();
    assertEquals("user-1", v.check(good).subject());
    for (var c : cases.entrySet()) {
      for (String token : c.getValue()) {
        assertEquals(token, c.getKey(), reason(v, token));
        assertTrue(v.verify(token).isEmpty());
      }
    }
  }

  @Test
  public void leewayIsConfigurable() throws Exception {
    String token = sign(ED, header(ED), claims("exp", System.currentTimeMillis() / 1000 - 20));
    assertEquals("user-1", offline().check(token).subject()); // default leeway 30 s
    var strict = offline(JwtVerifier.Options.of(ISSUER, AUDIENCE).withLeeway(Duration.ofSeconds(5)));
    assertEquals("expired", reason(strict, token));
  }

  /** Real time plus an offset the tests move. */
  static final class OffsetClock extends Clock {
    final AtomicLong offsetMillis = new AtomicLong();

    @Override
    public Instant instant() {
      return Instant.now().plusMillis(offsetMillis.get());
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  public void unknownKidRefetchesAtMostOncePerInterval() throws Exception {
    String[] published = {"{\"keys\":[]}"};
    AtomicInteger fetches = new AtomicInteger();
    OffsetClock clock = new OffsetClock();
    JwtVerifier v = new JwtVerifier(() -> {
      fetches.incrementAndGet();
      return published[0];
    }, JwtVerifier.Options.of(ISSUER, AUDIENCE).withClock(clock));
    String token = sign(ES, header(ES), claims());
    assertEquals("unknown_key", reason(v, token));
    assertEquals(1, fetches.get());
    published[0] = JWKS;
    clock.offsetMillis.set(29_000);
    assertTrue(v.verify(token).isEmpty());
    assertEquals(1, fetches.get());
    clock.offsetMillis.set(30_000);
    assertEquals("user-1", v.check(token).subject());
    assertEquals("user-1", v.check(token).subject());
    assertEquals(2, fetches.get());
  }

  @Test
  public void noKeySetAtAllIsUnavailable() {
    Supplier<String> down = () -> {
      throw new IllegalStateException("connection refused");
    };
    JwtVerifier v = new JwtVerifier(down, JwtVerifier.Options.of(ISSUER, ""));
    TokendException e = assertThrows(TokendException.class, () -> v.verify("a.b.c"));
    assertEquals(Status.Code.UNAVAILABLE, e.code());
    assertThrows(TokendException.class, v::refresh);
    assertThrows(IllegalArgumentException.class, () -> JwtVerifier.Options.of("", AUDIENCE));
  }

  // ---- live: JWTs issued by tokend ----

  static final List<Server> servers = new ArrayList<>();
  static final List<ManagedChannel> channels = new ArrayList<>();

  @AfterClass
  public static void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    servers.forEach(Server::shutdownNow);
  }

  static ManagedChannel channel(String address) {
    ManagedChannel c = Live.channel(address);
    channels.add(c);
    return c;
  }

  /** The echo service behind BearerGuard(verifier). */
  static EchoServiceGrpc.EchoServiceBlockingStub startEcho(Verifier verifier) throws Exception {
    BearerGuard guard = new BearerGuard(verifier,
        Map.of("echo.v1.EchoService/Echo", List.of("read"), "echo.v1.EchoService/Shout", List.of("write")), List.of());
    Server server = ServerBuilder.forPort(0)
        .addService(ServerInterceptors.intercept(new InterceptorTest.Echo(), guard)).build().start();
    servers.add(server);
    return EchoServiceGrpc.newBlockingStub(channel("127.0.0.1:" + server.getPort()));
  }

  /** A verifier reading tokend's JWKS through GetJwks on clock, counting fetches. */
  static JwtVerifier liveVerifier(String issuer, OffsetClock clock, AtomicInteger fetches) {
    var stub = TokenServiceGrpc.newBlockingStub(channel(Live.env("TOKEND_GRPC_ADDR")));
    return new JwtVerifier(() -> {
      fetches.incrementAndGet();
      return stub.getJwks(tokend.v1.Token.GetJwksRequest.getDefaultInstance()).getJwksJson();
    }, JwtVerifier.Options.of(issuer, AUDIENCE).withClock(clock));
  }

  static Metadata header(String name, String value) {
    Metadata md = new Metadata();
    md.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value);
    return md;
  }

  static String issueJwt(String audience, List<String> scopes, boolean password) {
    var req = tokend.v1.Token.IssueTokenRequest.newBuilder().addAllScopes(scopes).setAudience(audience)
        .setTokenFormat(tokend.v1.Token.TokenFormat.TOKEN_FORMAT_JWT);
    if (password) {
      req.setPassword(tokend.v1.Token.PasswordGrant.newBuilder().setUsername(Live.env("TOKEND_USERNAME"))
          .setPassword(Live.env("TOKEND_PASSWORD")));
    } else {
      req.setClientCredentials(tokend.v1.Token.ClientCredentialsGrant.getDefaultInstance());
    }
    String auth = TokenClient.basicAuthorization(Live.env("TOKEND_CLIENT_ID"), Live.env("TOKEND_CLIENT_SECRET"));
    String token = TokenServiceGrpc.newBlockingStub(channel(Live.env("TOKEND_GRPC_ADDR")))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(header("authorization", auth)))
        .issueToken(req.build()).getAccessToken();
    assertEquals(token, 3, token.split("\\.").length);
    return token;
  }

  static String issueJwt() {
    return issueJwt(AUDIENCE, List.of("read"), false);
  }

  static JsonObject segment(String token, int i) {
    return JsonParser.parseString(new String(Base64.getUrlDecoder().decode(token.split("\\.")[i]),
        StandardCharsets.UTF_8)).getAsJsonObject();
  }

  static final EchoRequest HI = EchoRequest.newBuilder().setMessage("hi").build();

  static EchoResponse call(EchoServiceGrpc.EchoServiceBlockingStub stub, String token, boolean shout) {
    var s = stub.withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(header("authorization", "Bearer " + token)));
    return shout ? s.shout(HI) : s.echo(HI);
  }

  static EchoResponse call(EchoServiceGrpc.EchoServiceBlockingStub stub, String token) {
    return call(stub, token, false);
  }

  static Status.Code code(EchoServiceGrpc.EchoServiceBlockingStub stub, String token, boolean shout) {
    try {
      call(stub, token, shout);
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    fail("accepted");
    return null;
  }

  @Test
  public void tokendJwtIsAcceptedAndTheHandlerSeesTheCaller() throws Exception {
    var stub = startEcho(liveVerifier(Live.env("TOKEND_ISSUER"), new OffsetClock(), new AtomicInteger()));
    String clientId = Live.env("TOKEND_CLIENT_ID");
    String token = issueJwt(AUDIENCE, List.of("read", "write"), false);
    assertEquals("at+jwt", segment(token, 0).get("typ").getAsString());
    EchoResponse r = call(stub, token);
    assertEquals(List.of("hi", clientId, clientId), List.of(r.getMessage(), r.getSubject(), r.getClientId()));
    assertEquals(List.of("read", "write"), r.getScopesList());
    assertEquals("hi", call(stub, token, true).getMessage());
    assertEquals(Status.Code.PERMISSION_DENIED, code(stub, issueJwt(), true));

    String userToken = issueJwt(AUDIENCE, List.of("read"), true);
    String userId = segment(userToken, 1).get("sub").getAsString();
    assertNotEquals(clientId, userId);
    r = call(stub, userToken);
    assertEquals(List.of(userId, clientId), List.of(r.getSubject(), r.getClientId()));
    assertEquals(List.of("read"), r.getScopesList());
  }

  @Test
  public void tamperedOtherAudienceExpiredAndWrongIssuerAreUnauthenticated() throws Exception {
    String issuer = Live.env("TOKEND_ISSUER");
    JwtVerifier verifier = liveVerifier(issuer, new OffsetClock(), new AtomicInteger());
    var stub = startEcho(verifier);
    String token = issueJwt();
    assertEquals(Live.env("TOKEND_CLIENT_ID"), call(stub, token).getClientId());

    String[] part = token.split("\\.");
    byte[] payload = Base64.getUrlDecoder().decode(part[1]);
    int at = new String(payload, StandardCharsets.UTF_8).indexOf("\"client_id\":\"") + "\"client_id\":\"".length();
    payload[at] ^= 1; // one payload byte
    String tampered = part[0] + "." + b64(payload) + "." + part[2];
    String other = issueJwt("https://other.example", List.of("read"), false);
    for (String[] c : new String[][] {{tampered, "bad_signature"}, {other, "wrong_audience"}}) {
      assertEquals(c[1], Status.Code.UNAUTHENTICATED, code(stub, c[0], false));
      assertEquals(c[1], reason(verifier, c[0]));
    }

    // Expired (at exp + the default 30 s leeway) and another issuer, each through a guard.
    long exp = segment(token, 1).get("exp").getAsLong();
    OffsetClock late = new OffsetClock();
    late.offsetMillis.set(exp * 1000 + 30_000 - System.currentTimeMillis());
    Map<String, JwtVerifier> refusing = Map.of(
        "expired", liveVerifier(issuer, late, new AtomicInteger()),
        "wrong_issuer", liveVerifier(issuer + "/elsewhere", new OffsetClock(), new AtomicInteger()));
    for (var c : refusing.entrySet()) {
      assertEquals(c.getKey(), reason(c.getValue(), token));
      assertEquals(c.getKey(), Status.Code.UNAUTHENTICATED, code(startEcho(c.getValue()), token, false));
    }
    assertEquals(Live.env("TOKEND_CLIENT_ID"), call(stub, token).getClientId());
  }

  @Test
  public void rotatedKeyIsPickedUpWithoutRestart() throws Exception {
    OffsetClock clock = new OffsetClock();
    AtomicInteger fetches = new AtomicInteger();
    var stub = startEcho(liveVerifier(Live.env("TOKEND_ISSUER"), clock, fetches));
    String before = issueJwt();
    assertEquals(Live.env("TOKEND_CLIENT_ID"), call(stub, before).getClientId());
    assertEquals(1, fetches.get());

    Admin.RotateSigningKeyResponse rotated = AdminServiceGrpc.newBlockingStub(channel(Live.env("TOKEND_ADMIN_ADDR")))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
            header("authorization", "Bearer " + Live.env("TOKEND_ADMIN_KEY"))))
        .rotateSigningKey(Admin.RotateSigningKeyRequest.getDefaultInstance());
    String after = issueJwt();
    String kid = segment(after, 0).get("kid").getAsString();
    assertEquals(rotated.getSigningKey().getKid(), kid);
    assertNotEquals(segment(before, 0).get("kid").getAsString(), kid);

    assertEquals(Status.Code.UNAUTHENTICATED, code(stub, after, false)); // within the refetch interval
    assertEquals(1, fetches.get());
    clock.offsetMillis.set(30_000); // the default refetch interval since the first fetch
    EchoResponse r = call(stub, after);
    assertEquals(Live.env("TOKEND_CLIENT_ID"), r.getClientId());
    assertEquals(List.of("read"), r.getScopesList());
    assertEquals(2, fetches.get());
    assertEquals(Live.env("TOKEND_CLIENT_ID"), call(stub, before).getClientId()); // the retired key stays published
    assertEquals(2, fetches.get());

    // A verifier on the channel itself (its GetJwks call) sees the new key too.
    JwtVerifier direct = new JwtVerifier(channel(Live.env("TOKEND_GRPC_ADDR")),
        JwtVerifier.Options.of(Live.env("TOKEND_ISSUER"), AUDIENCE));
    assertEquals(Live.env("TOKEND_CLIENT_ID"), direct.check(after).clientId());
  }
}
