package tokend

import (
	"context"

	"google.golang.org/grpc/credentials"
)

// BearerCredentials puts `authorization: Bearer <token>` from a TokenSource on
// every outgoing call: grpc.WithPerRPCCredentials(tokend.BearerCredentials{Source: src}).
// gRPC sends them only over TLS unless AllowInsecure is set (loopback, tests).
// When no token can be had the call fails with the source's *Error.
type BearerCredentials struct {
	Source        *TokenSource
	AllowInsecure bool
}

var _ credentials.PerRPCCredentials = BearerCredentials{}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (b BearerCredentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	tok, err := b.Source.Token(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + tok.AccessToken}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials.
func (b BearerCredentials) RequireTransportSecurity() bool { return !b.AllowInsecure }
