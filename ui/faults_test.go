package ui

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// The faults table of docs/security.md as the console shows it: for each
// row, what the user sees, and that nothing is lost. Each test runs against
// a hand-written API that misbehaves (fakeAPI), at 140×45 and 60×15.

var faultSizes = [][2]int{{140, 45}, {60, 15}}

// goInternals are phrases of Go's errors that must never reach the screen.
var goInternals = []string{"dial tcp", "context deadline exceeded", "Client.Timeout", "unexpected EOF", "connect: connection refused", "read tcp", "net/http"}

func assertPlain(t *testing.T, v string) {
	t.Helper()
	for _, g := range goInternals {
		if strings.Contains(v, g) {
			t.Errorf("Go internals %q on screen:\n%s", g, v)
		}
	}
}

// 401/403: which credential and where to set it; no retry loop, no r: retry.
func TestFault401SendNamesTheSecretKeyNoRetry(t *testing.T) {
	for _, size := range faultSizes {
		f := newFakeAPI(t)
		f.on("POST /wallets/send", jsonAnswer(401, `{"error":{"code":"UNAUTHORIZED","message":"invalid secret key"}}`))
		m, d := newFakeConsole(t, f, size[0], size[1], sendScreen)
		d.key("ctrl+s")
		v := d.untilSeen(3*time.Second, "secret key was refused")
		for _, want := range []string{flows.EnvSecretKey, "--secret-key"} {
			if !strings.Contains(seen(v), seen(want)) {
				t.Errorf("%dx%d: banner does not say where to set it (%q):\n%s", size[0], size[1], want, v)
			}
		}
		if strings.Contains(v, "r: retry") || m.keys.Retry.Enabled() {
			t.Errorf("%dx%d: r: retry offered after a 401:\n%s", size[0], size[1], v)
		}
		d.key("r") // does nothing
		d.pump(300 * time.Millisecond)
		if n := f.count("POST /wallets/send"); n != 1 {
			t.Errorf("POST sent %d times, want once (no retry loop)", n)
		}
		assertFits(t, m.View(), size[0], size[1])
	}
}

func TestFault403PollStopsAtOnce(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /transactions/tx-403", jsonAnswer(403, `{"error":{"code":"FORBIDDEN","message":"records are visible to their owner only"}}`))
	m, d := newFakeConsole(t, f, 140, 45, sendScreen)
	d.send(watchTxMsg{"tx-403", "send"})
	v := d.untilSeen(3*time.Second, "secret key was refused", "records are visible to their owner only")
	d.pump(1500 * time.Millisecond)
	if n := f.count("GET /transactions/tx-403"); n != 1 {
		t.Errorf("a 403 poll was repeated %d times, want 1 (no retry loop)", n)
	}
	if strings.Contains(v, "r: retry") {
		t.Errorf("r: retry offered after a 403:\n%s", v)
	}
	assertFits(t, m.View(), 140, 45)
}

// 404 transaction ID: that row says unknown; the others keep updating.
func TestFault404RowUnknownOthersUpdate(t *testing.T) {
	for _, size := range faultSizes {
		f := newFakeAPI(t)
		f.on("GET /transactions/ghost-id", jsonAnswer(404, `{"error":{"code":"NOT_FOUND","message":"transaction not found"}}`))
		f.on("GET /transactions/good-id", sequence(txJSON("good-id", apiclient.StatusQueued, "", ""), txJSON("good-id", apiclient.StatusConfirmed, "77", "")))
		m, d := newFakeConsole(t, f, size[0], size[1], activityScreen)
		d.send(watchTxMsg{"ghost-id", "send"})
		d.send(watchTxMsg{"good-id", "send"})
		v := d.until(5*time.Second, "UNKNOWN", "CONFIRMED", "77")
		if !strings.Contains(seen(v), seen("the API does not know this transaction ID (404)")) {
			t.Errorf("%dx%d: the unknown row does not say why:\n%s", size[0], size[1], v)
		}
		if r := m.c.txs.get("good-id"); r == nil || r.tx.Status != apiclient.StatusConfirmed {
			t.Errorf("the other row stopped updating")
		}
		assertFits(t, m.View(), size[0], size[1])
	}
}

// 429 + Retry-After: GET polls wait as told and the wait is shown; a POST
// is never resent on its own, and r offers to send it again.
func TestFault429GetWaitsAsToldPostNotResent(t *testing.T) {
	f := newFakeAPI(t)
	limited := jsonAnswer(429, `{"error":{"code":"RATE_LIMITED","message":"slow down"}}`, "Retry-After", "1")
	f.on("GET /transactions/slow-id", sequence(limited, limited, limited, txJSON("slow-id", apiclient.StatusConfirmed, "9", "")))
	f.on("POST /wallets/send", sequence(limited, idsJSON("sent-after-429")))
	f.on("GET /transactions/sent-after-429", txJSON("sent-after-429", apiclient.StatusConfirmed, "10", ""))
	m, d := newFakeConsole(t, f, 60, 15, activityScreen)
	d.send(watchTxMsg{"slow-id", "send"})
	v := d.untilSeen(5*time.Second, "429")
	if !strings.Contains(seen(v), seen("waiting 1s as the API asked (Retry-After)")) {
		t.Errorf("the wait is not shown:\n%s", v)
	}
	d.until(10*time.Second, "CONFIRMED")
	ts := f.times("GET /transactions/slow-id")
	for i := 1; i < len(ts); i++ {
		if gap := ts[i].Sub(ts[i-1]); gap < 900*time.Millisecond {
			t.Errorf("poll %d came %s after a 429 with Retry-After: 1", i+1, gap)
		}
	}
	// POST: 429 is shown, not resent; r sends it once more.
	d.send(goToMsg{sendScreen})
	d.key("ctrl+s")
	d.until(3*time.Second, "API 429", "retry")
	d.pump(1500 * time.Millisecond)
	if n := f.count("POST /wallets/send"); n != 1 {
		t.Fatalf("POST sent %d times after a 429, want 1 (never resent on its own)", n)
	}
	d.key("ctrl+r") // a field has focus: ctrl+r, as the banner says
	d.untilFn(3*time.Second, func() bool { return len(m.c.sess.sendIDs) == 1 }, "the retried send")
	if n := f.count("POST /wallets/send"); n != 2 {
		t.Errorf("POST sent %d times after r, want 2", n)
	}
	assertFits(t, m.View(), 60, 15)
}

// 500/503: GETs retried with a growing, bounded wait; a failed POST shows
// the error and offers retry.
func TestFault5xxGetBackoffPostOffersRetry(t *testing.T) {
	f := newFakeAPI(t)
	boom := jsonAnswer(500, `{"error":{"code":"INTERNAL","message":"boom"}}`)
	f.on("GET /transactions/flaky-id", sequence(boom, boom, txJSON("flaky-id", apiclient.StatusConfirmed, "12", "")))
	f.on("POST /wallets/send", sequence(jsonAnswer(503, `{"error":{"code":"UNAVAILABLE","message":"try later"}}`), idsJSON("sent-after-503")))
	f.on("GET /transactions/sent-after-503", txJSON("sent-after-503", apiclient.StatusConfirmed, "13", ""))
	m, d := newFakeConsole(t, f, 140, 45, activityScreen)
	d.send(watchTxMsg{"flaky-id", "send"})
	d.until(10*time.Second, "CONFIRMED", "12")
	ts := f.times("GET /transactions/flaky-id")
	if len(ts) != 3 {
		t.Fatalf("%d polls, want 3 (two failures, then the answer)", len(ts))
	}
	if g1, g2 := ts[1].Sub(ts[0]), ts[2].Sub(ts[1]); g1 < 200*time.Millisecond || g2 <= g1 {
		t.Errorf("no growing backoff after 500s: waits %s then %s", g1, g2)
	}
	d.send(goToMsg{sendScreen})
	d.key("ctrl+s")
	v := d.until(3*time.Second, "API 503", "try later", "retry")
	d.pump(500 * time.Millisecond)
	if n := f.count("POST /wallets/send"); n != 1 {
		t.Fatalf("POST sent %d times after a 503, want 1", n)
	}
	d.key("ctrl+r")
	d.untilFn(3*time.Second, func() bool { return len(m.c.sess.sendIDs) == 1 }, "the retried send")
	if strings.Contains(d.view(), "API 503") {
		t.Errorf("the banner stayed after the retry worked:\n%s", v)
	}
}

// Refused: a plain-language banner, no Go internals.
func TestFaultRefusedPlainBanner(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	for _, size := range faultSizes {
		m, _ := newOffline(t, flows.Config{Mode: flows.ModeLive, APIURL: "http://" + addr + "/v1", ClientID: "c", SecretKey: testSecret, ChainID: 84532})
		d := drive(t, m, size[0], size[1])
		v := d.untilSeen(5*time.Second, "could not connect to the API")
		assertPlain(t, v)
		if !strings.Contains(v, "r: retry") {
			t.Errorf("%dx%d: no retry offered after a refused connection:\n%s", size[0], size[1], v)
		}
		if strings.Contains(v, "✓ connected") || strings.Contains(v, "connected to") {
			t.Errorf("%dx%d: says connected:\n%s", size[0], size[1], v)
		}
		assertFits(t, m.View(), size[0], size[1])
	}
}

// Timeout: the wait is shown with its elapsed time, esc cancels, earlier
// results stay; the timeout itself reads plainly.
func TestFaultHangingPostElapsedEscCancels(t *testing.T) {
	for _, size := range faultSizes {
		f := newFakeAPI(t)
		f.on("POST /wallets/send", sequence(idsJSON("first-send"), f.hang()))
		f.on("GET /transactions/first-send", txJSON("first-send", apiclient.StatusConfirmed, "5", ""))
		m, d := newFakeConsole(t, f, size[0], size[1], sendScreen)
		d.key("ctrl+s")
		d.untilFn(3*time.Second, func() bool { return len(m.c.sess.sendIDs) == 1 }, "the first send")
		d.until(3*time.Second, "CONFIRMED")
		d.key("tab", "ctrl+s") // the second send hangs
		time.Sleep(1100 * time.Millisecond)
		d.send(nil)
		v := d.view()
		if !strings.Contains(v, "waiting for the API") || !strings.Contains(v, "esc cancels") || !strings.Contains(v, "1.") {
			t.Fatalf("%dx%d: no elapsed wait shown:\n%s", size[0], size[1], v)
		}
		d.key("esc")
		v = d.until(2*time.Second, "cancelled")
		if m.active != sendScreen {
			t.Errorf("esc while waiting left the step (%s)", m.active)
		}
		if !strings.Contains(v, "first-send") && !strings.Contains(v, apiclient.ShortHex("first-send")) {
			t.Errorf("%dx%d: the earlier result is gone:\n%s", size[0], size[1], v)
		}
		assertPlain(t, v)
		assertFits(t, m.View(), size[0], size[1])
	}
}

func TestFaultTimeoutReadsPlainly(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /transactions/x", f.hang())
	c := apiclient.New(f.srv.URL+"/v1", "c", testSecret, apiclient.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}), apiclient.WithRetry(1, 0))
	_, err := c.Transaction(context.Background(), "x")
	if err == nil {
		t.Fatal("no timeout")
	}
	got := errorText(err)
	if !strings.Contains(got, "did not answer within") || !strings.Contains(got, "GET /transactions/x") {
		t.Errorf("timeout reads %q", got)
	}
	assertPlain(t, got)
}

// Dropped connection and malformed JSON while polling: plain words naming
// the endpoint, the row stays, nothing panics; a later good answer heals it.
func TestFaultDroppedAndMalformed(t *testing.T) {
	for _, size := range faultSizes {
		f := newFakeAPI(t)
		f.on("GET /transactions/drop-id", sequence(drop, drop, txJSON("drop-id", apiclient.StatusConfirmed, "3", "")))
		f.on("GET /transactions/bad-json", sequence(jsonAnswer(200, `{"result":{"id":"bad-json","status":`), txJSON("bad-json", apiclient.StatusConfirmed, "4", "")))
		m, d := newFakeConsole(t, f, size[0], size[1], activityScreen)
		d.send(watchTxMsg{"drop-id", "send"})
		v := d.untilSeen(3*time.Second, "closed the connection")
		assertPlain(t, v)
		d.until(10*time.Second, "CONFIRMED")
		d.send(watchTxMsg{"bad-json", "send"})
		d.key("G")
		v = d.untilSeen(3*time.Second, "is not valid JSON")
		if !strings.Contains(seen(v), seen("GET /transactions/bad-json")) {
			t.Errorf("%dx%d: the decode error does not name the endpoint:\n%s", size[0], size[1], v)
		}
		d.untilFn(10*time.Second, func() bool { r := m.c.txs.get("bad-json"); return r != nil && r.final() }, "the healed row")
		if len(m.c.txs.rows) != 2 {
			t.Errorf("%d rows, want both kept", len(m.c.txs.rows))
		}
		assertFits(t, m.View(), size[0], size[1])
	}
}

// A malformed answer to a POST: the banner names the endpoint.
func TestFaultMalformedPostNamesEndpoint(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /wallets/send", jsonAnswer(200, `<html>oops`))
	m, d := newFakeConsole(t, f, 60, 15, sendScreen)
	d.key("ctrl+s")
	v := d.untilSeen(3*time.Second, "is not valid JSON")
	if !strings.Contains(seen(v), seen("POST /wallets/send")) {
		t.Errorf("no endpoint in:\n%s", v)
	}
	assertFits(t, m.View(), 60, 15)
}

// q right after ctrl+s, while the request is in flight, asks first.
func TestQuitAsksWhileRequestInFlight(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /wallets/create-session-key", f.hang())
	m, d := newFakeConsole(t, f, 60, 15, permissionsScreen)
	d.send(grantRequestedMsg{flows.GrantInput{Duration: time.Hour, Full: true}}) // what ctrl+s on Permissions emits
	d.until(2*time.Second, "sending the grant")
	d.key("q")
	v := d.view()
	if !m.confirm || !strings.Contains(v, "request(s) not answered yet. Quit anyway? (y/N)") {
		t.Fatalf("q quit with the grant in flight:\n%s", v)
	}
	d.key("n")
	d.pump(20 * time.Millisecond)
	if d.quit.Load() {
		t.Fatal("n quit")
	}
	d.key("q", "y")
	d.pump(20 * time.Millisecond)
	if !d.quit.Load() {
		t.Fatal("y did not quit")
	}
}

// Network trouble reads the same in the console as everywhere else: the
// wording is apiclient's (NetError), whether the error came through the
// client or bare from the transport; only a wrapper's context is added.
func TestErrorTextWordsNetworkTroubleLikeAPIClient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := apiclient.New("http://"+addr+"/v1", "c", testSecret, apiclient.WithRetry(1, 0))
	_, viaClient := c.Transaction(context.Background(), "x")
	_, bare := net.Dial("tcp", addr)
	cases := []struct {
		err  error
		want string
	}{
		{viaClient, "could not connect to the API at " + addr + ": nothing is listening there (connection refused) (GET /transactions/x)"},
		{fmt.Errorf("connecting: %w", viaClient), "connecting: could not connect to the API at " + addr + ": nothing is listening there (connection refused) (GET /transactions/x)"},
		{fmt.Errorf("starting the embedded sandbox: %w", bare), "starting the embedded sandbox: could not connect to the API: nothing is listening there (connection refused)"},
		{fmt.Errorf("reading sessions: %w", context.DeadlineExceeded), "reading sessions: the API did not answer in time"},
		{fmt.Errorf("watch: %w", io.ErrUnexpectedEOF), "watch: the API closed the connection without answering"},
		{&net.DNSError{Name: "api.example.invalid", Err: "no such host"}, "could not find the API's host api.example.invalid (the name does not resolve)"},
	}
	for _, tc := range cases {
		got := errorText(tc.err)
		if got != tc.want {
			t.Errorf("errorText(%v)\n got %s\nwant %s", tc.err, got, tc.want)
		}
		ne, ok := apiclient.NetErrorOf(tc.err)
		if !ok || !strings.HasSuffix(got, ne.Error()) {
			t.Errorf("%v: the console's words %q are not apiclient's %v", tc.err, got, ne)
		}
		assertPlain(t, got)
	}
	// not network trouble: the error's own words
	if got := errorText(errString("log in first")); got != "log in first" {
		t.Errorf("a plain error reads %q", got)
	}
}
