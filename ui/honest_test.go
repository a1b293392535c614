package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

const otherUser = "0x1111111111111111111111111111111111111111"

// After n (a new guest), no step of the previous user shows as done; the
// run's transactions stay in Activity and in the exit summary.
func TestNewGuestClearsLaterSteps(t *testing.T) {
	f := newFakeAPI(t)
	f.on("POST /auth/complete", jsonAnswer(200, `{"isNewUser":true,"token":"`+testToken+`","type":"guest","walletAddress":"`+otherUser+`"}`))
	m, d := newFakeConsole(t, f, 140, 45, loginScreen)
	c := m.c
	m.screens[loginScreen].(*login).done = true
	confirm(c, testGrant, "grant", "41", time.Second)
	c.sess.grant.TxID = testGrant
	confirm(c, testSend, "send", "43", time.Second)
	c.sess.sendIDs = []string{testSend}
	d.send(nil)
	before := d.view()
	if !strings.Contains(before, testSend) || strings.Count(before, "✓") < 5 {
		t.Fatalf("setup: steps not done:\n%s", before)
	}
	d.key("n")
	d.untilFn(3*time.Second, func() bool { return apiclient.SameAddress(c.sess.login.Address, otherUser) }, "the new guest")
	d.pump(50 * time.Millisecond)
	sum := ansi.Strip(m.summaryView(46))
	for _, step := range []string{"3 Session key", "4 Permissions", "5 Grant", "6 Send"} {
		for _, l := range strings.Split(sum, "\n") {
			if strings.Contains(l, step) && strings.Contains(l, "✓") {
				t.Errorf("after n, %q still shows done: %q", step, l)
			}
		}
	}
	for _, old := range []string{testGrant, testSend, testKey} {
		if strings.Contains(sum, old) || strings.Contains(sum, apiclient.ShortHex(old)) {
			t.Errorf("after n, the steps still show %s:\n%s", old, sum)
		}
	}
	if v := d.view(); !strings.Contains(v, "key —") {
		t.Errorf("the header still shows the old key:\n%s", v)
	}
	if len(c.txs.rows) != 2 {
		t.Errorf("the run's transactions were dropped from Activity")
	}
	if s := m.ExitSummary(); !strings.Contains(s, testGrant) || !strings.Contains(s, testSend) {
		t.Errorf("the exit summary lost the earlier transactions:\n%s", s)
	}
}

// Another key clears the grant and sends made for the previous key.
func TestAnotherKeyClearsGrantAndSends(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	withWalkthrough(m)
	m.active = sessionKeyScreen
	m.Update(tea.WindowSizeMsg{Width: 140, Height: 45})
	sk := m.screens[sessionKeyScreen].(*sessionKey)
	sk.gen++
	m.Update(keyCreatedMsg{sk.gen, flows.SessionKey{Address: otherUser, Identifier: "other"}, nil})
	if m.c.sess.grant.TxID != "" || m.c.sess.grantOK || len(m.c.sess.sendIDs) != 0 {
		t.Fatalf("grant/sends of the previous key kept: %+v", m.c.sess)
	}
	sum := ansi.Strip(m.summaryView(46))
	if strings.Contains(sum, "CONFIRMED") {
		t.Errorf("steps still show the old key's confirmed grant/send:\n%s", sum)
	}
	// the same key again keeps them
	m2, _ := newOffline(t, flows.Config{})
	withWalkthrough(m2)
	sk2 := m2.screens[sessionKeyScreen].(*sessionKey)
	sk2.gen++
	m2.Update(keyCreatedMsg{sk2.gen, m2.c.sess.key, nil})
	if m2.c.sess.grant.TxID == "" || len(m2.c.sess.sendIDs) == 0 {
		t.Error("choosing the same key again dropped its grant")
	}
}

// Live connect checks reachability and the secret key before it says
// connected: a refused key is named, with where to set it, and no retry.
func TestLiveConnectChecksCredentials(t *testing.T) {
	for _, size := range faultSizes {
		f := newFakeAPI(t)
		f.on("GET /wallets/server", jsonAnswer(401, `{"error":{"code":"UNAUTHORIZED","message":"invalid secret key"}}`))
		m, _ := newOffline(t, f.cfg())
		d := drive(t, m, size[0], size[1])
		v := d.untilSeen(3*time.Second, "secret key was refused", flows.EnvSecretKey)
		if m.c.runner != nil || m.c.sess.sbReady {
			t.Errorf("%dx%d: the console counts itself connected after a 401", size[0], size[1])
		}
		if strings.Contains(v, "r: retry") {
			t.Errorf("%dx%d: retry offered after a 401:\n%s", size[0], size[1], v)
		}
		if f.count("GET /wallets/server") != 1 {
			t.Errorf("check made %d times", f.count("GET /wallets/server"))
		}
		assertFits(t, m.View(), size[0], size[1])
	}
}

// While a live connect waits, the elapsed time shows; esc stops it.
func TestLiveConnectWaitShowsElapsedEscCancels(t *testing.T) {
	f := newFakeAPI(t)
	f.on("GET /wallets/server", f.hang())
	m, _ := newOffline(t, f.cfg())
	m.c.now = time.Now
	d := drive(t, m, 60, 15)
	time.Sleep(1100 * time.Millisecond)
	d.send(nil)
	v := d.view()
	if !strings.Contains(v, "connecting · 1.") || !strings.Contains(v, "esc cancels") {
		t.Fatalf("no elapsed connect wait:\n%s", v)
	}
	d.key("esc")
	v = d.untilSeen(2*time.Second, "cancelled")
	if m.active != loginScreen || m.c.runner != nil {
		t.Errorf("esc: on %s, runner %v", m.active, m.c.runner)
	}
	assertPlain(t, v)
}

// Explorer links only for a real chain: not when the API announced
// itself as a sandbox (/v1/sandbox/info), even in live mode.
func TestExplorerLinksOnlyOnRealChain(t *testing.T) {
	for _, sandbox := range []bool{false, true} {
		f := newFakeAPI(t)
		if sandbox {
			f.on("GET /sandbox/info", jsonAnswer(200, `{"version":"1","defaultChainId":84532,"tokenSymbol":"TST"}`))
		}
		f.on("GET /transactions/real-id", txJSON("real-id", apiclient.StatusConfirmed, "8", ""))
		m, d := newFakeConsole(t, f, 140, 45, activityScreen)
		d.send(watchTxMsg{"real-id", "send"})
		d.until(3*time.Second, "CONFIRMED")
		d.key("G", "enter")
		v := ansi.Strip(m.screens[activityScreen].View())
		has := strings.Contains(seen(v), "https://sepolia.basescan.org/tx/"+testHash)
		if has == sandbox {
			t.Errorf("sandbox=%v: explorer link shown=%v:\n%s", sandbox, has, v)
		}
	}
}

// On exit the run's summary lists mode, user, key and every transaction
// with its final state (and reason), never a secret.
func TestExitSummary(t *testing.T) {
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox, SecretKey: testSecret})
	withWalkthrough(m)
	failedCall(m)
	m.c.txs.add("still-pending", "send", testNow)
	// failed before reaching the chain: no block to name
	early, msg := m.c.txs.add("never-sent", "send", testNow), "submitting the transaction failed"
	early.tx = apiclient.Transaction{ID: "never-sent", Status: apiclient.StatusFailed, ErrorMessage: &msg}
	m.Close()
	s := m.ExitSummary()
	for _, want := range []string{"sandbox", "chain 84532", testUser, testKey, "session-key-1795618400000",
		testGrant + " CONFIRMED block 41", testSend + " CONFIRMED block 43", revertID + " FAILED in block 57",
		"reason: " + tstUsageReason, "still-pending QUEUED (not final when the console quit)"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary misses %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "never-sent FAILED in block") || !strings.Contains(s, "never-sent FAILED\n") {
		t.Errorf("a transaction that never reached the chain is shown with a block:\n%s", s)
	}
	if strings.Contains(s, testSecret) || strings.Contains(s, testToken) || strings.Contains(s, "\x1b") {
		t.Errorf("summary has a secret or an escape:\n%s", s)
	}
	if m.View() != "" {
		t.Error("a closed console still draws")
	}
}

// "r: retry" only where retrying can help.
func TestRetryOfferedOnlyWhereItHelps(t *testing.T) {
	cases := []struct {
		err   error
		retry bool
	}{
		{&apiclient.APIError{Status: 400, Method: "POST", Path: "/wallets/send"}, false},
		{&apiclient.APIError{Status: 401, Method: "POST", Path: "/wallets/send"}, false},
		{&apiclient.APIError{Status: 403, Method: "POST", Path: "/wallets/send"}, false},
		{&apiclient.APIError{Status: 404, Method: "GET", Path: "/transactions/x"}, true},
		{&apiclient.APIError{Status: 429, Method: "POST", Path: "/wallets/send"}, true},
		{&apiclient.APIError{Status: 500, Method: "POST", Path: "/wallets/send"}, true},
		{errString("log in first"), false},
		{retryableError{errString("starting the embedded sandbox: port in use")}, true},
	}
	for _, tc := range cases {
		m, _ := newOffline(t, flows.Config{})
		m.active = sendScreen
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		m.Update(errMsg{sendScreen, tc.err})
		v := ansi.Strip(m.View())
		if got := strings.Contains(v, "r: retry"); got != tc.retry {
			t.Errorf("%v: r: retry shown=%v, want %v:\n%s", tc.err, got, tc.retry, v)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }
