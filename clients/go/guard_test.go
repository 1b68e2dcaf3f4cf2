package tokend_test

import (
	"context"
	"net"
	"reflect"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	tokend "tokend.internal/clients/go"
	"tokend.internal/clients/go/internal/echov1"
)

// echo answers with what the guard saw.
type echo struct {
	echov1.UnimplementedEchoServiceServer
}

func (echo) Echo(ctx context.Context, r *echov1.EchoRequest) (*echov1.EchoResponse, error) {
	p, _ := tokend.PrincipalFromContext(ctx)
	return &echov1.EchoResponse{Message: r.Message, Subject: p.Subject, ClientId: p.ClientID, Scopes: p.Scopes}, nil
}

func (e echo) Shout(ctx context.Context, r *echov1.EchoRequest) (*echov1.EchoResponse, error) {
	return e.Echo(ctx, r)
}

// startEcho serves the echo service behind a Guard whose cache keeps answers for 1 s.
func startEcho(t *testing.T) string {
	return startEchoWith(t, tokend.NewIntrospectionVerifier(dial(t, "RS_"), time.Second))
}

// startEchoWith serves the echo service behind a Guard with verifier v.
func startEchoWith(t *testing.T, v tokend.Verifier) string {
	guard := &tokend.Guard{
		Verifier: v,
		RequiredScopes: map[string][]string{
			"/echo.v1.EchoService/Echo":  {"read"},
			"/echo.v1.EchoService/Shout": {"write"},
		},
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(guard.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(guard.StreamServerInterceptor()))
	echov1.RegisterEchoServiceServer(srv, echo{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// echoClient calls addr with bearer tokens from src.
func echoClient(t *testing.T, addr string, src *tokend.TokenSource) echov1.EchoServiceClient {
	opts := []grpc.DialOption{grpc.WithInsecure()}
	if src != nil {
		opts = append(opts, grpc.WithPerRPCCredentials(tokend.BearerCredentials{Source: src, AllowInsecure: true}))
	}
	conn, err := grpc.Dial(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return echov1.NewEchoServiceClient(conn)
}

func TestGuardAdmitsTheTokenAndExposesTheCaller(t *testing.T) {
	addr := startEcho(t)
	c := dial(t, "")
	r, err := echoClient(t, addr, tokend.NewTokenSource(c, "read")).Echo(ctx(t), &echov1.EchoRequest{Message: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Message != "hi" || r.ClientId != c.ClientID || r.Subject != c.ClientID || !reflect.DeepEqual(r.Scopes, []string{"read"}) {
		t.Fatalf("%+v", r)
	}
}

func TestGuardMissingScopeIsPermissionDenied(t *testing.T) {
	addr := startEcho(t)
	c := dial(t, "")
	_, err := echoClient(t, addr, tokend.NewTokenSource(c, "read")).Shout(ctx(t), &echov1.EchoRequest{Message: "hi"})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("%v", err)
	}
	if _, err := echoClient(t, addr, tokend.NewTokenSource(c, "read", "write")).Shout(ctx(t), &echov1.EchoRequest{}); err != nil {
		t.Fatal(err)
	}
}

func TestGuardRejectsNoOrUnknownToken(t *testing.T) {
	stub := echoClient(t, startEcho(t), nil)
	for _, header := range []string{"", "Bearer not-a-token", "Basic eDp5"} {
		c := ctx(t)
		if header != "" {
			c = metadata.AppendToOutgoingContext(c, "authorization", header)
		}
		if _, err := stub.Echo(c, &echov1.EchoRequest{}); status.Code(err) != codes.Unauthenticated {
			t.Fatalf("%q: %v", header, err)
		}
	}
}

func TestGuardRejectsARevokedTokenWithinTheCacheTTL(t *testing.T) {
	addr := startEcho(t)
	c := dial(t, "")
	src := tokend.NewTokenSource(c, "read")
	stub := echoClient(t, addr, src)
	if _, err := stub.Echo(ctx(t), &echov1.EchoRequest{}); err != nil {
		t.Fatal(err)
	}
	tok, _ := src.Token(ctx(t))
	if err := c.Revoke(ctx(t), tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := stub.Echo(ctx(t), &echov1.EchoRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("revoked token: %v", err)
	}
}

func TestBearerCredentialsNeedTLSUnlessAllowed(t *testing.T) {
	if (tokend.BearerCredentials{}).RequireTransportSecurity() != true {
		t.Fatal("bearer tokens must not travel in clear text by default")
	}
}
