package tokend.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.Test;

public class TokenSourceTest {
  /** Counts issue() calls; answers from a list (a Token or an exception), the last one repeating. */
  static final class Scripted implements Issuer {
    final AtomicInteger calls = new AtomicInteger();
    private final List<Object> answers;
    private final Issuer inner;

    Scripted(Issuer inner, Object... answers) {
      this.inner = inner;
      this.answers = new ArrayList<>(List.of(answers));
    }

    @Override
    public synchronized Token issue(List<String> scopes) {
      calls.incrementAndGet();
      if (inner != null) return inner.issue(scopes);
      Object a = answers.size() > 1 ? answers.remove(0) : answers.get(0);
      if (a instanceof RuntimeException e) throw e;
      return (Token) a;
    }
  }

  static final TokendException DOWN = new TokendException(Status.Code.UNAVAILABLE, "", "connection refused");

  @Test
  public void renewsAShortLivedTokenBeforeItExpires() throws Exception {
    TokenClient shortClient = Live.client("SHORT_");
    Scripted counting = new Scripted(shortClient);
    TokenSource source = new TokenSource(counting, List.of());
    Token first = source.token();
    assertEquals(4, first.expiresIn());
    assertSame(first, source.token());
    Thread.sleep(3300); // past 80 % of 4 s
    Token second = source.token();
    assertNotEquals(first.accessToken(), second.accessToken());
    assertEquals(2, counting.calls.get());
    assertTrue(shortClient.introspect(second.accessToken()).active());
  }

  @Test
  public void oneRequestInFlightForManyThreads() throws Exception {
    Scripted counting = new Scripted(Live.client(""));
    TokenSource source = new TokenSource(counting, List.of("read"));
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 16; i++) threads.add(new Thread(() -> got.add(source.token().accessToken())));
    for (Thread t : threads) t.start();
    for (Thread t : threads) t.join();
    assertEquals(1, new HashSet<>(got).size());
    assertEquals(16, got.size());
    assertEquals(1, counting.calls.get());
  }

  @Test
  public void backsOffWhileTokendIsDown() {
    AtomicLong now = new AtomicLong(1_000_000_000_000L);
    Scripted counting = new Scripted(null, DOWN);
    TokenSource source = new TokenSource(counting, List.of(), now::get);
    long ms = 1_000_000L;
    long[][] steps = {{0, 1}, {300, 1}, {250, 2}, {700, 2}, {350, 3}}; // backoffs 375-500, 750-1000 ms
    for (long[] step : steps) {
      now.addAndGet(step[0] * ms);
      assertThrows(TokendException.class, source::token);
      assertEquals(step[1], counting.calls.get());
    }
  }

  @Test
  public void keepsTheValidTokenWhileDownButNeverAnExpiredOne() {
    AtomicLong now = new AtomicLong(1_000_000_000_000L);
    Scripted counting = new Scripted(null, new Token("a", "Bearer", 100, "", "read"), DOWN);
    TokenSource source = new TokenSource(counting, List.of(), now::get);
    long s = 1_000_000_000L;
    assertEquals("a", source.token().accessToken());
    now.addAndGet(85 * s); // renewal due, and it fails
    assertEquals("a", source.token().accessToken());
    assertEquals(2, counting.calls.get());
    now.addAndGet(4 * s);
    assertEquals("a", source.token().accessToken());
    now.addAndGet(2 * s); // past 90 s (100 s less 10 s)
    assertThrows(TokendException.class, source::token);
  }
}
