package tokend.client;

import java.util.Optional;

/** Checks a bearer token. */
public interface Verifier {
  /** The principal when active, empty when not; throws TokendException when it cannot tell now. */
  Optional<Principal> verify(String token);
}
