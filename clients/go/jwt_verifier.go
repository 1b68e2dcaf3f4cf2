package tokend

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"tokend.internal/clients/go/tokendv1"
)

// MaxJWTBytes is the largest token a JWTVerifier accepts (8 KiB), as tokend.
const MaxJWTBytes = 8 * 1024

// retryAfterFailure: with no keys at all, refetch at most this often.
const retryAfterFailure = time.Second

// JWTError is a refused JWT. Reason is tokend's name for the failed check:
// too_large, malformed, wrong_type, unsupported_algorithm, unknown_key,
// algorithm_mismatch, bad_signature, expired, not_yet_valid, wrong_issuer or
// wrong_audience.
type JWTError struct {
	Reason  string
	Message string
}

func (e *JWTError) Error() string { return "tokend: jwt " + e.Reason + ": " + e.Message }

func jwtErr(reason, message string) error { return &JWTError{reason, message} }

// JWKSSource returns tokend's JWK Set document.
type JWKSSource func(ctx context.Context) (string, error)

// JWKSFromConn calls tokend's GetJwks RPC (no client credentials needed) on conn.
func JWKSFromConn(conn grpc.ClientConnInterface) JWKSSource {
	stub := tokendv1.NewTokenServiceClient(conn)
	return func(ctx context.Context) (string, error) {
		r, err := stub.GetJwks(ctx, &tokendv1.GetJwksRequest{})
		if err != nil {
			return "", ErrorFromStatus(err)
		}
		return r.GetJwksJson(), nil
	}
}

// JWTOptions configures a JWTVerifier; zero durations take the defaults.
type JWTOptions struct {
	Issuer   string // tokend's issuer; required
	Audience string // this resource server; empty: aud is not checked
	// Leeway is the clock skew allowed on exp and nbf (default 30 s).
	Leeway time.Duration
	// MinRefetchInterval: a token with an unknown kid refetches the key set at
	// most this often (default 30 s).
	MinRefetchInterval time.Duration
	// MaxCacheAge: the key set is refetched when older (default 5 min).
	MaxCacheAge time.Duration
	Now         func() time.Time // default time.Now
}

// JWTVerifier is the Guard's Verifier for tokend's JWT access tokens (RFC
// 9068), checked offline against tokend's JWKS with tokend's own rules
// (services/jwt/jwt_verifier.cc): alg ES256, EdDSA or RS256 only; typ at+jwt;
// no crit; a published kid whose alg matches; the signature; the claims iss,
// sub, exp, iat, jti and client_id present; exp and nbf within the leeway; iss
// equal to the issuer; aud naming the audience. A token with an unknown kid
// refetches the key set (rate-limited), so a key rotation needs no restart.
// A signature cannot tell that a token was revoked after it was issued: where
// that matters, use the IntrospectionVerifier. Safe for concurrent use.
type JWTVerifier struct {
	source JWKSSource
	opts   JWTOptions

	fetching sync.Mutex // one fetch at a time
	mu       sync.Mutex
	keys     *keySet // nil until a fetch succeeds; replaced, never changed
	fetched  time.Time
	tried    time.Time
	lastErr  error
}

type jwk struct {
	alg string
	key crypto.PublicKey
}

// keySet is one fetched JWKS: its usable keys by kid.
type keySet struct{ byKid map[string]jwk }

// NewJWTVerifier verifies tokens against the key set source returns, e.g.
// JWKSFromConn(conn). It fetches lazily; call Refresh to fetch at start-up.
func NewJWTVerifier(source JWKSSource, opts JWTOptions) (*JWTVerifier, error) {
	if opts.Issuer == "" {
		return nil, errors.New("tokend: JWTOptions.Issuer is required")
	}
	if opts.Leeway == 0 {
		opts.Leeway = 30 * time.Second
	}
	if opts.MinRefetchInterval == 0 {
		opts.MinRefetchInterval = 30 * time.Second
	}
	if opts.MaxCacheAge == 0 {
		opts.MaxCacheAge = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &JWTVerifier{source: source, opts: opts}, nil
}

// Verify implements Verifier: the principal (Username is empty: JWTs carry
// none), (nil, nil) for a refused token, an error when no key set could be
// fetched at all.
func (v *JWTVerifier) Verify(ctx context.Context, token string) (*Principal, error) {
	p, err := v.VerifyJWT(ctx, token)
	var refused *JWTError
	if errors.As(err, &refused) {
		return nil, nil
	}
	return p, err
}

// VerifyJWT is Verify that says why: a *JWTError for a refused token, an
// *Error (Unavailable) when no key set could be fetched.
func (v *JWTVerifier) VerifyJWT(ctx context.Context, token string) (*Principal, error) {
	if len(token) > MaxJWTBytes {
		return nil, jwtErr("too_large", "the token exceeds 8 KiB")
	}
	keys := v.currentKeys(ctx)
	if keys == nil {
		return nil, v.unavailable("no JWKS could be fetched")
	}
	p, err := v.check(token, keys)
	var refused *JWTError
	if errors.As(err, &refused) && refused.Reason == "unknown_key" {
		// A rotation not seen yet?
		if fresh := v.refetch(ctx, v.opts.MinRefetchInterval); fresh != keys {
			return v.check(token, fresh)
		}
	}
	return p, err
}

// Refresh fetches the key set now (e.g. at start-up).
func (v *JWTVerifier) Refresh(ctx context.Context) error {
	v.mu.Lock()
	before := v.keys
	v.mu.Unlock()
	if after := v.refetch(ctx, 0); after == nil || after == before {
		return v.unavailable("the JWKS could not be fetched")
	}
	return nil
}

func (v *JWTVerifier) unavailable(what string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return &Error{Code: codes.Unavailable, Description: fmt.Sprintf("%s: %v", what, v.lastErr)}
}

func (v *JWTVerifier) currentKeys(ctx context.Context) *keySet {
	v.mu.Lock()
	if v.keys != nil && v.opts.Now().Sub(v.fetched) < v.opts.MaxCacheAge {
		defer v.mu.Unlock()
		return v.keys
	}
	v.mu.Unlock()
	return v.refetch(ctx, retryAfterFailure)
}

// refetch fetches unless a fetch started within minInterval and returns the
// keys now held (a failed fetch keeps the previous ones).
func (v *JWTVerifier) refetch(ctx context.Context, minInterval time.Duration) *keySet {
	v.fetching.Lock()
	defer v.fetching.Unlock()
	now := v.opts.Now()
	v.mu.Lock()
	if !v.tried.IsZero() && now.Sub(v.tried) < minInterval {
		defer v.mu.Unlock()
		return v.keys
	}
	v.tried = now
	v.mu.Unlock()
	doc, err := v.source(ctx)
	var keys *keySet
	if err == nil {
		keys, err = parseJWKS([]byte(doc))
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if err != nil {
		v.lastErr = err
		return v.keys
	}
	v.keys, v.fetched = keys, now
	return keys
}

// b64url decodes unpadded, canonical base64url (RFC 7515 §2).
func b64url(s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, false
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return b, err == nil
}

// jsonObject parses a JSON object starting with "{" (as tokend does),
// keeping numbers exact.
func jsonObject(raw []byte) (map[string]interface{}, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]interface{}
	if d.Decode(&m) != nil || m == nil {
		return nil, false
	}
	if _, err := d.Token(); err != io.EOF { // trailing data
		return nil, false
	}
	return m, true
}

// intMember is a JSON number that is a whole number within ±9e15, as tokend
// reads NumericDate.
func intMember(m map[string]interface{}, name string) (int64, bool) {
	n, ok := m[name].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f != math.Floor(f) || math.Abs(f) > 9e15 {
		return 0, false
	}
	return int64(f), true
}

func stringMember(m map[string]interface{}, name string) (string, bool) {
	s, ok := m[name].(string)
	return s, ok
}

func bytesMember(m map[string]interface{}, name string) []byte {
	s, _ := stringMember(m, name)
	b, _ := b64url(s)
	return b
}

// publicKey reads a published JWK with tokend's FromJwk rules; false when
// it is unusable.
func publicKey(m map[string]interface{}) (string, jwk, bool) {
	kid, ok1 := stringMember(m, "kid")
	alg, ok2 := stringMember(m, "alg")
	kty, ok3 := stringMember(m, "kty")
	if !ok1 || !ok2 || !ok3 || kid == "" {
		return "", jwk{}, false
	}
	if use, ok := stringMember(m, "use"); ok && use != "sig" {
		return "", jwk{}, false
	}
	if _, private := m["d"]; private {
		return "", jwk{}, false
	}
	crv, _ := stringMember(m, "crv")
	switch {
	case alg == "ES256" && kty == "EC" && crv == "P-256":
		x, y := bytesMember(m, "x"), bytesMember(m, "y")
		if len(x) != 32 || len(y) != 32 {
			return "", jwk{}, false
		}
		pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}
		if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
			return "", jwk{}, false
		}
		return kid, jwk{alg, pub}, true
	case alg == "EdDSA" && kty == "OKP" && crv == "Ed25519":
		x := bytesMember(m, "x")
		if len(x) != ed25519.PublicKeySize {
			return "", jwk{}, false
		}
		return kid, jwk{alg, ed25519.PublicKey(x)}, true
	case alg == "RS256" && kty == "RSA":
		n, e := new(big.Int).SetBytes(bytesMember(m, "n")), new(big.Int).SetBytes(bytesMember(m, "e"))
		if n.BitLen() < 2048 || !e.IsInt64() || e.Int64() < 3 || e.Int64() > math.MaxInt32 || e.Bit(0) == 0 {
			return "", jwk{}, false
		}
		return kid, jwk{alg, &rsa.PublicKey{N: n, E: int(e.Int64())}}, true
	}
	return "", jwk{}, false
}

// parseJWKS reads the usable keys of a JWK Set; keys tokend would refuse
// are skipped. An error when the document has no "keys" array.
func parseJWKS(doc []byte) (*keySet, error) {
	m, ok := jsonObject(doc)
	list, isList := m["keys"].([]interface{})
	if !ok || !isList {
		return nil, errors.New(`tokend: a JWKS needs a "keys" array`)
	}
	keys := map[string]jwk{}
	for _, item := range list {
		if obj, ok := item.(map[string]interface{}); ok {
			if kid, k, ok := publicKey(obj); ok {
				keys[kid] = k
			}
		}
	}
	return &keySet{keys}, nil
}

func signatureOK(k jwk, signed, sig []byte) bool {
	digest := sha256.Sum256(signed)
	switch pub := k.key.(type) {
	case *ecdsa.PublicKey:
		if len(sig) != 64 {
			return false
		}
		return ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	case ed25519.PublicKey:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, signed, sig)
	case *rsa.PublicKey:
		return len(sig) == pub.Size() && rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
	}
	return false
}

func (v *JWTVerifier) check(token string, keys *keySet) (*Principal, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, jwtErr("malformed", "not a compact JWS")
	}
	headerRaw, ok1 := b64url(parts[0])
	payloadRaw, ok2 := b64url(parts[1])
	sig, ok3 := b64url(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return nil, jwtErr("malformed", "not a compact JWS")
	}
	header, ok := jsonObject(headerRaw)
	if !ok {
		return nil, jwtErr("malformed", "the header is not a JSON object")
	}
	alg, _ := stringMember(header, "alg")
	if alg != "ES256" && alg != "EdDSA" && alg != "RS256" {
		return nil, jwtErr("unsupported_algorithm", "unsupported alg")
	}
	if typ, _ := stringMember(header, "typ"); typ != "at+jwt" && typ != "application/at+jwt" {
		return nil, jwtErr("wrong_type", "typ is not at+jwt")
	}
	if _, crit := header["crit"]; crit {
		return nil, jwtErr("malformed", "critical header parameters are not supported")
	}
	kid, hasKid := stringMember(header, "kid")
	key, found := keys.byKid[kid]
	if !hasKid || !found {
		return nil, jwtErr("unknown_key", "no published key has this kid")
	}
	if key.alg != alg {
		return nil, jwtErr("algorithm_mismatch", "alg differs from the key's")
	}
	if !signatureOK(key, []byte(parts[0]+"."+parts[1]), sig) {
		return nil, jwtErr("bad_signature", "the signature does not verify")
	}
	claims, ok := jsonObject(payloadRaw)
	if !ok {
		return nil, jwtErr("malformed", "the payload is not a JSON object")
	}
	return v.principal(claims)
}

func (v *JWTVerifier) principal(c map[string]interface{}) (*Principal, error) {
	malformed := jwtErr("malformed", "a required claim is missing or mistyped")
	iss, ok1 := stringMember(c, "iss")
	sub, ok2 := stringMember(c, "sub")
	_, ok3 := stringMember(c, "jti")
	clientID, ok4 := stringMember(c, "client_id")
	exp, ok5 := intMember(c, "exp")
	iat, ok6 := intMember(c, "iat")
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return nil, malformed
	}
	nbf := iat
	if _, has := c["nbf"]; has {
		if nbf, ok1 = intMember(c, "nbf"); !ok1 {
			return nil, malformed
		}
	}
	scope := ""
	if _, has := c["scope"]; has {
		if scope, ok1 = stringMember(c, "scope"); !ok1 {
			return nil, malformed
		}
	}
	var aud []string
	switch a := c["aud"].(type) {
	case nil:
		if _, has := c["aud"]; has {
			return nil, malformed
		}
	case string:
		aud = []string{a}
	case []interface{}:
		for _, item := range a {
			s, ok := item.(string)
			if !ok {
				return nil, malformed
			}
			aud = append(aud, s)
		}
	default:
		return nil, malformed
	}
	now := v.opts.Now()
	if !time.Unix(exp, 0).Add(v.opts.Leeway).After(now) {
		return nil, jwtErr("expired", "the token has expired")
	}
	if time.Unix(nbf, 0).Add(-v.opts.Leeway).After(now) {
		return nil, jwtErr("not_yet_valid", "the token is not valid yet")
	}
	if iss != v.opts.Issuer {
		return nil, jwtErr("wrong_issuer", "iss is not the expected issuer")
	}
	if v.opts.Audience != "" && !contains(aud, v.opts.Audience) {
		return nil, jwtErr("wrong_audience", "aud does not name this audience")
	}
	return &Principal{Subject: sub, ClientID: clientID, Scopes: strings.Fields(scope),
		ExpiresAt: time.Unix(exp, 0)}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
