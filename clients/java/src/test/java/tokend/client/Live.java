package tokend.client;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/** The live tokend and OAuth clients that tests/clients set up; tests fail (never skip) without them. */
final class Live {
  private Live() {}

  static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isEmpty()) throw new IllegalStateException(name + " is not set: run through tests/clients");
    return v;
  }

  static ManagedChannel channel(String address) {
    return ManagedChannelBuilder.forTarget(address).usePlaintext().build();
  }

  /** The client whose id and secret are in TOKEND_<prefix>CLIENT_ID / _SECRET. */
  static TokenClient client(String prefix) {
    return new TokenClient(channel(env("TOKEND_GRPC_ADDR")), env("TOKEND_" + prefix + "CLIENT_ID"),
        env("TOKEND_" + prefix + "CLIENT_SECRET"));
  }
}
