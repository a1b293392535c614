package sandbox

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuthFailures(t *testing.T) {
	var logs syncBuffer
	r := start(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	f := newFixture(t, r, "auth-user", "auth-key")
	ct := []string{"Content-Type", "application/json"}
	login := `{"method":"guest","sessionId":"x"}`
	grant := `{"chainId":84532,"sessionKeyAddress":"` + f.sessionKey + `","durationInSeconds":3600}`
	send := `{"chainId":84532,"from":"` + f.sessionKey + `","recipients":[{"address":"` + f.user + `","quantity":"0"}]}`
	wrongSecret := "sk_sandbox_wrong_secret_value"

	cases := []struct {
		name, method, path, body string
		headers                  []string
		want                     string
	}{
		{"login without client id", "POST", "/auth/complete", login, ct, "x-client-id header is missing"},
		{"login with unknown client id", "POST", "/auth/complete", login, append([]string{"x-client-id", "someone-else"}, ct...), "not this sandbox's client ID"},
		{"login with secret in client id", "POST", "/auth/complete", login, append([]string{"x-client-id", wrongSecret}, ct...), "looks like a secret key"},
		{"server wallet without secret", "POST", "/wallets/server", `{"identifier":"a"}`, append([]string{"x-client-id", r.ClientID()}, ct...), "x-secret-key header is missing"},
		{"server wallet with wrong secret", "POST", "/wallets/server", `{"identifier":"a"}`, append([]string{"x-secret-key", wrongSecret}, ct...), "x-secret-key is not valid"},
		{"list wallets with client id only", "GET", "/wallets/server", "", []string{"x-client-id", r.ClientID()}, "x-secret-key header is missing"},
		{"send without secret", "POST", "/wallets/send", send, append([]string{"x-account-address", f.user, "x-session-key-address", f.sessionKey}, ct...), "x-secret-key header is missing"},
		{"send with wrong secret", "POST", "/wallets/send", send, append([]string{"x-secret-key", wrongSecret}, ct...), "x-secret-key is not valid"},
		{"grant without token", "POST", "/wallets/create-session-key", grant, append([]string{"x-client-id", r.ClientID()}, ct...), "Authorization header is missing"},
		{"grant with bad token", "POST", "/wallets/create-session-key", grant, append([]string{"x-client-id", r.ClientID(), "Authorization", "Bearer not.a.jwt"}, ct...), "token"},
		{"grant with foreign token", "POST", "/wallets/create-session-key", grant, append([]string{"x-client-id", r.ClientID(), "Authorization", "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIweDEyMzQiLCJleHAiOjk5OTk5OTk5OTl9.c2lnbmF0dXJl"}, ct...), "signature is invalid"},
		{"grant with basic auth", "POST", "/wallets/create-session-key", grant, append([]string{"x-client-id", r.ClientID(), "Authorization", "Basic abc"}, ct...), "Bearer"},
		{"grant with token but no client id", "POST", "/wallets/create-session-key", grant, append([]string{"Authorization", "Bearer " + f.token}, ct...), "x-client-id header is missing"},
		{"me with wrong client id", "GET", "/wallets/me", "", []string{"x-client-id", "nope", "Authorization", "Bearer " + f.token}, "not this sandbox's client ID"},
		{"tx without credentials", "GET", "/transactions", "", nil, "x-secret-key or x-client-id header is missing"},
		{"tx with wrong secret", "GET", "/transactions", "", []string{"x-secret-key", wrongSecret, "x-client-id", r.ClientID()}, "x-secret-key is not valid"},
		{"advance-time with client id", "POST", "/sandbox/advance-time", `{"chainId":84532,"seconds":1}`, append([]string{"x-client-id", r.ClientID()}, ct...), "x-secret-key header is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, c.method, f.url(c.path), c.body, c.headers...)
			expect(t, res, 401, c.want)
			if e := res.errBody(t); e.Code != "unauthorized" {
				t.Errorf("code %q", e.Code)
			}
			if bytes.Contains(res.body, []byte(wrongSecret)) || bytes.Contains(res.body, []byte(r.SecretKey())) {
				t.Errorf("error echoes a secret: %s", res.body)
			}
		})
	}

	// Records need the secret or the user's token (TestGuestRecordsArePrivate).
	if res := do(t, "GET", f.url("/transactions"), "", f.userHeaders()...); res.status != 200 {
		t.Errorf("GET /transactions with the user's token: %d %s", res.status, res.body)
	}
	// No secret or token in the request log.
	if s := logs.String(); strings.Contains(s, r.SecretKey()) || strings.Contains(s, f.token) || strings.Contains(s, wrongSecret) {
		t.Errorf("log leaks a credential:\n%s", s)
	} else if !strings.Contains(s, "request_id=req_") || !strings.Contains(s, "status=401") {
		t.Errorf("log lacks request lines:\n%s", s)
	}
}

func TestExpiredToken(t *testing.T) {
	r := start(t, Options{TokenTTL: time.Minute})
	f := newFixture(t, r, "exp-user", "exp-key")
	if res := do(t, "GET", f.url("/wallets/me"), "", f.userHeaders()...); res.status != 200 {
		t.Fatalf("me: %d %s", res.status, res.body)
	}
	later := time.Now().Add(2 * time.Minute)
	r.Server.setClock(func() time.Time { return later })
	res := do(t, "GET", f.url("/wallets/me"), "", f.userHeaders()...)
	expect(t, res, 401, "token expired at ")
	res = do(t, "POST", f.url("/wallets/create-session-key"),
		`{"chainId":84532,"sessionKeyAddress":"`+f.sessionKey+`","durationInSeconds":60}`, f.userHeaders()...)
	expect(t, res, 401, "token expired at ")
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
