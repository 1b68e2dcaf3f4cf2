package tokend.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.grpc.Status;
import java.util.List;
import org.junit.Test;

public class TokenClientTest {
  @Test
  public void issueIntrospectRevoke() {
    TokenClient c = Live.client("");
    Token t = c.issue(List.of("read", "write"));
    assertEquals("Bearer", t.tokenType());
    assertEquals(List.of("read", "write"), t.scopes());
    assertTrue(t.refreshToken().isEmpty() && t.expiresIn() > 0);
    Introspection info = c.introspect(t.accessToken());
    assertTrue(info.active());
    assertEquals(Live.env("TOKEND_CLIENT_ID"), info.clientId());
    c.revoke(t.accessToken());
    assertFalse(c.introspect(t.accessToken()).active());
    c.revoke("never-issued");
  }

  @Test
  public void passwordRefreshAndSpentRefreshToken() {
    TokenClient c = Live.client("");
    Token t = c.issue(List.of(), Live.env("TOKEND_USERNAME"), Live.env("TOKEND_PASSWORD"));
    assertFalse(t.refreshToken().isEmpty());
    Token next = c.refresh(t.refreshToken());
    assertNotEquals(t.accessToken(), next.accessToken());
    assertEquals(Live.env("TOKEND_USERNAME"), c.introspect(next.accessToken()).username());
    TokendException e = assertThrows(TokendException.class, () -> c.refresh(t.refreshToken()));
    assertEquals("invalid_grant", e.oauthError());
    assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
  }

  @Test
  public void wrongSecretIsInvalidClient() {
    TokenClient bad = new TokenClient(Live.channel(Live.env("TOKEND_GRPC_ADDR")), Live.env("TOKEND_CLIENT_ID"), "nope");
    TokendException e = assertThrows(TokendException.class, () -> bad.issue(List.of()));
    assertEquals("invalid_client", e.oauthError());
    assertEquals(Status.Code.UNAUTHENTICATED, e.code());
    assertFalse(e.description().isEmpty());
  }

  @Test
  public void unreachableTokendIsUnavailable() {
    TokenClient dead = new TokenClient(Live.channel("127.0.0.1:1"), "x", "y", 2000);
    TokendException e = assertThrows(TokendException.class, () -> dead.issue(List.of()));
    assertEquals(Status.Code.UNAVAILABLE, e.code());
    assertEquals("", e.oauthError());
  }

  @Test
  public void basicCredentialsAreFormEncoded() {
    assertEquals("Basic YStiOnglM0F5JTJGJUMzJUE5", TokenClient.basicAuthorization("a b", "x:y/é"));
  }
}
