package tokend_test

import (
	"context"
	"os"
	"testing"
	"time"

	"google.golang.org/grpc"

	tokend "tokend.internal/clients/go"
)

// env reads a setting of the live tokend that tests/clients/clients_e2etest
// started; these tests never skip without one.
func env(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run through tests/clients (ctest -L clients)", name)
	}
	return v
}

// dial connects to tokend as the client whose id and secret are in
// TOKEND_<prefix>CLIENT_ID / _SECRET.
func dial(t *testing.T, prefix string) *tokend.TokenClient {
	t.Helper()
	c, err := tokend.Dial(env(t, "TOKEND_GRPC_ADDR"), env(t, "TOKEND_"+prefix+"CLIENT_ID"),
		env(t, "TOKEND_"+prefix+"CLIENT_SECRET"), grpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}
