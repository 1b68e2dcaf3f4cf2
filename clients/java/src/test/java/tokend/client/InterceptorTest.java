package tokend.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import tokend.echo.v1.EchoRequest;
import tokend.echo.v1.EchoResponse;
import tokend.echo.v1.EchoServiceGrpc;

/** The interceptor pair: a Java echo service behind BearerGuard, called with BearerCallCredentials. */
public class InterceptorTest {
  static final class Echo extends EchoServiceGrpc.EchoServiceImplBase {
    @Override
    public void echo(EchoRequest req, StreamObserver<EchoResponse> out) {
      Principal p = BearerGuard.principal();
      out.onNext(EchoResponse.newBuilder().setMessage(req.getMessage()).setSubject(p.subject())
          .setClientId(p.clientId()).addAllScopes(p.scopes()).build());
      out.onCompleted();
    }

    @Override
    public void shout(EchoRequest req, StreamObserver<EchoResponse> out) {
      echo(req, out);
    }
  }

  static Server server;
  static ManagedChannel channel;

  @BeforeClass
  public static void start() throws Exception {
    BearerGuard guard = new BearerGuard(new IntrospectionVerifier(Live.client("RS_"), 1000),
        Map.of("echo.v1.EchoService/Echo", List.of("read"), "echo.v1.EchoService/Shout", List.of("write")),
        List.of());
    server = ServerBuilder.forPort(0).addService(ServerInterceptors.intercept(new Echo(), guard)).build().start();
    channel = Live.channel("127.0.0.1:" + server.getPort());
  }

  @AfterClass
  public static void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  static EchoServiceGrpc.EchoServiceBlockingStub stub(List<String> scopes) {
    TokenSource source = new TokenSource(Live.client(""), scopes);
    return EchoServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerCallCredentials(source, true));
  }

  static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  static final EchoRequest HI = EchoRequest.newBuilder().setMessage("hi").build();

  @Test
  public void guardAdmitsTheTokenAndExposesTheCaller() {
    EchoResponse r = stub(List.of("read")).echo(HI);
    assertEquals("hi", r.getMessage());
    assertEquals(Live.env("TOKEND_CLIENT_ID"), r.getClientId());
    assertEquals(Live.env("TOKEND_CLIENT_ID"), r.getSubject());
    assertEquals(List.of("read"), r.getScopesList());
  }

  @Test
  public void missingScopeIsPermissionDenied() {
    assertEquals(Status.Code.PERMISSION_DENIED, code(() -> stub(List.of("read")).shout(HI)));
    assertEquals("hi", stub(List.of("read", "write")).shout(HI).getMessage());
  }

  @Test
  public void noOrUnknownTokenIsUnauthenticated() {
    for (String header : new String[] {null, "Bearer not-a-token", "Basic eDp5"}) {
      Metadata md = new Metadata();
      if (header != null) md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), header);
      var plain = EchoServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
      assertEquals(Status.Code.UNAUTHENTICATED, code(() -> plain.echo(HI)));
    }
  }

  @Test
  public void revokedTokenIsRejectedWithinTheCacheTtl() throws Exception {
    TokenClient c = Live.client("");
    TokenSource source = new TokenSource(c, List.of("read"));
    var s = EchoServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerCallCredentials(source, true));
    assertEquals("hi", s.echo(HI).getMessage());
    c.revoke(source.token().accessToken());
    Thread.sleep(1100);
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> s.echo(HI)));
  }

  @Test
  public void bearerTokensNeedTlsByDefault() {
    var s = EchoServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(new BearerCallCredentials(new TokenSource(Live.client(""), List.of("read"))));
    assertEquals(Status.Code.UNAUTHENTICATED, code(() -> s.echo(HI)));
  }
}
