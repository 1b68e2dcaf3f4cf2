// Package tokend is the Go client of tokend: a TokenClient for the
// TokenService, a caching TokenSource, bearer PerRPCCredentials for outgoing
// gRPC calls, and a Guard that checks incoming bearer tokens on resource
// servers. The generated stubs live in tokend.internal/clients/go/tokendv1.
package tokend

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"tokend.internal/clients/go/tokendv1"
)

// Error is a failed tokend call: the gRPC status code and the exact RFC 6749
// §5.2 code ("invalid_client", "invalid_grant", ...), which is empty when
// tokend sent none (e.g. Code is Unavailable because it could not be reached).
type Error struct {
	Code        codes.Code
	OAuthCode   string
	Description string
}

func (e *Error) Error() string {
	if e.OAuthCode == "" {
		return fmt.Sprintf("tokend: %s: %s", e.Code, e.Description)
	}
	return fmt.Sprintf("tokend: %s: %s", e.OAuthCode, e.Description)
}

// ErrorFromStatus decodes the OAuthError that tokend puts in the
// grpc-status-details-bin trailer of a failed call.
func ErrorFromStatus(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	st := status.Convert(err)
	out := &Error{Code: st.Code(), Description: st.Message()}
	for _, d := range st.Proto().GetDetails() {
		var oauth tokendv1.OAuthError
		if d.GetTypeUrl() == "type.googleapis.com/tokend.v1.OAuthError" && proto.Unmarshal(d.GetValue(), &oauth) == nil {
			out.OAuthCode, out.Description = oauth.GetError(), oauth.GetErrorDescription()
		}
	}
	return out
}

// Token is an issued token (RFC 6749 §5.1).
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string // empty for client_credentials
	Scope        string // space separated
	ExpiresIn    int64  // seconds
	// Expiry is the local time at which the token ends, counted from just
	// before it was requested.
	Expiry time.Time
}

// Scopes splits Scope.
func (t *Token) Scopes() []string { return strings.Fields(t.Scope) }

// Introspection is tokend's RFC 7662 answer; an expired, revoked or unknown
// token has only Active == false.
type Introspection struct {
	Active    bool
	Scope     string
	ClientID  string
	Username  string
	TokenType string
	Exp, Iat  int64
	Sub       string
	Aud       string
	Iss       string
	Jti       string
}

// Scopes splits Scope.
func (i *Introspection) Scopes() []string { return strings.Fields(i.Scope) }

// IssueOptions selects the grant: client_credentials, or password when
// Username is set. Empty Scopes means the client's default scopes.
type IssueOptions struct {
	Scopes             []string
	Username, Password string
	Audience           string
}

// TokenClient calls tokend's TokenService as one OAuth client. Every method
// returns an *Error on failure. Safe for concurrent use.
type TokenClient struct {
	ClientID string
	stub     tokendv1.TokenServiceClient
	auth     string
	close    func() error
}

// NewTokenClient uses an existing connection to tokend.
func NewTokenClient(conn grpc.ClientConnInterface, clientID, clientSecret string) *TokenClient {
	return &TokenClient{ClientID: clientID, stub: tokendv1.NewTokenServiceClient(conn),
		auth: BasicAuthorization(clientID, clientSecret), close: func() error { return nil }}
}

// Dial connects to tokend at target; pass grpc.WithInsecure() or
// grpc.WithTransportCredentials(...). Close releases the connection.
func Dial(target, clientID, clientSecret string, opts ...grpc.DialOption) (*TokenClient, error) {
	conn, err := grpc.Dial(target, opts...)
	if err != nil {
		return nil, err
	}
	c := NewTokenClient(conn, clientID, clientSecret)
	c.close = conn.Close
	return c, nil
}

// Close closes the connection Dial opened.
func (c *TokenClient) Close() error { return c.close() }

func (c *TokenClient) ctx(ctx context.Context) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", c.auth)
}

// Issue grants a token: RFC 6749 §4.4 client_credentials, or §4.3 password.
func (c *TokenClient) Issue(ctx context.Context, o IssueOptions) (*Token, error) {
	req := &tokendv1.IssueTokenRequest{Scopes: o.Scopes, Audience: o.Audience}
	if o.Username != "" {
		req.Grant = &tokendv1.IssueTokenRequest_Password{Password: &tokendv1.PasswordGrant{Username: o.Username, Password: o.Password}}
	} else {
		req.Grant = &tokendv1.IssueTokenRequest_ClientCredentials{ClientCredentials: &tokendv1.ClientCredentialsGrant{}}
	}
	start := time.Now()
	r, err := c.stub.IssueToken(c.ctx(ctx), req)
	if err != nil {
		return nil, ErrorFromStatus(err)
	}
	return newToken(start, r.GetAccessToken(), r.GetTokenType(), r.GetRefreshToken(), r.GetScope(), r.GetExpiresIn()), nil
}

// Refresh spends a refresh token (RFC 6749 §6) for a new access and refresh
// token; a spent one answers invalid_grant.
func (c *TokenClient) Refresh(ctx context.Context, refreshToken string, scopes ...string) (*Token, error) {
	start := time.Now()
	r, err := c.stub.Refresh(c.ctx(ctx), &tokendv1.RefreshRequest{RefreshToken: refreshToken, Scopes: scopes})
	if err != nil {
		return nil, ErrorFromStatus(err)
	}
	return newToken(start, r.GetAccessToken(), r.GetTokenType(), r.GetRefreshToken(), r.GetScope(), r.GetExpiresIn()), nil
}

// Introspect tells whether a token is active (RFC 7662); an inactive token is
// an answer, not an error.
func (c *TokenClient) Introspect(ctx context.Context, token string) (*Introspection, error) {
	r, err := c.stub.Introspect(c.ctx(ctx), &tokendv1.IntrospectRequest{Token: token})
	if err != nil {
		return nil, ErrorFromStatus(err)
	}
	return &Introspection{Active: r.GetActive(), Scope: r.GetScope(), ClientID: r.GetClientId(),
		Username: r.GetUsername(), TokenType: r.GetTokenType(), Exp: r.GetExp(), Iat: r.GetIat(),
		Sub: r.GetSub(), Aud: r.GetAud(), Iss: r.GetIss(), Jti: r.GetJti()}, nil
}

// Revoke revokes a token (RFC 7009); an unknown token is not an error.
func (c *TokenClient) Revoke(ctx context.Context, token string) error {
	if _, err := c.stub.Revoke(c.ctx(ctx), &tokendv1.RevokeRequest{Token: token}); err != nil {
		return ErrorFromStatus(err)
	}
	return nil
}

func newToken(start time.Time, access, typ, refresh, scope string, expiresIn int64) *Token {
	return &Token{AccessToken: access, TokenType: typ, RefreshToken: refresh, Scope: scope,
		ExpiresIn: expiresIn, Expiry: start.Add(time.Duration(expiresIn) * time.Second)}
}

// BasicAuthorization is the authorization metadata value of RFC 6749 §2.3.1:
// Basic base64(formurlencode(id) ":" formurlencode(secret)).
func BasicAuthorization(clientID, clientSecret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(formEncode(clientID)+":"+formEncode(clientSecret)))
}

func formEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '*':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
