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
	"regexp"
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

// readmeCommand finds the README's command line that starts with prefix and
// splits it as a shell would (single quotes only, which is all it uses).
func readmeCommand(t *testing.T, prefix string) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		var args []string
		var cur strings.Builder
		quoted, inWord := false, false
		for _, r := range line {
			switch {
			case r == '\'':
				quoted, inWord = !quoted, true
			case r == ' ' && !quoted:
				if inWord {
					args = append(args, cur.String())
					cur.Reset()
					inWord = false
				}
			default:
				cur.WriteRune(r)
				inWord = true
			}
		}
		if inWord {
			args = append(args, cur.String())
		}
		return args
	}
	t.Fatalf("README has no line starting %q", prefix)
	return nil
}

// The README's ERC-20 example passes end to end against the embedded
// sandbox, exactly as written; one token over the per-call cap fails on
// chain, and the summary (with the reason) is printed on failure too.
func TestFlowReadmeERC20Example(t *testing.T) {
	isolateEnv(t)
	args := readmeCommand(t, "walletconsole flow --policies examples/policies/erc20-capped-transfer.json")
	if args[0] != "walletconsole" || args[1] != "flow" {
		t.Fatalf("README command %q", args)
	}
	code, stdout, stderr := runFlowT(t, args[2:]...)
	if code != 0 {
		t.Fatalf("README example: exit %d\nstderr:\n%s\nstdout:\n%s", code, stderr, stdout)
	}
	for _, want := range []string{"call          function transfer(address to, uint256 amount) on 0x7e57700000000000000000000000000000000001", "call tx", "CONFIRMED"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "(POST /contracts/write)") {
		t.Errorf("stderr:\n%s", stderr)
	}

	over := append([]string(nil), args[2:]...)
	over[len(over)-1] = strings.Replace(over[len(over)-1], `"100e18"`, `"101e18"`, 1)
	code, stdout, stderr = runFlowT(t, over...)
	if code != 1 {
		t.Fatalf("101 TST: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"user          0x", "grant tx", "call tx", "FAILED", "reason: ", "result        FAILED at send confirmation: "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("failure summary lacks %q:\n%s", want, stdout)
		}
	}
}

func TestFlowContractUsageErrors(t *testing.T) {
	isolateEnv(t)
	const tok = "0x7e57700000000000000000000000000000000001"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--call", "transfer(address,uint256)"}, "--call and --args need --contract"},
		{[]string{"--contract", tok}, "--contract needs --call"},
		{[]string{"--contract", "0x12", "--call", "f()"}, "--contract: "},
		{[]string{"--contract", tok, "--call", "transfer(address,uint256)", "--args", `["0x4444444444444444444444444444444444444444"]`}, "takes 2 argument(s), 1 given"},
		{[]string{"--contract", tok, "--call", "transfer(address,uint256)", "--args", `0x44, 5`}, "--args: want a JSON array"},
		{[]string{"--contract", tok, "--call", "transfer(address,uint256)", "--args", `["0x44", "5"]`}, "argument 1 (address)"},
		{[]string{"--contract", tok, "--call", "transfer(address,uint256)", "--args", `["0x4444444444444444444444444444444444444444", "-5"]`}, "argument 2 (uint256)"},
		{[]string{"--contract", tok, "--call", "0x12345678"}, "bare selector"},
		{[]string{"--contract", tok, "--call", "f()", "--to", tok}, "--to is for a plain send"},
	} {
		code, stdout, stderr := runFlowT(t, tc.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d stdout %q stderr %q, want %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	cc, err := buildCall(tok, "transfer(address,uint256)", `["0x4444444444444444444444444444444444444444", 1000]`, nil)
	if err != nil || cc.Params[0] != "0x4444444444444444444444444444444444444444" || cc.Params[1] != "1000" || cc.Method != "function transfer(address to, uint256 amount)" {
		t.Errorf("buildCall %+v %v", cc, err)
	}
}

func TestFlowAsyncSandboxWarns(t *testing.T) {
	isolateEnv(t)
	code, _, stderr := runFlowT(t, "--async")
	if code != 0 || !strings.Contains(stderr, "warning: --async with the embedded sandbox: the sandbox and its chain end with this command") {
		t.Errorf("exit %d stderr:\n%s", code, stderr)
	}
}

// hostileAPI is just enough of the API for `flow`, answering with text a
// hostile or broken server might send: escape sequences in the revert
// reason and IDs, C1 controls and a bidi override.
func hostileAPI(t *testing.T) *httptest.Server {
	const user, key = "0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222"
	const evil = "\x1b]0;pwned\x07\x1b[32mCONFIRMED\x1b[0m \u009b2J \u202eDEMRIFNOC"
	enc := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v1/auth/complete":
			io.WriteString(w, `{"isNewUser":true,"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlX2hlcmVfbG9uZw","type":"guest","walletAddress":"`+user+`"}`)
		case r.URL.Path == "/v1/wallets/server":
			io.WriteString(w, `{"result":{"address":"`+key+`","profiles":[{"type":"server","identifier":"k"}]}}`)
		case r.URL.Path == "/v1/wallets/create-session-key":
			io.WriteString(w, `{"transactionId":"grant"}`)
		case r.URL.Path == "/v1/wallets/send":
			io.WriteString(w, `{"result":{"transactionIds":["send"]}}`)
		case r.URL.Path == "/v1/transactions/grant":
			io.WriteString(w, `{"result":{"id":"grant","status":"CONFIRMED","transactionHash":"0xab","blockNumber":"3"}}`)
		case r.URL.Path == "/v1/transactions/send":
			io.WriteString(w, `{"result":{"id":"send","status":"FAILED","errorMessage":`+enc(evil)+`}}`)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func rawControls(s string) []rune {
	var bad []rune
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) {
			bad = append(bad, r)
		}
	}
	return bad
}

// Nothing the server sends reaches the terminal raw: the summary, the
// progress, the error line, -v and --json; and the guest sessionId is
// masked in -v, --log and --json.
func TestFlowServerTextIsPrintableAndSessionIDMasked(t *testing.T) {
	isolateEnv(t)
	srv := hostileAPI(t)
	logPath := filepath.Join(t.TempDir(), "flow.log")
	os.WriteFile(logPath, nil, 0o644)
	os.Chmod(logPath, 0o644)
	common := []string{"--api-url", srv.URL + "/v1", "--client-id", "cid", "--log", logPath}
	t.Setenv(flows.EnvSecretKey, "sk_test_0123456789abcdef0123456789")
	code, stdout, stderr := runFlowT(t, append(common, "-v")...)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if bad := rawControls(stdout + stderr); len(bad) > 0 {
		t.Errorf("raw control characters %q reached the terminal:\nstdout %q\nstderr %q", bad, stdout, stderr)
	}
	if !strings.Contains(stdout, `reason: \x1b]0;pwned\x07`) || !strings.Contains(stderr, `\x1b[32mCONFIRMED`) {
		t.Errorf("the reason is not shown escaped:\n%s\n%s", stdout, stderr)
	}
	code, jsonOut, stderr := runFlowT(t, append(common, "--json")...)
	if code != 1 || len(rawControls(jsonOut)) > 0 {
		t.Errorf("--json: exit %d, raw controls %q", code, rawControls(jsonOut))
	}
	var res flowResult
	if err := json.Unmarshal([]byte(jsonOut), &res); err != nil {
		t.Fatalf("--json is not JSON: %v\n%s", err, jsonOut)
	}
	if res.Send == nil || !strings.HasPrefix(res.Send.Transactions[0].ErrorMessage, "\x1b]0;pwned") {
		t.Errorf("JSON must carry the reason exactly (escaped as JSON): %+v", res.Send)
	}
	// The session ID sent is a credential: nowhere in full.
	sid := res.User.SessionID
	if !strings.HasPrefix(sid, "session-…") {
		t.Errorf("--json sessionId %q not masked", sid)
	}
	logb, _ := os.ReadFile(logPath)
	re := regexp.MustCompile(`session-[0-9a-f]{32}`)
	for name, s := range map[string]string{"-v": stderr, "--json": jsonOut, "--log": string(logb), "stdout": stdout} {
		if m := re.FindString(s); m != "" {
			t.Errorf("%s shows a guest session ID in full: %s", name, m)
		}
	}
	if !strings.Contains(string(logb), `"sessionId":"session-…`) {
		t.Errorf("log lacks the masked login body:\n%s", logb)
	}
	if st, _ := os.Stat(logPath); st.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v, want 0600", st.Mode().Perm())
	}
	// With --reveal the user asked: the -v curl shows it.
	_, _, stderr = runFlowT(t, append(common, "-v", "--reveal")...)
	if re.FindString(stderr) == "" {
		t.Error("--reveal -v does not show the session ID")
	}
}

func TestFlowSecretKeyFlagWarnsAndPlainHTTPRefused(t *testing.T) {
	isolateEnv(t)
	code, _, stderr := runFlowT(t, "--api-url", "http://api.example.com/v1", "--client-id", "c", "--secret-key", "sk_live_0123456789abcdef")
	if code != 2 || !strings.Contains(stderr, "unencrypted") || !strings.Contains(stderr, "--insecure") || strings.Contains(stderr, "sk_live_0123456789abcdef") {
		t.Errorf("plain http: exit %d\n%s", code, stderr)
	}
	srv := hostileAPI(t)
	_, _, stderr = runFlowT(t, "--api-url", srv.URL+"/v1", "--client-id", "c", "--secret-key", "sk_live_0123456789abcdef")
	if n := strings.Count(stderr, "visible to other processes"); n != 1 {
		t.Errorf("--secret-key warning printed %d times:\n%s", n, stderr)
	}
}

func TestJSONTerminalSafe(t *testing.T) {
	in := map[string]string{"m": "a\x1b[2J\u009b\u202e\x7fz"}
	b, _ := json.Marshal(in)
	out := jsonTerminalSafe(b)
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["m"] != in["m"] || len(rawControls(string(out))) > 0 {
		t.Errorf("%q → %q (%v)", b, out, err)
	}
}

// The fault flags reach the embedded sandbox: with every request failing,
// the flow stops at login with the sandbox's 500, said plainly, exit 1.
func TestFlowFaultFlagsReachTheEmbeddedSandbox(t *testing.T) {
	isolateEnv(t)
	code, stdout, stderr := runFlowT(t, "--fail-rate", "1")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout+stderr, "500") {
		t.Errorf("the injected 500 is not shown:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if code, _, stderr := runFlowT(t, "--fail-rate", "2"); code != 2 || !strings.Contains(stderr, "fail-rate") {
		t.Errorf("a bad fault value: exit %d\n%s", code, stderr)
	}
}

func TestFlowBlockTimeReachesTheEmbeddedSandbox(t *testing.T) {
	isolateEnv(t)
	if code, _, stderr := runFlowT(t, "--block-time", "0"); code != 0 {
		t.Fatalf("--block-time 0: exit %d\n%s", code, stderr)
	}
	// An hour between blocks: the walkthrough cannot finish in 3 s, which
	// proves the flag reached the sandbox's chain.
	if code, _, stderr := runFlowT(t, "--block-time", "1h", "--timeout", "3s"); code == 0 {
		t.Errorf("--block-time 1h finished within 3 s: the flag did not reach the sandbox\n%s", stderr)
	}
	if code, _, stderr := runFlowT(t, "--block-time", "-1s"); code != 2 || !strings.Contains(stderr, "--block-time must be ≥ 0") {
		t.Errorf("--block-time -1s: exit %d\n%s", code, stderr)
	}
}
