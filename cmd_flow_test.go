package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"walletconsole/apiclient/sandbox"
	"walletconsole/flows"
)

// isolateEnv keeps the caller's credentials and config file out of a test.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{flows.EnvAPIURL, flows.EnvClientID, flows.EnvSecretKey, flows.EnvTheme, flows.EnvConfig} {
		t.Setenv(k, "")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
}

type seenRequest struct {
	Method, Path string
	Header       http.Header
	Body         map[string]any
}

// recordingProxy forwards to a sandbox and records every request.
type recordingProxy struct {
	mu   sync.Mutex
	reqs []seenRequest
	srv  *httptest.Server
}

func newRecordingProxy(t *testing.T, target string) *recordingProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	p := &recordingProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		sr := seenRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()}
		if len(b) > 0 {
			json.Unmarshal(b, &sr.Body)
		}
		p.mu.Lock()
		p.reqs = append(p.reqs, sr)
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *recordingProxy) posts() []seenRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []seenRequest
	for _, r := range p.reqs {
		if r.Method == http.MethodPost {
			out = append(out, r)
		}
	}
	return out
}

func startTestSandbox(t *testing.T) *sandbox.Running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sb, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{BlockTime: 50 * time.Millisecond})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); sb.Close() })
	return sb
}

func runFlowT(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := runFlow(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// headerNames lists the request's own header names, lower-case, without
// those the transport adds (User-Agent, Accept-Encoding, Content-Length)
// or the proxy adds (X-Forwarded-*).
func headerNames(h http.Header) []string {
	var out []string
	for k := range h {
		k = strings.ToLower(k)
		switch {
		case k == "user-agent", k == "accept-encoding", k == "content-length", strings.HasPrefix(k, "x-forwarded-"):
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fieldNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestFlowSendsWhatTheSeedSends runs `flow` in live mode through a
// recording proxy in front of the sandbox and compares the four POSTs with
// the four-call example of docs/api.md.
func TestFlowSendsWhatTheSeedSends(t *testing.T) {
	isolateEnv(t)
	sb := startTestSandbox(t)
	p := newRecordingProxy(t, sb.BaseURL)
	code, stdout, stderr := runFlowT(t, "--api-url", p.srv.URL+"/v1", "--client-id", sb.ClientID(), "--secret-key", sb.SecretKey(), "--json")
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
	if strings.Contains(stderr, "embedded sandbox") {
		t.Error("live mode started the embedded sandbox")
	}
	if strings.Contains(stdout+stderr, sb.SecretKey()) {
		t.Error("output leaks the secret key")
	}

	seed := []struct {
		path    string
		headers []string
		fields  []string
	}{
		{"/v1/auth/complete", []string{"content-type", "x-client-id"}, []string{"method", "sessionId"}},
		{"/v1/wallets/server", []string{"content-type", "x-secret-key"}, []string{"identifier"}},
		{"/v1/wallets/create-session-key", []string{"authorization", "content-type", "x-client-id"},
			[]string{"chainId", "durationInSeconds", "grantFullPermissions", "sessionKeyAddress"}},
		{"/v1/wallets/send", []string{"content-type", "x-account-address", "x-secret-key", "x-session-key-address"},
			[]string{"chainId", "from", "recipients"}},
	}
	posts := p.posts()
	if len(posts) != len(seed) {
		t.Fatalf("%d POSTs, want %d: %+v", len(posts), len(seed), posts)
	}
	for i, want := range seed {
		got := posts[i]
		if got.Method != "POST" || got.Path != want.path {
			t.Errorf("request %d: %s %s, want POST %s", i+1, got.Method, got.Path, want.path)
		}
		if h := headerNames(got.Header); !reflect.DeepEqual(h, want.headers) {
			t.Errorf("request %d (%s) headers %v, want %v", i+1, want.path, h, want.headers)
		}
		if f := fieldNames(got.Body); !reflect.DeepEqual(f, want.fields) {
			t.Errorf("request %d (%s) body fields %v, want %v", i+1, want.path, f, want.fields)
		}
		if ct := got.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("request %d Content-Type %q", i+1, ct)
		}
	}
	login, key, grant, send := posts[0], posts[1], posts[2], posts[3]
	if login.Body["method"] != "guest" || !strings.HasPrefix(login.Body["sessionId"].(string), "session-") ||
		login.Header.Get("x-client-id") != sb.ClientID() {
		t.Errorf("login %v", login.Body)
	}
	if !strings.HasPrefix(key.Body["identifier"].(string), "session-key-") || key.Header.Get("x-secret-key") != sb.SecretKey() {
		t.Errorf("server wallet %v", key.Body)
	}
	if !strings.HasPrefix(grant.Header.Get("Authorization"), "Bearer eyJ") || grant.Body["chainId"] != float64(84532) ||
		grant.Body["durationInSeconds"] != float64(3600) || grant.Body["grantFullPermissions"] != true {
		t.Errorf("grant %v", grant.Body)
	}

	var res flowResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	user, sk := res.User.Address, res.SessionKey.Address
	if grant.Body["sessionKeyAddress"] != sk {
		t.Errorf("grant for %v, key is %s", grant.Body["sessionKeyAddress"], sk)
	}
	rcpt := send.Body["recipients"].([]any)
	r0 := rcpt[0].(map[string]any)
	if send.Header.Get("x-account-address") != user || send.Header.Get("x-session-key-address") != sk || send.Body["from"] != sk ||
		len(rcpt) != 1 || r0["address"] != user || r0["quantity"] != "0" || send.Body["chainId"] != float64(84532) {
		t.Errorf("send headers %v body %v (user %s key %s)", send.Header, send.Body, user, sk)
	}

	if !res.OK || res.Mode != flows.ModeLive || res.Grant.Status != "CONFIRMED" || res.Grant.TransactionHash == "" || res.Grant.BlockNumber == "" ||
		len(res.Send.Transactions) != 1 || res.Send.Transactions[0].Status != "CONFIRMED" || res.Send.Transactions[0].BlockNumber == "" {
		t.Errorf("result %s", stdout)
	}
	if res.TimingsMs.Total <= 0 || res.TimingsMs.Total < res.TimingsMs.GrantConfirm {
		t.Errorf("timings %+v", res.TimingsMs)
	}
}

func TestFlowEmbeddedSandboxText(t *testing.T) {
	isolateEnv(t)
	code, stdout, stderr := runFlowT(t, "--duration", "15m")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "embedded sandbox") || !strings.Contains(stderr, "[4/4]") {
		t.Errorf("stderr:\n%s", stderr)
	}
	for _, want := range []string{"mode          sandbox", "user          0x", "session key   0x", "grant tx", "send tx", "CONFIRMED  hash 0x", "block ", "900s", "timings", "total"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

func TestFlowAsync(t *testing.T) {
	isolateEnv(t)
	code, stdout, stderr := runFlowT(t, "--async", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var res flowResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Async || res.Grant.TransactionID == "" || res.Grant.Status != "" || len(res.Send.Transactions) != 1 ||
		res.Send.Transactions[0].TransactionID == "" || res.TimingsMs.SendConfirm != 0 {
		t.Errorf("async result %s", stdout)
	}
	if strings.Contains(stderr, "waiting") {
		t.Errorf("async waited:\n%s", stderr)
	}
}

func TestFlowUsageErrors(t *testing.T) {
	isolateEnv(t)
	for _, args := range [][]string{
		{"--nope"},
		{"extra"},
		{"--duration", "forever"},
		{"--chain", "x"},
		{"--policies", filepath.Join(t.TempDir(), "missing.json")},
		{"--secret-key", "sk_live_without_client_id"},
		{"--to", "0x1234"},
		{"--amount", "-1"},
		{"--amount", "0.01 btc"},
	} {
		code, stdout, stderr := runFlowT(t, args...)
		if code != 2 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d stdout %q stderr %q", args, code, stdout, stderr)
		}
	}
	if code, _, _ := runFlowT(t, "--help"); code != 0 {
		t.Errorf("--help exit %d", code)
	}
}

func TestFlowAPIFailure(t *testing.T) {
	isolateEnv(t)
	sb := startTestSandbox(t)
	const wrong = "sk_wrong_0123456789abcdef"
	code, stdout, stderr := runFlowT(t, "--api-url", sb.BaseURL, "--client-id", sb.ClientID(), "--secret-key", wrong, "--json")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "session key failed: POST /wallets/server: 401") || strings.Contains(stderr+stdout, wrong) {
		t.Errorf("stderr:\n%s", stderr)
	}
	var res flowResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.OK || res.FailedStep != "session key" || res.User == nil {
		t.Errorf("json %s (%v)", stdout, err)
	}
}

// TestFlowPolicies grants a transfer policy that does not cover the user's
// own address: the grant holds, the send fails on chain, exit 1.
func TestFlowPolicies(t *testing.T) {
	isolateEnv(t)
	sb := startTestSandbox(t)
	p := newRecordingProxy(t, sb.BaseURL)
	pf := filepath.Join(t.TempDir(), "policies.json")
	os.WriteFile(pf, []byte(`{"grantFullPermissions": false, "durationInSeconds": 600,
  "transferPolicies": [{"target": "0x4444444444444444444444444444444444444444", "maxValuePerUse": "1000"}]}`), 0o600)
	code, stdout, stderr := runFlowT(t, "--api-url", p.srv.URL+"/v1", "--client-id", sb.ClientID(), "--secret-key", sb.SecretKey(), "--policies", pf)
	if code != 1 {
		t.Fatalf("exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
	if !strings.Contains(stderr, "send confirmation failed") || !strings.Contains(stderr, "TransferPolicyViolated") {
		t.Errorf("stderr:\n%s", stderr)
	}
	posts := p.posts()
	if len(posts) != 4 {
		t.Fatalf("%d POSTs", len(posts))
	}
	g := posts[2].Body
	if g["grantFullPermissions"] != false || g["durationInSeconds"] != float64(600) || len(g["transferPolicies"].([]any)) != 1 {
		t.Errorf("grant body %v", g)
	}
}

// TestFlowPaysWithinPolicy: with --to and --amount the example allowance
// policy lets 0.01 ETH through to its target, and refuses 0.02 (above its
// max per use) on chain with the decoded reason.
func TestFlowPaysWithinPolicy(t *testing.T) {
	isolateEnv(t)
	sb := startTestSandbox(t)
	const target = "0x4444444444444444444444444444444444444444"
	common := []string{"--api-url", sb.BaseURL, "--client-id", sb.ClientID(), "--secret-key", sb.SecretKey(),
		"--policies", filepath.Join("examples", "policies", "native-allowance.json"), "--to", target}
	code, stdout, stderr := runFlowT(t, append(common, "--amount", "0.01", "--json")...)
	if code != 0 {
		t.Fatalf("0.01 ETH: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "send 0.01 ETH to 0x4444…4444") {
		t.Errorf("progress does not say what is sent:\n%s", stderr)
	}
	var res flowResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || !res.OK {
		t.Fatalf("json %s (%v)", stdout, err)
	}
	code, _, stderr = runFlowT(t, append(common, "--amount", "0.02")...)
	if code != 1 || !strings.Contains(stderr, "MaxValueExceeded") {
		t.Errorf("0.02 ETH: exit %d\n%s", code, stderr)
	}
}
