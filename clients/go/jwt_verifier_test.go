package tokend_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	tokend "tokend.internal/clients/go"
	"tokend.internal/clients/go/internal/echov1"
	"tokend.internal/clients/go/tokendv1"
)

const (
	testIssuer   = "https://tokend.example"
	testAudience = "https://echo.example"
)

var b64 = base64.RawURLEncoding.EncodeToString

// ---- offline: keys made here ----

type testKey struct {
	alg, kid string
	priv     crypto.Signer
}

func sign(t *testing.T, k testKey, header, claims map[string]interface{}) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	signed := b64(h) + "." + b64(c)
	digest := sha256.Sum256([]byte(signed))
	var sig []byte
	var err error
	switch p := k.priv.(type) {
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, p, digest[:])
		if err == nil {
			sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
		}
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, p, crypto.SHA256, digest[:])
	case ed25519.PrivateKey:
		sig = ed25519.Sign(p, []byte(signed))
	}
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + b64(sig)
}

func publicJWK(k testKey) map[string]interface{} {
	m := map[string]interface{}{"kid": k.kid, "alg": k.alg, "use": "sig"}
	switch p := k.priv.(type) {
	case *ecdsa.PrivateKey:
		m["kty"], m["crv"] = "EC", "P-256"
		m["x"], m["y"] = b64(p.X.FillBytes(make([]byte, 32))), b64(p.Y.FillBytes(make([]byte, 32)))
	case *rsa.PrivateKey:
		m["kty"], m["n"], m["e"] = "RSA", b64(p.N.Bytes()), b64(big.NewInt(int64(p.E)).Bytes())
	case ed25519.PrivateKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", b64(p.Public().(ed25519.PublicKey))
	}
	return m
}

var (
	keysOnce  sync.Once
	localKeys map[string]testKey // by alg, plus "small" (RSA 1024) and "private"
	localJWKS string
)

func testKeys(t *testing.T) (map[string]testKey, string) {
	keysOnce.Do(func() {
		ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		rs, _ := rsa.GenerateKey(rand.Reader, 2048)
		small, _ := rsa.GenerateKey(rand.Reader, 1024)
		_, ed, _ := ed25519.GenerateKey(rand.Reader)
		localKeys = map[string]testKey{
			"ES256": {"ES256", "kid-ES256", ec}, "RS256": {"RS256", "kid-RS256", rs},
			"EdDSA": {"EdDSA", "kid-EdDSA", ed}, "small": {"RS256", "small", small},
		}
		var list []interface{}
		for _, name := range []string{"ES256", "RS256", "EdDSA", "small"} {
			list = append(list, publicJWK(localKeys[name]))
		}
		private := publicJWK(testKey{"ES256", "private", ec})
		private["d"] = b64(ec.D.Bytes())
		list = append(list, private)
		doc, _ := json.Marshal(map[string]interface{}{"keys": list})
		localJWKS = string(doc)
	})
	return localKeys, localJWKS
}

func claims(over map[string]interface{}) map[string]interface{} {
	now := time.Now().Unix()
	c := map[string]interface{}{"iss": testIssuer, "sub": "user-1", "aud": testAudience, "exp": now + 300,
		"iat": now, "nbf": now, "jti": "j1", "client_id": "app", "scope": "read write"}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func header(k testKey, over map[string]interface{}) map[string]interface{} {
	h := map[string]interface{}{"alg": k.alg, "typ": "at+jwt", "kid": k.kid}
	for name, v := range over {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	return h
}

func mustJSON(v interface{}) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}

func staticJWKS(doc string) tokend.JWKSSource {
	return func(context.Context) (string, error) { return doc, nil }
}

func newVerifier(t *testing.T, source tokend.JWKSSource, o tokend.JWTOptions) *tokend.JWTVerifier {
	t.Helper()
	v, err := tokend.NewJWTVerifier(source, o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func reason(err error) string {
	var e *tokend.JWTError
	if errors.As(err, &e) {
		return e.Reason
	}
	return fmt.Sprintf("not a JWTError: %v", err)
}

func TestJWTEveryAlgorithmVerifiesAndYieldsThePrincipal(t *testing.T) {
	keys, doc := testKeys(t)
	v := newVerifier(t, staticJWKS(doc), tokend.JWTOptions{Issuer: testIssuer, Audience: testAudience})
	for _, alg := range []string{"ES256", "RS256", "EdDSA"} {
		c := claims(map[string]interface{}{"aud": []string{"other", testAudience}})
		p, err := v.VerifyJWT(context.Background(), sign(t, keys[alg], header(keys[alg], nil), c))
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		want := &tokend.Principal{Subject: "user-1", ClientID: "app", Scopes: []string{"read", "write"},
			ExpiresAt: time.Unix(c["exp"].(int64), 0)}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("%s: %+v", alg, p)
		}
	}
}

func TestJWTEachRefusalNamesTokendCheck(t *testing.T) {
	keys, doc := testKeys(t)
	es := keys["ES256"]
	good := sign(t, es, header(es, nil), claims(nil))
	parts := strings.Split(good, ".")
	h, p, s := parts[0], parts[1], parts[2]
	otherPayload, _ := json.Marshal(claims(map[string]interface{}{"sub": "user-2"}))
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now().Unix()
	with := func(hover, cover map[string]interface{}) string {
		return sign(t, es, header(es, hover), claims(cover))
	}
	hdr := func(over map[string]interface{}) string {
		raw, _ := json.Marshal(header(es, over))
		return b64(raw)
	}
	cases := map[string][]string{
		"too_large": {good + strings.Repeat("A", 8192)},
		"malformed": {h + "." + p, good + ".x", h + "=." + p + "." + s, h + "." + p + "+." + s,
			b64([]byte("not json")) + "." + p + "." + s, h + "\n." + p + "." + s,
			b64([]byte(" "+string(mustJSON(header(es, nil))))) + "." + p + "." + s,
			with(map[string]interface{}{"crit": []string{"exp"}}, nil),
			with(nil, map[string]interface{}{"sub": nil}),
			with(nil, map[string]interface{}{"exp": 1.5}),
			with(nil, map[string]interface{}{"exp": "soon"}),
			with(nil, map[string]interface{}{"aud": []interface{}{testAudience, 7}})},
		"unsupported_algorithm": {hdr(map[string]interface{}{"alg": "none"}) + "." + p + ".",
			hdr(map[string]interface{}{"alg": "HS256"}) + "." + p + "." + s,
			hdr(map[string]interface{}{"alg": nil}) + "." + p + "." + s},
		"wrong_type": {with(map[string]interface{}{"typ": "JWT"}, nil), with(map[string]interface{}{"typ": nil}, nil)},
		"unknown_key": {with(map[string]interface{}{"kid": "nope"}, nil), with(map[string]interface{}{"kid": nil}, nil),
			sign(t, keys["small"], header(keys["small"], nil), claims(nil)),
			with(map[string]interface{}{"kid": "private"}, nil)},
		"algorithm_mismatch": {with(map[string]interface{}{"kid": "kid-RS256"}, nil)},
		"bad_signature": {h + "." + b64(otherPayload) + "." + s, h + "." + p + "." + b64(make([]byte, 64)),
			h + "." + p + "." + b64(make([]byte, 63)),
			sign(t, testKey{"ES256", es.kid, stranger}, header(es, nil), claims(nil))},
		"expired":       {with(nil, map[string]interface{}{"exp": now - 31})},
		"not_yet_valid": {with(nil, map[string]interface{}{"nbf": now + 60})},
		"wrong_issuer":  {with(nil, map[string]interface{}{"iss": testIssuer + "/"})},
		"wrong_audience": {with(nil, map[string]interface{}{"aud": "https://other.example"}),
			with(nil, map[string]interface{}{"aud": nil})},
	}
	v := newVerifier(t, staticJWKS(doc), tokend.JWTOptions{Issuer: testIssuer, Audience: testAudience})
	if _, err := v.VerifyJWT(context.Background(), good); err != nil {
		t.Fatal(err)
	}
	for want, tokens := range cases {
		for _, token := range tokens {
			p, err := v.VerifyJWT(context.Background(), token)
			if p != nil || reason(err) != want {
				t.Errorf("%s: got %v for %.80s", want, err, token)
			}
			if p, err := v.Verify(context.Background(), token); p != nil || err != nil {
				t.Errorf("Verify %s: %v %v", want, p, err)
			}
		}
	}
}

func TestJWTLeewayIsConfigurable(t *testing.T) {
	keys, doc := testKeys(t)
	ed := keys["EdDSA"]
	token := sign(t, ed, header(ed, nil), claims(map[string]interface{}{"exp": time.Now().Unix() - 20}))
	lenient := newVerifier(t, staticJWKS(doc), tokend.JWTOptions{Issuer: testIssuer})
	if _, err := lenient.VerifyJWT(context.Background(), token); err != nil {
		t.Fatalf("within the default 30 s leeway: %v", err)
	}
	strict := newVerifier(t, staticJWKS(doc), tokend.JWTOptions{Issuer: testIssuer, Leeway: 5 * time.Second})
	if _, err := strict.VerifyJWT(context.Background(), token); reason(err) != "expired" {
		t.Fatal(err)
	}
}

func TestJWTUnknownKidRefetchesAtMostOncePerInterval(t *testing.T) {
	keys, doc := testKeys(t)
	published, fetches := `{"keys":[]}`, 0
	offset := time.Duration(0)
	source := func(context.Context) (string, error) { fetches++; return published, nil }
	v := newVerifier(t, source, tokend.JWTOptions{Issuer: testIssuer, Audience: testAudience,
		Now: func() time.Time { return time.Now().Add(offset) }})
	es := keys["ES256"]
	token := sign(t, es, header(es, nil), claims(nil))
	if _, err := v.VerifyJWT(context.Background(), token); reason(err) != "unknown_key" || fetches != 1 {
		t.Fatalf("%v after %d fetches", err, fetches)
	}
	published = doc
	offset = 29 * time.Second
	if p, err := v.Verify(context.Background(), token); p != nil || err != nil || fetches != 1 {
		t.Fatalf("within the interval: %v %v after %d fetches", p, err, fetches)
	}
	offset = 30 * time.Second
	for i := 0; i < 2; i++ {
		if p, err := v.VerifyJWT(context.Background(), token); err != nil || p.Subject != "user-1" || fetches != 2 {
			t.Fatalf("%v after %d fetches", err, fetches)
		}
	}
}

func TestJWTNoKeySetAtAllIsUnavailable(t *testing.T) {
	down := func(context.Context) (string, error) { return "", errors.New("connection refused") }
	v := newVerifier(t, down, tokend.JWTOptions{Issuer: testIssuer})
	var e *tokend.Error
	if _, err := v.Verify(context.Background(), "a.b.c"); !errors.As(err, &e) || e.Code != codes.Unavailable {
		t.Fatalf("%v", err)
	}
	if err := v.Refresh(context.Background()); err == nil {
		t.Fatal("Refresh succeeded without a key set")
	}
	if _, err := tokend.NewJWTVerifier(down, tokend.JWTOptions{}); err == nil {
		t.Fatal("no issuer accepted")
	}
}

// ---- live: JWTs issued by tokend ----

func tokendConn(t *testing.T, addrVar string) *grpc.ClientConn {
	conn, err := grpc.Dial(env(t, addrVar), grpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

type jwtRequest struct {
	audience string
	scopes   []string
	password bool
}

func issueJWT(t *testing.T, r jwtRequest) string {
	t.Helper()
	if r.audience == "" {
		r.audience = testAudience
	}
	req := &tokendv1.IssueTokenRequest{Scopes: r.scopes, Audience: r.audience,
		TokenFormat: tokendv1.TokenFormat_TOKEN_FORMAT_JWT}
	if r.password {
		req.Grant = &tokendv1.IssueTokenRequest_Password{Password: &tokendv1.PasswordGrant{
			Username: env(t, "TOKEND_USERNAME"), Password: env(t, "TOKEND_PASSWORD")}}
	} else {
		req.Grant = &tokendv1.IssueTokenRequest_ClientCredentials{ClientCredentials: &tokendv1.ClientCredentialsGrant{}}
	}
	c := metadata.AppendToOutgoingContext(ctx(t), "authorization",
		tokend.BasicAuthorization(env(t, "TOKEND_CLIENT_ID"), env(t, "TOKEND_CLIENT_SECRET")))
	resp, err := tokendv1.NewTokenServiceClient(tokendConn(t, "TOKEND_GRPC_ADDR")).IssueToken(c, req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(resp.AccessToken, ".") != 2 {
		t.Fatalf("not a JWT: %s", resp.AccessToken)
	}
	return resp.AccessToken
}

func segment(t *testing.T, token string, i int) map[string]interface{} {
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[i])
	var m map[string]interface{}
	if err != nil || json.Unmarshal(raw, &m) != nil {
		t.Fatalf("segment %d of %s", i, token)
	}
	return m
}

// liveClock is real time plus an offset the tests move.
type liveClock struct{ offset atomic.Int64 }

func (c *liveClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// liveVerifier reads tokend's JWKS through GetJwks on clock, counting fetches.
func liveVerifier(t *testing.T, clock *liveClock, fetches *atomic.Int32, issuer string) *tokend.JWTVerifier {
	getJwks := tokend.JWKSFromConn(tokendConn(t, "TOKEND_GRPC_ADDR"))
	return newVerifier(t, func(c context.Context) (string, error) {
		fetches.Add(1)
		return getJwks(c)
	}, tokend.JWTOptions{Issuer: issuer, Audience: testAudience, Now: clock.now})
}

func echoWith(t *testing.T, stub echov1.EchoServiceClient, token, method string) (*echov1.EchoResponse, error) {
	c := metadata.AppendToOutgoingContext(ctx(t), "authorization", "Bearer "+token)
	if method == "Shout" {
		return stub.Shout(c, &echov1.EchoRequest{Message: "hi"})
	}
	return stub.Echo(c, &echov1.EchoRequest{Message: "hi"})
}

func TestJWTFromTokendIsAcceptedAndTheHandlerSeesTheCaller(t *testing.T) {
	var clock liveClock
	var fetches atomic.Int32
	stub := echoClient(t, startEchoWith(t, liveVerifier(t, &clock, &fetches, env(t, "TOKEND_ISSUER"))), nil)
	clientID := env(t, "TOKEND_CLIENT_ID")
	token := issueJWT(t, jwtRequest{scopes: []string{"read", "write"}})
	if typ := segment(t, token, 0)["typ"]; typ != "at+jwt" {
		t.Fatalf("typ %v", typ)
	}
	r, err := echoWith(t, stub, token, "Echo")
	if err != nil || r.Message != "hi" || r.Subject != clientID || r.ClientId != clientID ||
		!reflect.DeepEqual(r.Scopes, []string{"read", "write"}) {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := echoWith(t, stub, token, "Shout"); err != nil {
		t.Fatal(err)
	}
	readOnly := issueJWT(t, jwtRequest{scopes: []string{"read"}})
	if _, err := echoWith(t, stub, readOnly, "Shout"); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("read-only token on Shout: %v", err)
	}
	user := issueJWT(t, jwtRequest{password: true})
	userID := segment(t, user, 1)["sub"]
	r, err = echoWith(t, stub, user, "Echo")
	if err != nil || r.Subject != userID || userID == clientID || r.ClientId != clientID ||
		!reflect.DeepEqual(r.Scopes, []string{"read"}) {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestJWTTamperedOtherAudienceExpiredAndWrongIssuerAreUnauthenticated(t *testing.T) {
	var clock liveClock
	var fetches atomic.Int32
	issuer := env(t, "TOKEND_ISSUER")
	verifier := liveVerifier(t, &clock, &fetches, issuer)
	stub := echoClient(t, startEchoWith(t, verifier), nil)
	token := issueJWT(t, jwtRequest{})
	if _, err := echoWith(t, stub, token, "Echo"); err != nil {
		t.Fatal(err)
	}

	parts := strings.Split(token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	at := strings.Index(string(payload), `"client_id":"`) + len(`"client_id":"`)
	payload[at] ^= 1 // one payload byte
	tampered := parts[0] + "." + b64(payload) + "." + parts[2]
	other := issueJWT(t, jwtRequest{audience: "https://other.example"})
	for token, want := range map[string]string{tampered: "bad_signature", other: "wrong_audience"} {
		if _, err := echoWith(t, stub, token, "Echo"); status.Code(err) != codes.Unauthenticated {
			t.Fatalf("%s: %v", want, err)
		}
		if _, err := verifier.VerifyJWT(ctx(t), token); reason(err) != want {
			t.Fatalf("%s: %v", want, err)
		}
	}

	// Expired (at exp + the default 30 s leeway) and another issuer, each through a guard.
	exp := time.Unix(int64(segment(t, token, 1)["exp"].(float64)), 0)
	for _, tc := range []struct {
		offset time.Duration
		issuer string
		want   string
	}{{time.Until(exp) + 30*time.Second, issuer, "expired"}, {0, issuer + "/elsewhere", "wrong_issuer"}} {
		var clock liveClock
		clock.offset.Store(int64(tc.offset))
		v := liveVerifier(t, &clock, &fetches, tc.issuer)
		if _, err := v.VerifyJWT(ctx(t), token); reason(err) != tc.want {
			t.Fatalf("%s: %v", tc.want, err)
		}
		guarded := echoClient(t, startEchoWith(t, v), nil)
		if _, err := echoWith(t, guarded, token, "Echo"); status.Code(err) != codes.Unauthenticated {
			t.Fatalf("%s: %v", tc.want, err)
		}
	}
	if _, err := echoWith(t, stub, token, "Echo"); err != nil {
		t.Fatalf("the untouched token: %v", err)
	}
}

func TestJWTRotatedKeyIsPickedUpWithoutRestart(t *testing.T) {
	var clock liveClock
	var fetches atomic.Int32
	stub := echoClient(t, startEchoWith(t, liveVerifier(t, &clock, &fetches, env(t, "TOKEND_ISSUER"))), nil)
	before := issueJWT(t, jwtRequest{})
	if _, err := echoWith(t, stub, before, "Echo"); err != nil || fetches.Load() != 1 {
		t.Fatalf("%v after %d fetches", err, fetches.Load())
	}

	admin := tokendv1.NewAdminServiceClient(tokendConn(t, "TOKEND_ADMIN_ADDR"))
	c := metadata.AppendToOutgoingContext(ctx(t), "authorization", "Bearer "+env(t, "TOKEND_ADMIN_KEY"))
	rotated, err := admin.RotateSigningKey(c, &tokendv1.RotateSigningKeyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	after := issueJWT(t, jwtRequest{})
	if kid := segment(t, after, 0)["kid"]; kid != rotated.GetSigningKey().GetKid() || kid == segment(t, before, 0)["kid"] {
		t.Fatalf("kid %v after rotating to %s", kid, rotated.GetSigningKey().GetKid())
	}

	if _, err := echoWith(t, stub, after, "Echo"); status.Code(err) != codes.Unauthenticated || fetches.Load() != 1 {
		t.Fatalf("a new kid within the refetch interval: %v after %d fetches", err, fetches.Load())
	}
	clock.offset.Store(int64(30 * time.Second)) // the default refetch interval since the first fetch
	r, err := echoWith(t, stub, after, "Echo")
	if err != nil || r.ClientId != env(t, "TOKEND_CLIENT_ID") || fetches.Load() != 2 {
		t.Fatalf("%+v %v after %d fetches", r, err, fetches.Load())
	}
	if _, err := echoWith(t, stub, before, "Echo"); err != nil || fetches.Load() != 2 {
		t.Fatalf("the retired key's token: %v after %d fetches", err, fetches.Load())
	}
}
