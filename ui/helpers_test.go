package ui

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
	"walletconsole/flows"
)

// Fixed values for offline (no network) tests and goldens.
var (
	testNow    = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	testUser   = "0x8ba1f109551bD432803012645Ac136ddd64DBA72"
	testKey    = "0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B"
	testToken  = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIweDhiYSJ9.abcdefghijklmnopqrstuvwxyz012345x9Q"
	testGrant  = "6f1c2a7e-0b5d-4c1e-9a3f-2d8e7b6c5a41"
	testSend   = "c0ffee00-1234-4abc-8def-0123456789ab"
	testHash   = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
	testToken2 = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
)

func fixedClock() time.Time { return testNow }

// newOffline is the console with a pinned clock and no connection yet.
func newOffline(t testing.TB, cfg flows.Config) (*Model, *recordingClipboard) {
	t.Helper()
	clip := &recordingClipboard{}
	if cfg.Mode == "" {
		cfg.Mode = flows.ModeSandbox
	}
	m := New(cfg, Options{Now: fixedClock, Clipboard: clip.write, Output: io.Discard, StartSandbox: testStarter(50 * time.Millisecond)})
	t.Cleanup(func() { m.Close() })
	return m, clip
}

// testStarter starts the real sandbox on loopback for the console, as main
// does.
func testStarter(blockTime time.Duration) flows.SandboxStarter {
	return func(ctx context.Context, clientID, secretKey string) (flows.EmbeddedSandbox, error) {
		r, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{ClientID: clientID, SecretKey: secretKey, BlockTime: blockTime})
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// withWalkthrough fills the model as if the four-key walkthrough had run:
// logged in, key created, grant and send confirmed.
func withWalkthrough(m *Model) {
	c := m.c
	c.sess.sbReady, c.sess.connDone = true, true
	c.sess.sandbox = &apiclient.SandboxInfo{TokenAddress: testToken2, TokenSymbol: "TST", DefaultChainID: 84532}
	c.sess.login = flows.Login{Address: testUser, Token: testToken, SessionID: "session-1795618400000", IsNewUser: true, ExpiresAt: testNow.Add(7 * 24 * time.Hour)}
	m.screens[loginScreen].(*login).done = true
	c.sess.key = flows.SessionKey{Address: testKey, Identifier: "session-key-1795618400000"}
	sk := m.screens[sessionKeyScreen].(*sessionKey)
	sk.loaded, sk.list = true, []flows.SessionKey{c.sess.key, {Address: testToken2, Identifier: "ops-bot"}}
	req := flows.BuildGrantRequest(84532, testKey, flows.GrantInput{Duration: time.Hour, Full: true})
	c.sess.grant = flows.Grant{TxID: testGrant, Request: req, ExpiresAt: testNow.Add(time.Hour)}
	c.sess.grantOK = true
	g := m.screens[grantScreen].(*grant)
	g.has, g.in = true, flows.GrantInput{Duration: time.Hour, Full: true}
	confirm(c, testGrant, "grant", "41", 1200*time.Millisecond)
	s := m.screens[sendScreen].(*send)
	s.fillDefaults()
	s.results = []string{testSend}
	s.inResults = true
	c.sess.sendIDs = []string{testSend}
	confirm(c, testSend, "send", "43", 800*time.Millisecond)
}

func confirm(c *common, id, kind, block string, took time.Duration) *txRow {
	r := c.txs.add(id, kind, testNow)
	h, b, at := testHash, apiclient.NumString(block), testNow.Add(took).Format(time.RFC3339)
	r.tx = apiclient.Transaction{ID: id, Status: apiclient.StatusConfirmed, TransactionHash: &h, ConfirmedAtBlockNumber: &b, ConfirmedAt: &at, From: testKey, ChainID: "84532"}
	r.ended = testNow.Add(took)
	return r
}

// --- a synchronous-enough driver: runs commands in goroutines and feeds
// their messages back through Update, as tea.Program does ---

type uiDriver struct {
	t    testing.TB
	m    *Model
	ch   chan tea.Msg
	quit atomic.Bool
}

func drive(t testing.TB, m *Model, w, h int) *uiDriver {
	d := &uiDriver{t: t, m: m, ch: make(chan tea.Msg, 1024)}
	d.exec(m.Init())
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	return d
}

func (d *uiDriver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if msg == nil {
			return
		}
		select {
		case d.ch <- msg:
		default: // test over or flooded: drop (ticks)
		}
	}()
}

func (d *uiDriver) send(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			d.exec(c)
		}
		return
	case tea.QuitMsg:
		d.quit.Store(true)
		return
	}
	_, cmd := d.m.Update(msg)
	d.exec(cmd)
}

// pump processes pending messages for up to dur.
func (d *uiDriver) pump(dur time.Duration) {
	end := time.After(dur)
	for {
		select {
		case msg := <-d.ch:
			d.send(msg)
		case <-end:
			return
		}
	}
}

// until processes messages until the screen contains every string.
func (d *uiDriver) until(timeout time.Duration, want ...string) string {
	d.t.Helper()
	deadline := time.After(timeout)
	for {
		v := d.view()
		ok := true
		for _, w := range want {
			if !strings.Contains(v, w) {
				ok = false
			}
		}
		if ok {
			return v
		}
		select {
		case msg := <-d.ch:
			d.send(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %q; screen:\n%s", want, v)
		}
	}
}

func (d *uiDriver) view() string { return ansi.Strip(d.m.View()) }

func (d *uiDriver) key(keys ...string) {
	for _, k := range keys {
		d.send(keyMsg(k))
	}
}

func (d *uiDriver) typeText(s string) {
	for _, r := range s {
		d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// assertFits checks a frame against the terminal: no line wider, no more lines.
func assertFits(t testing.TB, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) > h {
		t.Errorf("frame has %d lines, terminal %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("line %d is %d wide (terminal %d): %q", i, lw, w, ansi.Strip(l))
		}
	}
}

// --- a sandbox behind a switchable fault injector (error banners) ---

type faultySandbox struct {
	URL       string
	ClientID  string
	SecretKey string
	mu        sync.Mutex
	fail      map[string]int // path part → how many more requests fail
	status    int
}

func newFaultySandbox(t testing.TB) *faultySandbox {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{BlockTime: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	f := &faultySandbox{ClientID: srv.ClientID(), SecretKey: srv.SecretKey(), fail: map[string]int{}, status: 500}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		for suffix, n := range f.fail {
			if n > 0 && strings.Contains(r.URL.Path, suffix) {
				f.fail[suffix] = n - 1
				st := f.status
				f.mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(st)
				json.NewEncoder(w).Encode(apiclient.ErrorBody{Error: apiclient.ErrorDetail{Code: apiclient.CodeInternal, Message: "injected failure"}})
				return
			}
		}
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { hs.Close(); srv.Close() })
	f.URL = hs.URL + "/v1"
	return f
}

func (f *faultySandbox) failNext(suffix string, n int) {
	f.mu.Lock()
	f.fail[suffix] = n
	f.mu.Unlock()
}

// cfg is a live-mode configuration pointing at the faulty sandbox (live
// mode: the console uses the URL as given and starts nothing itself).
func (f *faultySandbox) cfg() flows.Config {
	return flows.Config{Mode: flows.ModeLive, APIURL: f.URL, ClientID: f.ClientID, SecretKey: f.SecretKey, ChainID: flows.DefaultChainID}
}

// keyTypes are bubbletea's own key names ("enter", "shift+tab", "ctrl+s",
// "pgdown"), the names docs/keys.md uses, with their key types.
var keyTypes = func() map[string]tea.KeyType {
	names := map[string]tea.KeyType{}
	for k := tea.KeyType(-200); k < 200; k++ {
		if n := k.String(); n != "" {
			names[n] = k
		}
	}
	return names
}()

// keyMsg is the key message for a key name; anything that is not a key
// name is typed as runes.
func keyMsg(k string) tea.KeyMsg {
	if k == "space" || k == " " {
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	if t, ok := keyTypes[k]; ok && t != tea.KeyRunes {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}
