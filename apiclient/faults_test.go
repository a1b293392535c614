package apiclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Transport internals a user must never read in an error.
var goInternals = []string{"dial tcp", "EOF", "context deadline exceeded", "Client.Timeout", "read tcp", "write tcp", "wsarecv", "net/http:"}

func checkPlain(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, s := range goInternals {
		if strings.Contains(err.Error(), s) {
			t.Errorf("%s: error shows Go internals %q: %v", what, s, err)
		}
	}
}

// A cross-host redirect must not carry x-secret-key or Authorization to the
// other host; the error says why the call stopped.
func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	var mu sync.Mutex
	var stolen []http.Header
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		stolen = append(stolen, r.Header.Clone())
		mu.Unlock()
		io.WriteString(w, `{"result":{"transactionIds":["t"]}}`)
	}))
	defer evil.Close()
	f := newFakeAPI(t)
	redirect := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}
	f.resp["POST /wallets/send"] = redirect
	f.resp["POST /wallets/create-session-key"] = redirect
	f.resp["GET /transactions/tx"] = redirect
	c := f.client()
	ctx := context.Background()
	_, err1 := c.Send(ctx, SessionContext{}, SendRequest{ChainID: 1})
	_, _, err2 := c.CreateSessionKey(ctx, testToken, CreateSessionKeyRequest{ChainID: 1})
	_, err3 := c.Transaction(ctx, "tx")
	for i, err := range []error{err1, err2, err3} {
		ne, ok := AsNetError(err)
		if !ok || ne.Kind != NetRedirect {
			t.Fatalf("call %d: want a refused redirect, got %v", i, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "another host") || !strings.Contains(msg, "not followed") {
			t.Errorf("call %d: unclear error %q", i, msg)
		}
		checkPlain(t, "redirect", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range stolen {
		if h.Get("x-secret-key") != "" || h.Get("Authorization") != "" {
			t.Errorf("the other host received a credential: %v", h)
		}
	}
	if len(stolen) != 0 {
		t.Errorf("the other host received %d requests", len(stolen))
	}

	// A redirect within the same origin is still followed.
	f.resp["GET /transactions/moved"] = func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/transactions/here", http.StatusTemporaryRedirect)
	}
	f.on("GET /transactions/here", 200, `{"result":{"id":"here","status":"QUEUED"}}`)
	if tx, err := c.Transaction(ctx, "moved"); err != nil || tx.ID != "here" {
		t.Errorf("same-origin redirect: %+v %v", tx, err)
	}
}

// Even a caller's own http.Client, without a redirect rule, gets it.
func TestRedirectRuleOnGivenHTTPClient(t *testing.T) {
	hit := make(chan struct{}, 1)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit <- struct{}{} }))
	defer evil.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL, http.StatusFound)
	}))
	defer api.Close()
	c := New(api.URL, testClientID, testSecret, WithHTTPClient(&http.Client{}))
	if _, err := c.Transaction(context.Background(), "x"); err == nil {
		t.Fatal("no error")
	}
	select {
	case <-hit:
		t.Error("redirect followed to another host")
	default:
	}
}

func TestNetErrorsArePlainAndUnwrap(t *testing.T) {
	ctx := context.Background()

	// Refused: a port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	_, err = New("http://"+dead+"/v1", testClientID, testSecret).Send(ctx, SessionContext{}, SendRequest{ChainID: 1})
	checkPlain(t, "refused", err)
	if ne, ok := AsNetError(err); !ok || ne.Kind != NetRefused || !strings.Contains(err.Error(), dead) || !strings.Contains(err.Error(), "(POST /wallets/send)") {
		t.Errorf("refused: %v", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("refused: errors.As(*net.OpError) lost: %v", err)
	}

	// Timeout: the client's own limit.
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(block)
	c := New(slow.URL+"/v1", testClientID, testSecret, WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
	_, err = c.Send(ctx, SessionContext{}, SendRequest{ChainID: 1})
	checkPlain(t, "timeout", err)
	if ne, ok := AsNetError(err); !ok || ne.Kind != NetTimeout ||
		!strings.HasPrefix(err.Error(), "the API did not answer within 100ms (POST /wallets/send)") ||
		!strings.Contains(err.Error(), "check the transactions before sending it again") {
		t.Errorf("timeout: %v", err)
	}
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Errorf("timeout: errors.As(net.Error) lost: %v", err)
	}
	// The caller's deadline.
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, err = New(slow.URL+"/v1", testClientID, testSecret).Transaction(dctx, "tx")
	cancel()
	checkPlain(t, "deadline", err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: errors.Is(DeadlineExceeded) lost: %v", err)
	}
	// Cancelled.
	cctx, ccancel := context.WithCancel(ctx)
	time.AfterFunc(30*time.Millisecond, ccancel)
	_, err = New(slow.URL+"/v1", testClientID, testSecret).Transaction(cctx, "tx")
	checkPlain(t, "cancelled", err)
	if !errors.Is(err, context.Canceled) || Transient(err) {
		t.Errorf("cancelled: %v (transient %v)", err, Transient(err))
	}

	// Dropped before answering, and in the middle of the answer.
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/midway") {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			io.WriteString(w, `{"result":{"id":"mid`)
			w.(http.Flusher).Flush()
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer drop.Close()
	c = New(drop.URL+"/v1", testClientID, testSecret)
	_, err = c.Send(ctx, SessionContext{}, SendRequest{ChainID: 1})
	checkPlain(t, "dropped", err)
	if ne, ok := AsNetError(err); !ok || ne.Kind != NetDropped || !strings.Contains(err.Error(), "closed the connection without answering") {
		t.Errorf("dropped: %v", err)
	}
	_, err = c.Transaction(ctx, "midway")
	checkPlain(t, "dropped midway", err)
	if ne, ok := AsNetError(err); !ok || ne.Kind != NetDropped || !strings.Contains(err.Error(), "in the middle of its answer (GET /transactions/midway)") {
		t.Errorf("dropped midway: %v", err)
	}
	if !Transient(err) {
		t.Error("a dropped connection is transient")
	}
}

// 500/502/503/504 on a GET are asked again with a bounded backoff; a POST
// is never resent on its own, whatever the status.
func TestRetryGETOn5xxNotPOST(t *testing.T) {
	f, n := retryServer(t, []int{500, 502, 200}, func(int) string { return "" })
	var waits []time.Duration
	c := f.client()
	c.sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	if _, err := c.Transaction(context.Background(), "tx"); err != nil || n.n() != 3 {
		t.Fatalf("requests %d err %v", n.n(), err)
	}
	for _, w := range waits {
		if w <= 0 || w > 2*time.Second+time.Second/2 {
			t.Errorf("backoff %v out of bounds", w)
		}
	}
	// Always 500: bounded tries, then the error.
	f, n = retryServer(t, []int{500, 500, 500, 500, 500, 500}, func(int) string { return "" })
	c = f.client()
	c.sleep = func(context.Context, time.Duration) error { return nil }
	if _, err := c.Transaction(context.Background(), "tx"); StatusOf(err) != 500 || n.n() != DefaultMaxTries {
		t.Errorf("requests %d err %v", n.n(), err)
	}
	for _, st := range []int{429, 500, 503} {
		f, n = retryServer(t, []int{st, 200}, func(int) string { return "1" })
		c = f.client()
		c.sleep = func(context.Context, time.Duration) error { t.Error("POST waited to resend"); return nil }
		_, err := c.Send(context.Background(), SessionContext{}, SendRequest{ChainID: 1})
		if StatusOf(err) != st || n.n() != 1 {
			t.Errorf("POST after %d: requests %d err %v", st, n.n(), err)
		}
	}
	// 429's wait is in the error for the caller to show.
	if f, _ := retryServer(t, []int{429}, func(int) string { return "3" }); true {
		_, err := f.client().Send(context.Background(), SessionContext{}, SendRequest{ChainID: 1})
		if !strings.Contains(err.Error(), "wait 3s") {
			t.Errorf("429 error does not say how long to wait: %v", err)
		}
	}
}

// Malformed JSON from any endpoint: an error naming the endpoint, no panic.
func TestMalformedJSONNamesTheEndpoint(t *testing.T) {
	for _, body := range []string{`{"result":`, `not json`, `{"result":5}`, `[`, "\x1b]0;pwned\x07"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			io.WriteString(w, body)
		}))
		c := New(srv.URL+"/v1", testClientID, testSecret)
		ctx := context.Background()
		calls := map[string]func() error{
			"POST /auth/complete":  func() error { _, err := c.GuestLogin(ctx, "s"); return err },
			"POST /wallets/server": func() error { _, err := c.CreateServerWallet(ctx, "k"); return err },
			"GET /wallets/server":  func() error { _, err := c.ListServerWallets(ctx, 0, 0); return err },
			"POST /wallets/create-session-key": func() error {
				_, _, err := c.CreateSessionKey(ctx, testToken, CreateSessionKeyRequest{})
				return err
			},
			"POST /wallets/send":         func() error { _, err := c.Send(ctx, SessionContext{}, SendRequest{}); return err },
			"POST /contracts/write":      func() error { _, err := c.WriteContract(ctx, SessionContext{}, ContractWriteRequest{}); return err },
			"GET /transactions/t":        func() error { _, err := c.Transaction(ctx, "t"); return err },
			"GET /transactions":          func() error { _, err := c.Transactions(ctx, "", 0, 0); return err },
			"GET /wallets/me":            func() error { _, err := c.Me(ctx, testToken); return err },
			"GET /sandbox/info":          func() error { _, err := c.SandboxInfo(ctx); return err },
			"POST /sandbox/advance-time": func() error { _, err := c.AdvanceTime(ctx, 1, 1); return err },
		}
		for name, call := range calls {
			err := call()
			if err == nil {
				t.Errorf("%s with body %q: no error", name, body)
				continue
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("%s with body %q: error does not name the endpoint: %v", name, body, err)
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("%s: raw ESC in error %q", name, err)
			}
		}
		srv.Close()
	}
}

// Text from the server reaches the error escaped: no ESC, no OSC, no C1.
func TestAPIErrorMessageIsPrintable(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /wallets/send", 400, `{"error":{"code":"bad\u001b[2J","message":"reverted \u001b]0;pwned\u0007 \u009b31m \u202e CONFIRMED"}}`)
	_, err := f.client().Send(context.Background(), SessionContext{}, SendRequest{ChainID: 1})
	e, ok := AsAPIError(err)
	if !ok {
		t.Fatal(err)
	}
	for _, s := range []string{e.Message, e.Code, err.Error()} {
		for _, r := range s {
			if needsEscape(r) {
				t.Errorf("unescaped %U in %q", r, s)
			}
		}
	}
	if !strings.Contains(e.Message, `\x1b]0;pwned\x07`) {
		t.Errorf("message %q", e.Message)
	}
}

// Never more than 4 characters of a secret shorter than 32.
func TestMaskSecretShowsLittleOfShortSecrets(t *testing.T) {
	s := "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"
	for n := 1; n <= len(s); n++ {
		m := MaskSecret(s[:n])
		shown := utf8.RuneCountInString(strings.ReplaceAll(m, "…", ""))
		switch {
		case n < 32 && shown > 4:
			t.Errorf("MaskSecret of %d chars shows %d: %q", n, shown, m)
		case shown*2 >= n:
			t.Errorf("MaskSecret of %d chars shows %d: %q", n, shown, m)
		}
	}
}

func TestGuestSessionIDIsRandomAndMasked(t *testing.T) {
	a, err := NewGuestSessionID()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewGuestSessionID()
	if a == b || !guestSessionIDRe.MatchString(a) || len(a) != len("session-")+32 {
		t.Fatalf("session IDs %q %q", a, b)
	}
	body := `{"method":"guest","sessionId":"` + a + `"}`
	ex := Exchange{Method: "POST", URL: "http://127.0.0.1:1/v1/auth/complete", RequestBody: []byte(body),
		ResponseBody: []byte(`{"result":{"profiles":[{"type":"guest","id":"` + a + `"}]}}`)}
	for name, s := range map[string]string{
		"curl": ex.Curl(false), "request": string(ex.MaskedRequestBody()), "response": string(ex.MaskedResponseBody()),
		"text": MaskText("login " + a + " ok"), "custom": MaskText(`{"sessionId": "my-own-guest-id-0123456789"}`),
	} {
		if strings.Contains(s, a) || strings.Contains(s, "my-own-guest-id-0123456789") {
			t.Errorf("%s shows the session ID: %s", name, s)
		}
	}
	if !strings.Contains(ex.Curl(true), a) {
		t.Error("Curl(true) must reveal")
	}
}
