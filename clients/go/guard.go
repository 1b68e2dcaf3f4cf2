package tokend

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Principal is who a verified bearer token speaks for.
type Principal struct {
	Subject   string // the user id for password grants, else the client id
	ClientID  string
	Username  string
	Scopes    []string
	ExpiresAt time.Time
}

// HasScope tells whether the token carries scope.
func (p *Principal) HasScope(scope string) bool {
	for _, s := range p.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Verifier checks a bearer token: a Principal when it is active, (nil, nil)
// when it is not, an error when it cannot tell now.
type Verifier interface {
	Verify(ctx context.Context, token string) (*Principal, error)
}

type cached struct {
	p     *Principal
	until time.Time
}

// IntrospectionVerifier verifies opaque tokens through tokend's Introspect
// with a short positive cache: only active answers are kept, for TTL at most
// (never past the token's exp), so a revoked token is refused within TTL.
// The client must hold the `introspect` permission.
type IntrospectionVerifier struct {
	client     *TokenClient
	ttl        time.Duration
	maxEntries int
	now        func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]cached
}

// NewIntrospectionVerifier caches active answers for ttl (e.g. 5 s).
func NewIntrospectionVerifier(client *TokenClient, ttl time.Duration) *IntrospectionVerifier {
	return &IntrospectionVerifier{client: client, ttl: ttl, maxEntries: 10000, now: time.Now,
		cache: map[[32]byte]cached{}}
}

// Verify implements Verifier.
func (v *IntrospectionVerifier) Verify(ctx context.Context, token string) (*Principal, error) {
	key := sha256.Sum256([]byte(token))
	now := v.now()
	v.mu.Lock()
	if c, ok := v.cache[key]; ok && now.Before(c.until) {
		v.mu.Unlock()
		return c.p, nil
	}
	v.mu.Unlock()
	info, err := v.client.Introspect(ctx, token)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if !info.Active {
		delete(v.cache, key)
		return nil, nil
	}
	subject := info.Sub
	if subject == "" {
		subject = info.ClientID
	}
	p := &Principal{Subject: subject, ClientID: info.ClientID, Username: info.Username,
		Scopes: info.Scopes(), ExpiresAt: time.Unix(info.Exp, 0)}
	until := now.Add(v.ttl)
	if info.Exp != 0 && p.ExpiresAt.Before(until) {
		until = p.ExpiresAt
	}
	if len(v.cache) >= v.maxEntries {
		for k, c := range v.cache {
			if !now.Before(c.until) {
				delete(v.cache, k)
			}
		}
		if len(v.cache) >= v.maxEntries {
			v.cache = map[[32]byte]cached{}
		}
	}
	v.cache[key] = cached{p, until}
	return p, nil
}

// Guard admits only calls with a valid bearer token. RequiredScopes maps a
// full method name ("/echo.v1.EchoService/Echo") to the scopes its token must
// all hold; other methods need DefaultScopes. A missing, malformed or inactive
// token answers Unauthenticated, a missing scope PermissionDenied, a verifier
// that cannot tell Unavailable. Handlers read the caller with
// PrincipalFromContext.
type Guard struct {
	Verifier       Verifier
	RequiredScopes map[string][]string
	DefaultScopes  []string
}

type principalKey struct{}

// PrincipalFromContext is the caller admitted by a Guard.
func PrincipalFromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

// Authorize checks the bearer token of an incoming call; the error is a gRPC
// status error to answer with.
func (g *Guard) Authorize(ctx context.Context, fullMethod string) (*Principal, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	var header string
	if v := md.Get("authorization"); len(v) > 0 {
		header = v[0]
	}
	scheme, token, _ := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "bearer") || token == "" {
		return nil, status.Error(codes.Unauthenticated, "a bearer token is required")
	}
	p, err := g.Verifier.Verify(ctx, token)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "cannot verify the token now: %v", err)
	}
	if p == nil {
		return nil, status.Error(codes.Unauthenticated, "the token is not active")
	}
	required, ok := g.RequiredScopes[fullMethod]
	if !ok {
		required = g.DefaultScopes
	}
	for _, s := range required {
		if !p.HasScope(s) {
			return nil, status.Errorf(codes.PermissionDenied, "the token lacks scope %s", s)
		}
	}
	return p, nil
}

// UnaryServerInterceptor guards unary methods: grpc.ChainUnaryInterceptor(g.UnaryServerInterceptor()).
func (g *Guard) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req interface{}, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (interface{}, error) {
		p, err := g.Authorize(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(context.WithValue(ctx, principalKey{}, p), req)
	}
}

// StreamServerInterceptor guards streaming methods.
func (g *Guard) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv interface{}, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		p, err := g.Authorize(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &guardedStream{ss, context.WithValue(ss.Context(), principalKey{}, p)})
	}
}

type guardedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *guardedStream) Context() context.Context { return s.ctx }
