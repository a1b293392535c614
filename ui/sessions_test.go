package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"context"
	"net"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
	"walletconsole/flows"
)

// rpcStarter is testStarter with the sandbox's JSON-RPC on, as main starts
// it for the console: the Sessions screen reads the chain through it.
func rpcStarter(t *testing.T) flows.SandboxStarter {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return func(ctx context.Context, clientID, secretKey string) (flows.EmbeddedSandbox, error) {
		r, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{ClientID: clientID, SecretKey: secretKey, BlockTime: 50 * time.Millisecond, RPCAddr: addr})
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// s opens Sessions after the walkthrough: the granted key is live; v y
// revokes it (empty grant, read back, probe refused on chain), the list
// shows it revoked and the old grant replaced; + moves the sandbox clock;
// esc goes back where s was pressed.
func TestSessionsScreen(t *testing.T) {
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox, SecretKey: testSecret})
	m.opts.StartSandbox = rpcStarter(t)
	m.opts.Now = time.Now
	m.c.now = time.Now
	d := drive(t, m, 140, 45)
	d.until(20*time.Second, "sandbox ✓ ready")
	d.key("enter")
	d.until(10*time.Second, "3 · Session key")
	d.key("enter")
	d.until(10*time.Second, "Full access")
	d.key("ctrl+s")
	d.until(20*time.Second, "6 · Send")
	d.key("ctrl+s")
	d.until(20*time.Second, "Sent")
	for m.c.txs.pending() > 0 {
		d.pump(50 * time.Millisecond)
	}
	d.key("s")
	v := d.until(20*time.Second, "LIVE · wildcard")
	if !strings.Contains(v, m.c.sess.key.Address) && !strings.Contains(v, "…") {
		t.Fatalf("the key is not listed:\n%s", v)
	}
	assertFits(t, v, 140, 45)
	d.key("v")
	d.until(time.Second, "(y to go on)")
	d.key("y")
	v = d.until(60*time.Second, "the old permissions are gone", "REVOKED", "REPLACED")
	if !strings.Contains(v, "refused on chain:") || !strings.Contains(v, "TransferPolicyViolated") {
		t.Fatalf("no probe refusal:\n%s", v)
	}
	// The revoke's grant and probe are the run's transactions too: followed
	// to their end and listed in the exit summary.
	d.untilFn(20*time.Second, func() bool { return len(m.c.txs.rows) == 4 && m.c.txs.pending() == 0 }, "the revoke's transactions followed")
	sum := m.ExitSummary()
	for _, want := range []string{"revoke ", "probe ", "FAILED in block"} {
		if !strings.Contains(sum, want) {
			t.Errorf("exit summary lacks %q:\n%s", want, sum)
		}
	}
	d.key("+")
	d.until(20*time.Second, "advanced 1h")
	// the list reloads after the advance; esc while it loads would cancel it
	d.untilFn(20*time.Second, func() bool { return m.inFlight() == 0 }, "the reload")
	d.key("esc")
	d.until(time.Second, "Sent")
	if m.active != sendScreen {
		t.Fatalf("esc went to %s", m.active)
	}
}

// Without a login the screen says what to do first.
func TestSessionsScreenNeedsLogin(t *testing.T) {
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox})
	s := newSessions(m.c)
	s.SetSize(80, 20)
	if cmd := s.Init(); cmd != nil {
		t.Error("a read started without a connection")
	}
	if v := s.View(); !strings.Contains(v, "not connected yet") {
		t.Errorf("view:\n%s", v)
	}
}

// Meters read in token units like the Try panel ("used 1 TST of 150 TST"),
// ETH for value, raw base units after w.
func TestSessionsMetersInUnits(t *testing.T) {
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox})
	withWalkthrough(m)
	calls := []apiclient.CallPolicy{{Target: testToken2, Selector: "0xa9059cbb", Constraints: []apiclient.Constraint{
		{Condition: apiclient.CondUnconstrained, Index: 1, Limit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "150000000000000000000", Period: "0"}},
	}}}
	transfers := []apiclient.TransferPolicy{{Target: testUser, MaxValuePerUse: "10000000000000000",
		ValueLimit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "50000000000000000", Period: "0"}}}
	limits := []apiclient.LimitState{
		{Kind: flows.LimitKindCallParam, Target: testToken2, Selector: "0xa9059cbb", Index: 1, Remaining: "149000000000000000000"},
		{Kind: flows.LimitKindTransferValue, Target: testUser, Remaining: "30000000000000000"},
	}
	s := newSessions(m.c)
	s.SetSize(200, 30)
	s.loaded = true
	s.list = flows.SessionList{ChainID: 84532, Account: testUser, Sessions: []flows.SessionEntry{{Signer: testKey, Status: flows.SessionLive,
		CallPolicies: calls, TransferPolicies: transfers, Meters: flows.Meters(calls, transfers, limits, testNow)}}}
	v := s.View()
	for _, want := range []string{"used 1 TST of 150 TST in total, 149 TST left", "used 0.02 ETH of 0.05 ETH in total, 0.03 ETH left"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in\n%s", want, v)
		}
	}
	m.c.rawWei = true
	v = s.View()
	for _, want := range []string{"used 1000000000000000000 of 150000000000000000000 in total, 149000000000000000000 left",
		"used 20000000000000000 wei of 50000000000000000 wei in total, 30000000000000000 wei left"} {
		if !strings.Contains(v, want) {
			t.Errorf("after w: no %q in\n%s", want, v)
		}
	}
}

// At 60×15 the screen scrolls its body with pgup/pgdn (↑/↓ still choose a
// session): every row of the body (the selected session's policies and
// meters, what revoking means) shows whole in some frame, the frame fits,
// and a two-line status stays under the body in every frame.
func TestSessionsScrollsAt60x15(t *testing.T) {
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox})
	withWalkthrough(m)
	list := meteredSessions()
	e := list.Sessions[0]
	for _, p := range e.CallPolicies {
		e.Policies = append(e.Policies, flows.DescribeCallPolicy(p, nil))
	}
	e.Policies = append(e.Policies, "any call to "+testUser+" with at most 0.01 ETH each")
	other := flows.SessionEntry{Signer: testToken2, Status: flows.SessionReplaced, Expires: "replaced"}
	list.Sessions = []flows.SessionEntry{e, other}
	s := newSessions(m.c)
	s.err, s.loaded, s.list = "", true, list
	s.note = "advanced 1h: the chain's clock reads 2026-12-03 09:00:00 UTC, and the meters were read again"
	s.SetSize(60, 15)
	s.Update(nil)
	status := s.status(60)
	if len(status) < 2 {
		t.Fatalf("the note is not two lines at 60 columns: %q", status)
	}
	body, _, _ := s.body(60)
	if len(body)+1+len(status) <= 15 {
		t.Fatalf("the body fits (%d rows): nothing to scroll", len(body))
	}
	rows := map[string]bool{}
	var all strings.Builder
	frame := func() string {
		t.Helper()
		v := s.View()
		assertFits(t, v, 60, 15)
		ls := strings.Split(v, "\n")
		if !strings.Contains(ls[0], "Sessions") {
			t.Errorf("the title scrolled away:\n%s", v)
		}
		if got := strings.Join(ls[len(ls)-len(status):], "\n"); got != strings.Join(status, "\n") {
			t.Errorf("the status is not under the body:\n%s", v)
		}
		for _, l := range ls {
			rows[l] = true
		}
		all.WriteString(v + "\n")
		return v
	}
	v := frame()
	if !strings.Contains(v, "↓") || !strings.Contains(v, "more (pgdn)") {
		t.Errorf("no ↓ N more at the top:\n%s", v)
	}
	for range len(body) {
		s.Update(tea.KeyMsg{Type: tea.KeyPgDown})
		frame()
	}
	v = frame()
	if !strings.Contains(v, "↑") || !strings.Contains(v, "more (pgup)") || strings.Contains(v, "more (pgdn)") {
		t.Errorf("at the bottom: want ↑ N more and no ↓:\n%s", v)
	}
	for range len(body) {
		s.Update(tea.KeyMsg{Type: tea.KeyPgUp})
		frame()
	}
	for i, l := range body {
		if !rows[l] {
			t.Errorf("body row %d never shows whole: %q", i, ansi.Strip(l))
		}
	}
	for _, want := range []string{flows.RevocationNote, "meter: amount of transfer(address,uint256) on 0x5FbD…0aa3: used 1 TST of 150 TST in total, 149 TST left",
		"1. transfer(address,uint256)", "2. any call to " + testUser} {
		if !strings.Contains(seen(ansi.Strip(all.String())), seen(want)) {
			t.Errorf("%q never shows", want)
		}
	}
	// back at the top, ↓ chooses the other session and scrolls it into view
	if s.scroll.offset() != 0 {
		t.Fatalf("pgup did not return to the top: offset %d", s.scroll.offset())
	}
	s.Update(tea.KeyMsg{Type: tea.KeyDown})
	if s.sel != 1 {
		t.Fatalf("↓ chose %d", s.sel)
	}
	if v := frame(); !strings.Contains(v, "› ") || !strings.Contains(ansi.Strip(v), "REPLACED") {
		t.Errorf("the chosen session is not in view:\n%s", v)
	}
}
