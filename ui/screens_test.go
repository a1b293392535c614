package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// --- root and start-up ---

func TestOpensOnLoginWhenConfigComplete(t *testing.T) {
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox})
	if m.active != loginScreen {
		t.Fatalf("sandbox config: opened on %s, want Guest login", m.active)
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "2 · Guest login") || !strings.Contains(v, "sandbox") {
		t.Fatalf("first frame:\n%s", v)
	}
	// Connect is one esc away, with the form as configured.
	m.Update(keyMsg("esc"))
	if m.active != connectScreen {
		t.Fatalf("esc from login: on %s, want Connect", m.active)
	}
	live, _ := newOffline(t, flows.Config{Mode: flows.ModeLive, APIURL: "https://example.test/v1"})
	if live.active != connectScreen {
		t.Fatalf("live config without credentials: opened on %s, want Connect", live.active)
	}
}

func TestFirstFrameBeforeAnySize(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	// teatest sends the size after Init: View must work without one.
	if v := m.View(); !strings.Contains(ansi.Strip(v), "Guest login") {
		t.Fatalf("no first frame without a size:\n%s", v)
	}
}

// --- connect: validation beside fields, secret masked, letters captured ---

func TestConnectValidationAndMasking(t *testing.T) {
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeLive, APIURL: "https://example.test/v1", ClientID: "cid", ChainID: 84532})
	d := drive(t, m, 120, 30)
	v := d.view()
	if !strings.Contains(v, "(•) live") {
		t.Fatalf("live mode not selected:\n%s", v)
	}
	d.key("ctrl+s") // secret key missing
	v = d.view()
	if !strings.Contains(v, "✗ live mode needs the secret key") {
		t.Fatalf("no validation message beside the secret field:\n%s", v)
	}
	c := m.screens[connectScreen].(*connect)
	if c.form.Index() != 3 {
		t.Fatalf("focus on %d, want the secret key (3)", c.form.Index())
	}
	d.typeText("sk_typed_secret_value")
	v = d.view()
	if strings.Contains(v, "sk_typed_secret_value") {
		t.Fatal("secret key shown while masked")
	}
	if strings.Contains(v, "needs the secret key") {
		t.Fatalf("message not cleared after typing:\n%s", v)
	}
	d.key("ctrl+t")
	if v = d.view(); !strings.Contains(v, "sk_typed_secret_value") {
		t.Fatalf("ctrl+t did not show the secret:\n%s", v)
	}
	d.key("ctrl+t")
	// Bad chain ID: message at the field, typed text kept.
	d.key("tab", "ctrl+u")
	d.typeText("12x")
	d.key("ctrl+s")
	v = d.view()
	if !strings.Contains(v, "✗ a positive chain ID") || !strings.Contains(v, "12x") {
		t.Fatalf("chain validation:\n%s", v)
	}
}

func TestLettersTypeIntoFields(t *testing.T) {
	m, clip := newOffline(t, flows.Config{Mode: flows.ModeLive, APIURL: "https://example.test/v1", ChainID: 84532})
	d := drive(t, m, 120, 30)
	d.key("tab", "tab") // client ID field
	if !m.screens[m.active].Capturing() {
		t.Fatal("a focused field does not capture")
	}
	foot := d.view()
	if strings.Contains(foot, "q quit") {
		t.Error("q quit shown in the footer while typing")
	}
	d.typeText("qcxia?")
	d.pump(50 * time.Millisecond)
	if d.quit.Load() {
		t.Fatal("q quit while typing in a field")
	}
	if got := m.screens[connectScreen].(*connect).client.Value(); got != "qcxia?" {
		t.Fatalf("field value %q, want the letters typed", got)
	}
	if m.inspect || m.helpOn || m.active != connectScreen || len(clip.copies()) != 0 {
		t.Fatal("a letter shortcut fired while typing")
	}
	// Outside fields (mode row) q quits.
	d.key("shift+tab", "shift+tab")
	if m.screens[m.active].Capturing() {
		t.Fatal("mode row captures")
	}
	d.key("?")
	if !m.helpOn {
		t.Fatal("? did not open full help outside fields")
	}
	d.key("q")
	d.pump(20 * time.Millisecond)
	if !d.quit.Load() {
		t.Fatal("q did not quit outside fields")
	}
}

// --- login: error banner with API status, r retries, nothing lost ---

func TestLoginErrorBannerAndRetry(t *testing.T) {
	f := newFaultySandbox(t)
	f.failNext("/auth/complete", 1)
	m, _ := newOffline(t, f.cfg())
	m.opts.Now = time.Now // real tokens
	d := drive(t, m, 120, 30)
	d.until(5*time.Second, "live")
	d.key("enter")
	v := d.until(5*time.Second, "API 500", "injected failure")
	if !strings.Contains(v, "r: retry") {
		t.Fatalf("banner lacks the retry hint:\n%s", v)
	}
	if m.active != loginScreen {
		t.Fatalf("moved to %s after a failure", m.active)
	}
	d.key("r")
	d.until(5*time.Second, "3 · Session key")
	if _, ok := m.banners[loginScreen]; ok {
		t.Fatal("banner still set after a successful retry")
	}
	if m.c.sess.login.Address == "" {
		t.Fatal("no login after retry")
	}
}

func TestSessionKeyErrorKeepsIdentifier(t *testing.T) {
	f := newFaultySandbox(t)
	m, _ := newOffline(t, f.cfg())
	m.opts.Now = time.Now
	d := drive(t, m, 120, 30)
	d.until(5*time.Second, "live")
	d.key("enter")
	d.until(5*time.Second, "3 · Session key")
	f.failNext("/wallets/server", 1)
	d.key("tab", "ctrl+u") // tab edits the identifier
	d.typeText("my-bot")
	d.key("enter")
	d.until(5*time.Second, "API 500")
	sk := m.screens[sessionKeyScreen].(*sessionKey)
	if sk.ident.Value() != "my-bot" {
		t.Fatalf("identifier %q after the error, want my-bot", sk.ident.Value())
	}
	// The field has focus, so r types; ctrl+r retries.
	d.key("ctrl+r")
	d.until(5*time.Second, "Full access")
	if m.c.sess.key.Identifier != "my-bot" {
		t.Fatalf("key %+v", m.c.sess.key)
	}
}

// --- back and forward keep state ---

func TestBackForwardKeepsState(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	withWalkthrough(m)
	m.active = sendScreen
	d := drive(t, m, 120, 30)
	s := m.screens[sendScreen].(*send)
	d.key("tab")
	if s.inResults || s.transfer.Index() != 0 {
		t.Fatalf("tab from results: focus %d", s.transfer.Index())
	}
	d.key("ctrl+u")
	d.typeText("0x12")
	d.key("esc") // leaves the field
	if m.active != sendScreen || s.Capturing() {
		t.Fatalf("esc in a field: on %s, capturing %v", m.active, s.Capturing())
	}
	d.key("esc")
	if m.active != grantScreen {
		t.Fatalf("esc from send: %s", m.active)
	}
	d.key("esc", "esc")
	if m.active != sessionKeyScreen {
		t.Fatalf("esc×3 from send: %s", m.active)
	}
	sk := m.screens[sessionKeyScreen].(*sessionKey)
	sk.ident.SetValue("kept-id")
	d.key("esc") // no field is edited: esc goes back
	if m.active != loginScreen {
		t.Fatalf("esc from session key: %s", m.active)
	}
	d.key("enter") // logged in: continue
	d.pump(20 * time.Millisecond)
	if m.active != sessionKeyScreen || sk.ident.Value() != "kept-id" {
		t.Fatalf("forward: on %s, identifier %q", m.active, sk.ident.Value())
	}
	m.goTo(sendScreen)
	if got := s.rows[0].addr.Value(); got != "0x12" {
		t.Fatalf("send address %q after back/forward, want 0x12", got)
	}
	if !strings.Contains(d.view(), "✗ address 0x12 has 2 hex digits") {
		t.Fatalf("validation message lost:\n%s", d.view())
	}
}

// --- send: validation, rows, contract call defaults ---

func TestSendValidationAndRows(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	withWalkthrough(m)
	m.active = sendScreen
	s := m.screens[sendScreen].(*send)
	s.results = nil
	s.inResults = false
	s.transfer.FocusAt(0)
	d := drive(t, m, 120, 30)
	v := d.view()
	if !strings.Contains(v, testUser) {
		t.Fatalf("default recipient is not the user:\n%s", v)
	}
	d.key("tab", "ctrl+u")
	d.typeText("1.5 bananas")
	d.key("ctrl+s")
	v = d.view()
	if !strings.Contains(v, "1.5 bananas") || !strings.Contains(v, "✗") {
		t.Fatalf("amount validation:\n%s", v)
	}
	if s.pending {
		t.Fatal("sent with an invalid amount")
	}
	d.key("ctrl+n")
	if len(s.rows) != 2 || s.transfer.Index() != 2 {
		t.Fatalf("ctrl+n: %d rows, focus %d", len(s.rows), s.transfer.Index())
	}
	if v = d.view(); !strings.Contains(v, "Recipient 2") {
		t.Fatalf("no second row:\n%s", v)
	}
	d.key("ctrl+d")
	if len(s.rows) != 1 {
		t.Fatalf("ctrl+d: %d rows", len(s.rows))
	}
	if s.rows[0].amount.Value() != "1.5 bananas" {
		t.Fatal("removing row 2 lost row 1's text")
	}
	d.key("ctrl+t")
	v = d.view()
	if !s.callMode || !strings.Contains(v, "[Contract call]") || !strings.Contains(v, testToken2) || !strings.Contains(v, "sandbox test token TST") {
		t.Fatalf("contract call defaults:\n%s", v)
	}
	if s.sig.Value() != defaultTokenSig || s.args.Value() != testUser+", 1" {
		t.Fatalf("call defaults: %q %q", s.sig.Value(), s.args.Value())
	}
	d.key("tab", "tab", "tab", "ctrl+u") // contract, function, arguments
	d.typeText("0xabc")
	d.key("ctrl+s")
	if v = d.view(); !strings.Contains(v, "takes 2 argument(s), 1 given") {
		t.Fatalf("argument count not checked:\n%s", v)
	}
}

// --- the four-key path on the real sandbox with the Update driver, then
// activity, copy and curl ---

func TestActivityCopyAndCurl(t *testing.T) {
	m, clip := newOffline(t, flows.Config{Mode: flows.ModeSandbox, SecretKey: testSecret})
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
	// c copies the send's ID (results have the focus after sending).
	d.key("c")
	d.pump(50 * time.Millisecond)
	if got := clip.copies(); len(got) != 1 || got[0] != m.c.sess.sendIDs[0] {
		t.Fatalf("copied %q, want the send ID", got)
	}
	if !strings.Contains(m.status, "copied send transaction ID") {
		t.Fatalf("status %q", m.status)
	}
	// x copies the send request as curl with the secret masked.
	d.key("x")
	d.pump(50 * time.Millisecond)
	curl := clip.copies()[len(clip.copies())-1]
	if !strings.HasPrefix(curl, "curl ") || !strings.Contains(curl, "/wallets/send") || strings.Contains(curl, m.c.client.SecretKey) {
		t.Fatalf("curl export: %s", curl)
	}
	// No clipboard: OSC 52, and the status line says so.
	clip.setFail(true)
	d.key("c")
	d.pump(50 * time.Millisecond)
	if !strings.Contains(m.status, "OSC 52") || !strings.Contains(m.status, "also on screen") {
		t.Fatalf("status %q, want OSC 52 and where the value is", m.status)
	}
	// The curl form is not on screen itself, so the status points at i.
	d.key("x")
	d.pump(50 * time.Millisecond)
	if !strings.Contains(m.status, "OSC 52") || !strings.Contains(m.status, "i shows it") {
		t.Fatalf("status %q, want OSC 52 and a pointer to the inspector", m.status)
	}
	clip.setFail(false)
	// Activity lists both transactions; enter shows details with the raw
	// request, secrets masked.
	d.key("a")
	v := d.until(time.Second, "Activity · 2 transaction(s)")
	if strings.Count(v, "CONFIRMED") < 2 {
		t.Fatalf("activity:\n%s", v)
	}
	d.key("up", "enter")
	v = d.until(time.Second, "Request that created it", "/wallets/create-session-key", "Latest status poll")
	if strings.Contains(v, m.c.sess.login.Token) || strings.Contains(v, testSecret) || strings.Contains(v, m.c.client.SecretKey) {
		t.Fatalf("secrets in the detail view:\n%s", v)
	}
	if !strings.Contains(v, "Bearer eyJhbGci…") {
		t.Fatalf("token not shown masked:\n%s", v)
	}
	// x on the activity screen: the request that made the selected tx.
	clip.setFail(false)
	d.key("x")
	d.pump(50 * time.Millisecond)
	curl = clip.copies()[len(clip.copies())-1]
	if !strings.Contains(curl, "/wallets/create-session-key") || strings.Contains(curl, m.c.sess.login.Token) || !strings.Contains(curl, `"Authorization: Bearer $WALLETCONSOLE_USER_TOKEN"`) {
		t.Fatalf("activity curl: %s", curl)
	}
	d.key("esc")
	if m.active != activityScreen {
		t.Fatal("esc in detail left the activity screen")
	}
	d.key("esc")
	if m.active != sendScreen {
		t.Fatalf("esc from activity: %s, want back on Send", m.active)
	}
	// i toggles the inspector of the step's last request.
	d.key("i")
	if v = d.view(); !strings.Contains(v, "Inspector · send") || !strings.Contains(v, "POST") {
		t.Fatalf("inspector:\n%s", v)
	}
	// ... including the request as curl, credentials as variables.
	if !strings.Contains(v, "as curl (x copies it; it runs as pasted") || !strings.Contains(v, "curl -sS --fail -X POST") || strings.Contains(v, m.c.client.SecretKey) {
		t.Fatalf("inspector curl:\n%s", v)
	}
}

// --- grant failure: decoded reason and banner ---

func TestGrantFailedShowsReason(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	withWalkthrough(m)
	c := m.c
	c.sess.grantOK = false
	r := c.txs.get(testGrant)
	reason := "SessionExpiresTooSoon: grant's expiresAt is not in the future"
	r.tx.Status, r.tx.ErrorMessage, r.tx.ConfirmedAtBlockNumber = apiclient.StatusFailed, &reason, nil
	m.active = grantScreen
	d := drive(t, m, 120, 30)
	d.send(txFinalMsg{testGrant, r.tx})
	v := d.until(time.Second, "FAILED", "✗ SessionExpiresTooSoon", "grant transaction FAILED")
	if m.active != grantScreen {
		t.Fatal("left the grant screen on failure")
	}
	if strings.Contains(v, "The session key may now act") {
		t.Fatal("failure shown as success")
	}
}

// --- activity with many rows: selection scrolls, view fits ---

func TestActivityScrollsAndFits(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	withWalkthrough(m)
	for i := 0; i < 200; i++ {
		confirm(m.c, fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "send", fmt.Sprint(100+i), time.Second)
	}
	m.active = activityScreen
	d := drive(t, m, 60, 15)
	a := m.screens[activityScreen].(*activity)
	for i := 0; i < 50; i++ {
		d.key("down")
	}
	v := m.View()
	assertFits(t, v, 60, 15)
	if !strings.Contains(ansi.Strip(v), "› ") {
		t.Fatalf("selection not visible after scrolling:\n%s", ansi.Strip(v))
	}
	d.key("G")
	if a.sel != len(m.c.txs.rows)-1 {
		t.Fatalf("G: sel %d", a.sel)
	}
	assertFits(t, m.View(), 60, 15)
}

// Every screen fits 60×15 and 140×45 (nothing wraps into garbage).
func TestEveryScreenFits(t *testing.T) {
	for _, size := range [][2]int{{60, 15}, {80, 24}, {140, 45}} {
		for id := connectScreen; id < numScreens; id++ {
			m, _ := newOffline(t, flows.Config{})
			withWalkthrough(m)
			m.active = id
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m.Update(nil)
			assertFits(t, m.View(), size[0], size[1])
			m.inspect = true
			m.Update(nil)
			assertFits(t, m.View(), size[0], size[1])
			m.inspect = false
			m.banners[id] = strings.Repeat("a long error message ", 10)
			m.helpOn = true
			m.Update(nil)
			assertFits(t, m.View(), size[0], size[1])
		}
	}
}

func TestQuitAsksWhilePending(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	withWalkthrough(m)
	m.c.txs.add("pending-1", "send", testNow)
	m.active = grantScreen
	d := drive(t, m, 100, 30)
	d.key("q")
	if !m.confirm || !strings.Contains(d.view(), "Quit anyway? (y/N)") {
		t.Fatalf("no quit prompt with a pending tx:\n%s", d.view())
	}
	d.key("n")
	d.pump(10 * time.Millisecond)
	if d.quit.Load() || m.confirm {
		t.Fatal("n did not cancel the quit")
	}
	d.key("ctrl+c") // always quits
	d.pump(10 * time.Millisecond)
	if !d.quit.Load() {
		t.Fatal("ctrl+c did not quit")
	}
}

// A watch that keeps failing gives up with a banner on the step that made
// the transaction; r watches again and the walkthrough carries on.
func TestWatchFailureBannerAndRetry(t *testing.T) {
	f := newFaultySandbox(t)
	m, _ := newOffline(t, f.cfg())
	m.opts.Now = time.Now
	d := drive(t, m, 140, 45)
	d.until(5*time.Second, "live")
	d.key("enter")
	d.until(5*time.Second, "3 · Session key")
	d.key("enter")
	d.until(5*time.Second, "Full access")
	f.failNext("/transactions/", 1000)
	d.key("ctrl+s")
	d.until(2*time.Second, "(y/N)") // live + full permissions: asked first
	d.key("y")
	v := d.until(10*time.Second, "stopped watching", "API 500", "r: retry")
	if m.active != grantScreen {
		t.Fatalf("banner on %s, want Grant:\n%s", m.active, v)
	}
	if !strings.Contains(v, "Polling") {
		t.Errorf("the row does not show the polling error:\n%s", v)
	}
	f.failNext("/transactions/", 0)
	d.key("r")
	d.until(10*time.Second, "6 · Send")
	if !m.c.sess.grantOK {
		t.Fatal("grant not confirmed after re-watching")
	}
}
