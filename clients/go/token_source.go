package tokend

import (
	"context"
	"math/rand"
	"sync"
	"time"
)

// Issuer grants tokens; *TokenClient is one.
type Issuer interface {
	Issue(ctx context.Context, o IssueOptions) (*Token, error)
}

// TokenSource hands out one client_credentials token to every goroutine, like
// oauth2.ReuseTokenSource, and renews it before it expires:
//
//   - Token answers from the cache until RenewAt (80 %) of the token's life has
//     passed; then the first caller fetches a new token while the others keep
//     the current one. Only one request is in flight at a time.
//   - An expired token is never handed out: a token counts as expired
//     min(10 s, 10 % of its life) early, measured from before it was requested.
//   - After a failed fetch the source backs off (MinBackoff doubling to
//     MaxBackoff, with jitter): meanwhile Token answers the still-valid token,
//     or the last error at once without calling tokend.
//
// Change the exported fields before the first Token call only.
type TokenSource struct {
	RenewAt      float64       // fraction of the life after which to renew; default 0.8
	MinBackoff   time.Duration // default 500 ms
	MaxBackoff   time.Duration // default 30 s
	FetchTimeout time.Duration // per fetch; default 10 s
	Now          func() time.Time

	issuer Issuer
	scopes []string

	mu       sync.Mutex
	tok      *Token
	renew    time.Time
	expiry   time.Time
	inflight chan struct{} // closed when the fetch in flight ends
	failures int
	retry    time.Time
	lastErr  error
}

// NewTokenSource makes a source of client_credentials tokens with the given
// scopes (none: the client's default scopes).
func NewTokenSource(issuer Issuer, scopes ...string) *TokenSource {
	return &TokenSource{RenewAt: 0.8, MinBackoff: 500 * time.Millisecond, MaxBackoff: 30 * time.Second,
		FetchTimeout: 10 * time.Second, Now: time.Now, issuer: issuer, scopes: scopes}
}

// Token returns a valid token, or the error of the last failed fetch. ctx
// bounds only the wait for a fetch another caller started.
func (s *TokenSource) Token(ctx context.Context) (*Token, error) {
	for {
		s.mu.Lock()
		now := s.Now()
		valid := s.tok != nil && now.Before(s.expiry)
		if valid && (now.Before(s.renew) || s.inflight != nil || now.Before(s.retry)) {
			t := s.tok
			s.mu.Unlock()
			return t, nil
		}
		if s.inflight != nil {
			wait := s.inflight
			s.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if now.Before(s.retry) {
			err := s.lastErr
			s.mu.Unlock()
			return nil, err
		}
		done := make(chan struct{})
		s.inflight = done
		s.mu.Unlock()
		return s.fetch(done)
	}
}

func (s *TokenSource) fetch(done chan struct{}) (*Token, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.FetchTimeout)
	defer cancel()
	start := s.Now()
	tok, err := s.issuer.Issue(ctx, IssueOptions{Scopes: s.scopes})
	s.mu.Lock()
	defer s.mu.Unlock()
	defer close(done)
	s.inflight = nil
	if err != nil {
		s.failures++
		backoff := s.MinBackoff << (s.failures - 1)
		if backoff > s.MaxBackoff || backoff <= 0 {
			backoff = s.MaxBackoff
		}
		backoff = time.Duration(float64(backoff) * (0.75 + 0.25*rand.Float64()))
		s.retry = s.Now().Add(backoff)
		s.lastErr = err
		if s.tok != nil && s.Now().Before(s.expiry) {
			return s.tok, nil
		}
		return nil, err
	}
	life := time.Duration(tok.ExpiresIn) * time.Second
	margin := life / 10
	if margin > 10*time.Second {
		margin = 10 * time.Second
	}
	s.tok = tok
	s.renew = start.Add(time.Duration(float64(life) * s.RenewAt))
	s.expiry = start.Add(life - margin)
	s.failures = 0
	s.retry = time.Time{}
	return tok, nil
}
