package tokend_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	tokend "tokend.internal/clients/go"
)

// counting wraps an Issuer and counts Issue calls.
type counting struct {
	inner tokend.Issuer
	calls int32
}

func (c *counting) Issue(ctx context.Context, o tokend.IssueOptions) (*tokend.Token, error) {
	atomic.AddInt32(&c.calls, 1)
	return c.inner.Issue(ctx, o)
}

// fake answers from a list: a token, or an error; the last answer repeats.
type fake struct {
	mu      sync.Mutex
	answers []interface{}
}

func (f *fake) Issue(context.Context, tokend.IssueOptions) (*tokend.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.answers[0]
	if len(f.answers) > 1 {
		f.answers = f.answers[1:]
	}
	if err, ok := a.(error); ok {
		return nil, err
	}
	return a.(*tokend.Token), nil
}

var errDown = &tokend.Error{Code: codes.Unavailable, Description: "connection refused"}

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func TestRenewsAShortLivedTokenBeforeItExpires(t *testing.T) {
	c := &counting{inner: dial(t, "SHORT_")}
	src := tokend.NewTokenSource(c)
	first, err := src.Token(ctx(t))
	if err != nil || first.ExpiresIn != 4 {
		t.Fatalf("%+v %v", first, err)
	}
	if again, _ := src.Token(ctx(t)); again != first || c.calls != 1 {
		t.Fatal("not served from the cache")
	}
	time.Sleep(3300 * time.Millisecond) // past 80 % of 4 s
	second, err := src.Token(ctx(t))
	if err != nil || second.AccessToken == first.AccessToken || c.calls != 2 {
		t.Fatalf("not renewed: %v, %d calls", err, c.calls)
	}
	if info, err := dial(t, "SHORT_").Introspect(ctx(t), second.AccessToken); err != nil || !info.Active {
		t.Fatalf("renewed token %+v %v", info, err)
	}
}

func TestOneRequestInFlight(t *testing.T) {
	c := &counting{inner: dial(t, "")}
	src := tokend.NewTokenSource(c, "read")
	var wg sync.WaitGroup
	tokens := make([]*tokend.Token, 16)
	for i := range tokens {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tokens[i], _ = src.Token(ctx(t))
		}(i)
	}
	wg.Wait()
	for _, tok := range tokens {
		if tok == nil || tok != tokens[0] {
			t.Fatal("goroutines got different tokens")
		}
	}
	if c.calls != 1 {
		t.Fatalf("%d requests", c.calls)
	}
}

func TestBacksOffWhileTokendIsDown(t *testing.T) {
	clk := &clock{time.Unix(1000, 0)}
	c := &counting{inner: &fake{answers: []interface{}{errDown}}}
	src := tokend.NewTokenSource(c)
	src.Now = clk.Now
	step := func(d time.Duration, wantCalls int32) {
		t.Helper()
		clk.now = clk.now.Add(d)
		if _, err := src.Token(ctx(t)); !errors.Is(err, errDown) {
			t.Fatalf("error %v", err)
		}
		if c.calls != wantCalls {
			t.Fatalf("%d calls, want %d", c.calls, wantCalls)
		}
	}
	step(0, 1)
	step(300*time.Millisecond, 1) // first backoff: 375-500 ms
	step(250*time.Millisecond, 2)
	step(700*time.Millisecond, 2) // second backoff: 750-1000 ms
	step(350*time.Millisecond, 3)
}

func TestKeepsTheValidTokenWhileDownButNeverAnExpiredOne(t *testing.T) {
	clk := &clock{time.Unix(1000, 0)}
	c := &counting{inner: &fake{answers: []interface{}{&tokend.Token{AccessToken: "a", ExpiresIn: 100}, errDown}}}
	src := tokend.NewTokenSource(c)
	src.Now = clk.Now
	get := func(d time.Duration) (*tokend.Token, error) {
		clk.now = clk.now.Add(d)
		return src.Token(ctx(t))
	}
	if tok, err := get(0); err != nil || tok.AccessToken != "a" {
		t.Fatal(tok, err)
	}
	if tok, err := get(85 * time.Second); err != nil || tok.AccessToken != "a" || c.calls != 2 {
		t.Fatalf("renewal failed: want the old token: %v %v %d", tok, err, c.calls)
	}
	if tok, err := get(4 * time.Second); err != nil || tok.AccessToken != "a" {
		t.Fatal(tok, err)
	}
	if _, err := get(2 * time.Second); err == nil {
		t.Fatal("handed out a token within 10 s of its expiry")
	}
}
