package tokend.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** The README's example (extracted by test.sh into ReadmeExample.java and compiled) runs as written. */
public class ReadmeTest {
  @Test
  public void readmeExampleRuns() throws Exception {
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), "ReadmeExample").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(out, 0, p.waitFor());
    assertTrue(out, out.contains("active: true scopes: read"));
  }
}
