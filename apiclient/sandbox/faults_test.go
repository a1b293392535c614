package sandbox

import (
	"context"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
)

func TestParseFaultValues(t *testing.T) {
	lat := []struct {
		in        string
		lat, jit  time.Duration
		errSubstr string
	}{
		{"200ms", 200 * time.Millisecond, 0, ""},
		{"200ms±100ms", 200 * time.Millisecond, 100 * time.Millisecond, ""},
		{" 1s +- 250ms ", time.Second, 250 * time.Millisecond, ""},
		{"0", 0, 0, ""},
		{"abc", 0, 0, "not a latency like 200ms"},
		{"-5ms", 0, 0, "not a latency"},
		{"100ms±200ms", 0, 0, "jitter 200ms exceeds the latency 100ms"},
		{"100ms±x", 0, 0, "after ± must be a duration"},
	}
	for _, c := range lat {
		l, j, err := ParseLatency(c.in)
		if c.errSubstr != "" {
			if err == nil || !strings.Contains(err.Error(), c.errSubstr) {
				t.Errorf("ParseLatency(%q) = %v, want error with %q", c.in, err, c.errSubstr)
			}
			continue
		}
		if err != nil || l != c.lat || j != c.jit {
			t.Errorf("ParseLatency(%q) = %v, %v, %v", c.in, l, j, err)
		}
	}
	rates := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0.1", 0.1, true}, {"0", 0, true}, {"1", 1, true}, {"10%", 0.1, true},
		{"1.5", 0, false}, {"-0.1", 0, false}, {"NaN", 0, false}, {"x", 0, false}, {"150%", 0, false},
	}
	for _, c := range rates {
		v, err := ParseRate(c.in)
		if (err == nil) != c.ok || (c.ok && math.Abs(v-c.want) > 1e-12) {
			t.Errorf("ParseRate(%q) = %v, %v", c.in, v, err)
		}
		if err != nil && !strings.Contains(err.Error(), "from 0 to 1") {
			t.Errorf("ParseRate(%q) error %q", c.in, err)
		}
	}
	limits := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"5/s", 5, true}, {"5", 5, true}, {"300/m", 5, true}, {"3600/h", 1, true}, {"0", 0, true},
		{"5/d", 0, false}, {"fast", 0, false}, {"-1/s", 0, false}, {"Inf", 0, false},
	}
	for _, c := range limits {
		v, err := ParseRateLimit(c.in)
		if (err == nil) != c.ok || (c.ok && math.Abs(v-c.want) > 1e-12) {
			t.Errorf("ParseRateLimit(%q) = %v, %v", c.in, v, err)
		}
	}
	for _, f := range []Faults{{FailRate: 2}, {DropRate: -1}, {RevertRate: math.NaN()}, {Latency: time.Millisecond, Jitter: time.Second}, {RateLimit: -1}} {
		if _, err := New(Options{Faults: f}); err == nil || !strings.Contains(err.Error(), "faults:") {
			t.Errorf("New with %+v: %v", f, err)
		}
	}
	if (Faults{}).Enabled() || newFaultInjector(Faults{}) != nil {
		t.Errorf("zero Faults inject something")
	}
}

// TestFaultFailRate: a failed request answers 500 with a JSON error and
// does nothing.
func TestFaultFailRate(t *testing.T) {
	r := start(t, Options{Faults: Faults{FailRate: 1}})
	res := do(t, "POST", r.BaseURL+"/auth/complete", `{"method":"guest","sessionId":"fail"}`, "x-client-id", r.ClientID())
	expect(t, res, 500, "injected fault")
	if e := res.errBody(t); e.Code != apiclient.CodeInternal {
		t.Errorf("code %q", e.Code)
	}
	r.wallets.mu.Lock()
	n := len(r.wallets.guests)
	r.wallets.mu.Unlock()
	if n != 0 {
		t.Errorf("a failed login created %d users", n)
	}
	// Preflights are not faulted: the browser would never see the 500.
	if res := do(t, "OPTIONS", r.BaseURL+"/auth/complete", "", "Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST"); res.status != 204 {
		t.Errorf("preflight: %d", res.status)
	}
}

// TestFaultRateLimit: over the limit, 429 with Retry-After.
func TestFaultRateLimit(t *testing.T) {
	r := start(t, Options{Faults: Faults{RateLimit: 0.5, RateBurst: 2}})
	info := r.BaseURL + "/sandbox/info"
	for i := range 2 {
		if res := do(t, "GET", info, "", "x-client-id", r.ClientID()); res.status != 200 {
			t.Fatalf("request %d within the burst: %d %s", i, res.status, res.body)
		}
	}
	res := do(t, "GET", info, "", "x-client-id", r.ClientID())
	expect(t, res, 429, "rate limit exceeded")
	if e := res.errBody(t); e.Code != apiclient.CodeRateLimited {
		t.Errorf("code %q", e.Code)
	}
	if ra := res.header.Get("Retry-After"); ra != "2" {
		t.Errorf("Retry-After %q, want 2 (one request per 2 s)", ra)
	}
}

// TestFaultLatency: every request waits at least Latency − Jitter.
func TestFaultLatency(t *testing.T) {
	r := start(t, Options{Faults: Faults{Latency: 300 * time.Millisecond, Jitter: 100 * time.Millisecond}})
	for range 3 {
		t0 := time.Now()
		if res := do(t, "GET", r.BaseURL+"/sandbox/info", "", "x-client-id", r.ClientID()); res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if d := time.Since(t0); d < 200*time.Millisecond {
			t.Errorf("answered after %v, want ≥ 200ms", d)
		}
	}
	// A client that gives up does not hold the handler.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", r.BaseURL+"/sandbox/info", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Errorf("no timeout under 300ms latency")
	}
}

// TestFaultDrop: the request takes effect, the connection dies mid-answer.
func TestFaultDrop(t *testing.T) {
	r := start(t, Options{Faults: Faults{DropRate: 1}})
	req, _ := http.NewRequest("POST", r.BaseURL+"/wallets/server", strings.NewReader(`{"identifier":"dropped"}`))
	req.Header.Set("x-secret-key", r.SecretKey())
	res, err := http.DefaultClient.Do(req)
	if err == nil {
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr == nil {
			t.Fatalf("a dropped answer was read whole: %d %s", res.StatusCode, b)
		}
		if res.StatusCode != 200 || len(b) == 0 {
			t.Errorf("dropped answer: status %d, %d bytes before the cut", res.StatusCode, len(b))
		}
		err = rerr
	}
	if !strings.Contains(err.Error(), "EOF") {
		t.Errorf("error %v, want an unexpected EOF", err)
	}
	r.wallets.mu.Lock()
	w := r.wallets.servers["dropped"]
	r.wallets.mu.Unlock()
	if w == nil {
		t.Errorf("the dropped request did not take effect")
	}
}

// TestFaultRevert: session executions revert on chain (status 0 receipt),
// ending FAILED with the decoded reason; nothing moves.
func TestFaultRevert(t *testing.T) {
	r := start(t, Options{Faults: Faults{RevertRate: 1}})
	f := newFixture(t, r, "revert-user", "revert-key")
	wantConfirmed(t, f.grant(t, `"durationInSeconds":600,"grantFullPermissions":true`)) // grants are not executions
	dest := common.HexToAddress("0x00000000000000000000000000000000000000c1")
	c, _ := r.Chains().Lookup(DefaultChainID)
	body := `{"chainId":84532,"from":"` + f.sessionKey + `","recipients":[{"address":"` + dest.Hex() + `","quantity":"5"}]}`
	tx := f.wait(t, f.writeIDs(t, "/wallets/send", body, f.sessionHeaders())[0])
	wantFailed(t, tx, "ERC20InvalidReceiver: ")
	rc, err := c.Client().TransactionReceipt(context.Background(), common.HexToHash(tx.Hash()))
	if err != nil || rc.Status != 0 {
		t.Fatalf("receipt of %s: %+v, %v; want a mined revert", tx.Hash(), rc, err)
	}
	if bal, _ := c.Balance(context.Background(), dest); bal.Sign() != 0 {
		t.Errorf("reverted send moved %s wei", bal)
	}
	var tp []apiclient.TransactionParam
	mustUnmarshal(t, tx.TransactionParams, &tp)
	if len(tp) != 2 || tp[1].To != c.Token().Hex() {
		t.Errorf("transactionParams do not show the injected call: %s", tx.TransactionParams)
	}
	// Under a scoped session the injected call is a policy violation.
	g := newFixture(t, r, "revert-user-2", "revert-key-2")
	wantConfirmed(t, g.grant(t, `"durationInSeconds":600,"grantFullPermissions":false,"transferPolicies":[{"target":"`+dest.Hex()+`","maxValuePerUse":"10"}]`))
	gBody := strings.Replace(body, f.sessionKey, g.sessionKey, 1)
	wantFailed(t, g.wait(t, g.writeIDs(t, "/wallets/send", gBody, g.sessionHeaders())[0]), "CallPolicyViolated: ")
	// Direct sends are not executions: untouched.
	wantConfirmed(t, f.wait(t, f.writeIDs(t, "/wallets/send", `{"chainId":84532,"from":"`+f.sessionKey+`","recipients":[{"address":"`+dest.Hex()+`","quantity":"5"}]}`, f.secret())[0]))
}
