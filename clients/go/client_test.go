package tokend_test

import (
	"errors"
	"reflect"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	tokend "tokend.internal/clients/go"
)

func TestIssueIntrospectRevoke(t *testing.T) {
	c := dial(t, "")
	tok, err := c.Issue(ctx(t), tokend.IssueOptions{Scopes: []string{"read", "write"}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.RefreshToken != "" || tok.ExpiresIn <= 0 {
		t.Fatalf("token %+v", tok)
	}
	info, err := c.Introspect(ctx(t), tok.AccessToken)
	if err != nil || !info.Active || info.ClientID != c.ClientID || !reflect.DeepEqual(info.Scopes(), []string{"read", "write"}) {
		t.Fatalf("introspect %+v %v", info, err)
	}
	if err := c.Revoke(ctx(t), tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if info, err := c.Introspect(ctx(t), tok.AccessToken); err != nil || info.Active {
		t.Fatalf("after revoke %+v %v", info, err)
	}
	if err := c.Revoke(ctx(t), "never-issued"); err != nil {
		t.Fatalf("RFC 7009: an unknown token is not an error: %v", err)
	}
}

func TestPasswordRefreshAndSpentRefreshToken(t *testing.T) {
	c := dial(t, "")
	user := tokend.IssueOptions{Username: env(t, "TOKEND_USERNAME"), Password: env(t, "TOKEND_PASSWORD")}
	tok, err := c.Issue(ctx(t), user)
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("password grant %+v %v", tok, err)
	}
	next, err := c.Refresh(ctx(t), tok.RefreshToken)
	if err != nil || next.AccessToken == tok.AccessToken || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh %+v %v", next, err)
	}
	if info, _ := c.Introspect(ctx(t), next.AccessToken); !info.Active || info.Username != user.Username {
		t.Fatalf("refreshed token %+v", info)
	}
	_, err = c.Refresh(ctx(t), tok.RefreshToken)
	var e *tokend.Error
	if !errors.As(err, &e) || e.OAuthCode != "invalid_grant" || e.Code != codes.FailedPrecondition {
		t.Fatalf("spent refresh token: %#v", err)
	}
}

func TestWrongSecretIsInvalidClient(t *testing.T) {
	c, err := tokend.Dial(env(t, "TOKEND_GRPC_ADDR"), env(t, "TOKEND_CLIENT_ID"), "not-the-secret", grpc.WithInsecure())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Issue(ctx(t), tokend.IssueOptions{})
	var e *tokend.Error
	if !errors.As(err, &e) || e.OAuthCode != "invalid_client" || e.Code != codes.Unauthenticated || e.Description == "" {
		t.Fatalf("wrong secret: %#v", err)
	}
}

func TestUnreachableTokendIsUnavailable(t *testing.T) {
	c, _ := tokend.Dial("127.0.0.1:1", "x", "y", grpc.WithInsecure())
	defer c.Close()
	_, err := c.Issue(ctx(t), tokend.IssueOptions{})
	var e *tokend.Error
	if !errors.As(err, &e) || e.Code != codes.Unavailable || e.OAuthCode != "" {
		t.Fatalf("unreachable: %#v", err)
	}
}

func TestBasicAuthorizationFormEncodes(t *testing.T) {
	if got := tokend.BasicAuthorization("a b", "x:y/é"); got != "Basic YStiOnglM0F5JTJGJUMzJUE5" {
		t.Fatal(got)
	}
}
