package tokend.client;

import java.util.List;

/** Grants client_credentials tokens; a {@link TokenClient} is one. */
public interface Issuer {
  /** The token; throws TokendException on failure. */
  Token issue(List<String> scopes);
}
