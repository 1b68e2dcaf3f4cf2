package tokend.client;

import java.util.List;

/** Who a verified bearer token speaks for; subject is the user id for password grants, else the client id. */
public record Principal(String subject, String clientId, String username, List<String> scopes, long expiresAt) {}
