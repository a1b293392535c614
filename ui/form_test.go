package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
	"walletconsole/theme"
)

// openScreen is the console after the walkthrough, on screen id, as opened
// (Init run), at w×h.
func openScreen(t *testing.T, id screenID, w, h int) (*Model, *recordingClipboard) {
	t.Helper()
	m, clip := newOffline(t, flows.Config{Mode: flows.ModeSandbox, ChainID: 84532})
	withWalkthrough(m)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.goTo(id)
	if m.active != id {
		m.active = id
		m.screens[id].Init()
	}
	if s, ok := m.screens[sendScreen].(*send); ok && id == sendScreen {
		s.inResults = false // as opened from the Grant step: the form, idle
	}
	m.Update(nil)
	return m, clip
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(keyMsg(k))
	}
}

func frame(m *Model) string { return ansi.Strip(m.View()) }

// Every command letter of docs/keys.md acts on a screen as it opens: no
// text field has the keyboard until tab (issue: on Session key and Send,
// pressing i changed the identifier).
func TestCommandLettersWorkWhenAScreenOpens(t *testing.T) {
	for _, id := range []screenID{connectScreen, sessionKeyScreen, permissionsScreen, sendScreen} {
		for _, size := range [][2]int{{140, 45}, {60, 15}} {
			t.Run(fmt.Sprintf("%s_%dx%d", strings.ReplaceAll(id.String(), " ", "_"), size[0], size[1]), func(t *testing.T) {
				values := func(m *Model) string {
					var b strings.Builder
					switch s := m.screens[id].(type) {
					case *sessionKey:
						b.WriteString(s.ident.Value())
					case *send:
						for _, f := range []*field{s.rows[0].addr, s.rows[0].amount, s.target, s.sig, s.args, s.value} {
							b.WriteString(f.Value() + "|")
						}
					case *connect:
						for _, f := range []*field{s.apiURL, s.client, s.secret, s.chain} {
							b.WriteString(f.Value() + "|")
						}
					case *permissionsModel:
						b.WriteString(s.dur.custom.Value())
					}
					return b.String()
				}
				m, clip := openScreen(t, id, size[0], size[1])
				before := values(m)
				if m.screens[id].Capturing() {
					t.Fatalf("%s opens with a field capturing letters", id)
				}
				press(m, "i")
				if !m.inspect {
					t.Errorf("i did not open the inspector")
				}
				press(m, "i", "?")
				if !m.helpOn {
					t.Errorf("? did not open the full help")
				}
				press(m, "?")
				m.status = ""
				press(m, "x")
				if _, req := m.screens[id].(requester); req && m.status == "" && len(clip.got) == 0 {
					t.Errorf("x did nothing") // (screens without requests have x off)
				}
				press(m, "c")
				m.Update(nil)
				press(m, "a")
				if m.active != activityScreen {
					t.Errorf("a did not open Activity (on %s)", m.active)
				}
				press(m, "esc")
				if m.active != id {
					t.Fatalf("esc from Activity went to %s", m.active)
				}
				if got := values(m); got != before {
					t.Errorf("letters typed into a field: %q → %q", before, got)
				}
				m.c.txs.add("pending-q", "send", testNow)
				press(m, "q")
				if !m.confirm {
					t.Errorf("q did not ask (a transaction is pending)")
				}
				press(m, "n")
			})
		}
	}
}

// tab gives a field the keyboard (letters type), esc takes it back
// (letters are commands again, the text is kept), tab returns to it.
func TestTabEditsEscLeaves(t *testing.T) {
	m, _ := openScreen(t, sessionKeyScreen, 140, 45)
	sk := m.screens[sessionKeyScreen].(*sessionKey)
	press(m, "tab", "ctrl+u")
	for _, r := range "iaq?" {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if sk.ident.Value() != "iaq?" || m.inspect || m.help.ShowAll || m.active != sessionKeyScreen {
		t.Fatalf("typing in the identifier: %q inspect=%v help=%v on %s", sk.ident.Value(), m.inspect, m.help.ShowAll, m.active)
	}
	if !strings.Contains(frame(m), "esc leave field") {
		t.Errorf("the footer does not say how to leave the field:\n%s", frame(m))
	}
	press(m, "esc")
	if m.active != sessionKeyScreen || sk.Capturing() {
		t.Fatalf("esc: on %s, capturing %v", m.active, sk.Capturing())
	}
	press(m, "i")
	if !m.inspect || sk.ident.Value() != "iaq?" {
		t.Fatalf("after esc, i: inspector %v, identifier %q", m.inspect, sk.ident.Value())
	}
	press(m, "i", "esc")
	if m.active != loginScreen {
		t.Fatalf("esc with no field edited should go back, on %s", m.active)
	}

	m, _ = openScreen(t, sendScreen, 140, 45)
	s := m.screens[sendScreen].(*send)
	press(m, "tab", "tab") // To, then Amount (its pre-filled 0)
	for _, r := range "0.001" {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if got := s.rows[0].amount.Value(); got != "0.001" {
		t.Errorf("typing into the pre-filled 0 gave %q, want 0.001", got)
	}
	press(m, "esc", "tab")
	if s.transfer.Index() != 1 {
		t.Errorf("tab after esc: focus %d, want the amount (1)", s.transfer.Index())
	}
}

// Send takes what Permissions takes: one amount grammar.
func TestSendAcceptsTheAmountGrammar(t *testing.T) {
	m, _ := openScreen(t, sendScreen, 140, 45)
	s := m.screens[sendScreen].(*send)
	for _, amt := range []string{"1e18 wei", "0.01 ETH", "5 gwei", ".5"} {
		s.rows[0].amount.SetValue(amt)
		if !s.rows[0].amount.Validate() {
			t.Errorf("Send refused %q: %s", amt, s.rows[0].amount.Error())
		}
	}
	rs, _, total, bad := s.build()
	if bad >= 0 || len(rs) != 1 || total.String() != "500000000000000000" {
		t.Errorf("build: bad %d, %v, total %v", bad, rs, total)
	}
}

// Contract-call arguments are checked as typed, per ABI type, with the
// message at the field; token amounts may be written in TST.
func TestSendCallArgumentsValidatedAsTyped(t *testing.T) {
	m, _ := openScreen(t, sendScreen, 140, 45)
	s := m.screens[sendScreen].(*send)
	press(m, "ctrl+t", "tab", "tab", "tab", "ctrl+u")
	if m.screens[sendScreen].(*send).call.Focused() != Field(s.args) {
		t.Fatal("three tabs should reach the arguments")
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("0x12, 5")})
	if v := frame(m); !strings.Contains(v, "✗ to (address)") {
		t.Errorf("a bad address argument is not flagged as typed:\n%s", v)
	}
	press(m, "ctrl+u")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(testUser + ", 1.5")})
	if v := frame(m); !strings.Contains(v, "amount (uint256)") || !strings.Contains(v, "not a whole number") {
		t.Errorf("a fractional uint256 is not flagged as typed:\n%s", v)
	}
	press(m, "ctrl+u")
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(testUser + ", 100 TST")})
	if s.args.Error() != "" {
		t.Fatalf("100 TST refused: %s", s.args.Error())
	}
	_, call, _, bad := s.build()
	if bad >= 0 || call == nil || call.Params[1] != "100000000000000000000" {
		t.Fatalf("100 TST sent as %v (bad %d)", call, bad)
	}
}

// At 60 columns a field that is not being edited shows its start and its
// end ("function tra…amount)"), never a tail without its first character.
func TestNarrowUnfocusedFieldKeepsItsStart(t *testing.T) {
	m, _ := openScreen(t, sendScreen, 60, 15)
	press(m, "ctrl+t")
	v := frame(m)
	if !strings.Contains(v, "Function  function") {
		t.Errorf("the function field lost its start at 60 columns:\n%s", v)
	}
	if strings.Contains(v, " unction") {
		t.Errorf("first character cut:\n%s", v)
	}
}

// With NO_COLOR (Ascii profile: lipgloss drops every SGR) and the plain
// theme, a focused text field still shows its cursor in reverse video.
func TestPlainThemeShowsACursor(t *testing.T) {
	st := theme.Plain().Styles
	f := newField("x", "Name", "", nil).withValue("abc")
	f.SetWidth(40)
	f.Focus()
	if v := f.View(st, 6); !strings.Contains(v, "\x1b[7m") {
		t.Errorf("no reverse-video cursor under the Ascii profile: %q", v)
	}
	f.Blur()
	if v := f.View(st, 6); strings.Contains(v, "\x1b[7m") {
		t.Errorf("a cursor in a field that is not focused: %q", v)
	}
}

// The grant's confirmation stays in view on Send (block, hash, what it
// means), at both sizes.
func TestSendShowsTheConfirmedGrant(t *testing.T) {
	for _, size := range [][2]int{{140, 45}, {60, 15}} {
		m, _ := openScreen(t, sendScreen, size[0], size[1])
		v := frame(m)
		for _, want := range []string{"✓ Grant confirmed in block 41", "0x5c50", "the session key may now act for the user"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d: %q missing:\n%s", size[0], size[1], want, v)
			}
		}
		assertFits(t, m.View(), size[0], size[1])
	}
}

// After a scoped grant, the default send is one the policies allow.
func TestSendPrefilledFromAScopedGrant(t *testing.T) {
	set, err := flows.ParsePolicySet([]byte(policyExample))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox, ChainID: 84532})
	withWalkthrough(m)
	in := flows.GrantInput{Duration: time.Hour, CallPolicies: set.CallPolicies, TransferPolicies: set.TransferPolicies}
	m.c.sess.grant.Request = flows.BuildGrantRequest(84532, testKey, in)
	s := newSend(m.c)
	m.screens[sendScreen] = s
	m.Update(tea.WindowSizeMsg{Width: 140, Height: 45})
	m.active = grantScreen
	m.goTo(sendScreen)
	if got := s.rows[0].addr.Value(); got != "0x4444444444444444444444444444444444444444" {
		t.Errorf("transfer recipient %q, want the policy's", got)
	}
	if s.target.Value() != apiclient.Checksum("0x3333333333333333333333333333333333333333") ||
		!strings.HasPrefix(s.args.Value(), "0x4444444444444444444444444444444444444444, ") {
		t.Errorf("call %s %q", s.target.Value(), s.args.Value())
	}
	// the amount is inside the constraint (<= 100e18) and its limit
	_, call, _, bad := func() ([]apiclient.Recipient, *apiclient.ContractCall, any, int) {
		s.callMode = true
		r, c, tot, b := s.build()
		return r, c, tot, b
	}()
	if bad >= 0 || call == nil || call.Params[1] != "1000000000000000000" {
		t.Errorf("suggested call %+v (bad %d)", call, bad)
	}
}

// The Connect screen shows the embedded sandbox's throwaway credentials,
// masked, and an export line; ctrl+t shows the secret so the line runs.
func TestConnectShowsSandboxCredentials(t *testing.T) {
	m, _ := openScreen(t, connectScreen, 140, 45)
	secret := "sk_sandbox_abcdefghijklmnopqrstuvwxyz"
	m.c.client = apiclient.New("http://127.0.0.1:40000/v1", "sandbox-client-1234", secret)
	m.Update(nil)
	v := frame(m)
	if strings.Contains(v, secret) {
		t.Fatalf("secret shown unmasked:\n%s", v)
	}
	for _, want := range []string{"sandbox-client-1234", apiclient.MaskSecret(secret), "export THIRDWEB_API_URL=http://127.0.0.1:40000/v1"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q missing:\n%s", want, v)
		}
	}
	line := "export THIRDWEB_API_URL=http://127.0.0.1:40000/v1 THIRDWEB_CLIENT_ID=sandbox-client-1234 THIRDWEB_SECRET_KEY="
	_, got, ok := m.screens[connectScreen].(copier).copyTarget()
	if !ok || got != line+apiclient.MaskSecret(secret) {
		t.Errorf("c copies %q", got)
	}
	press(m, "ctrl+t")
	if v := frame(m); !strings.Contains(v, secret) {
		t.Errorf("ctrl+t did not reveal the secret:\n%s", v)
	}
	if _, got, _ := m.screens[connectScreen].(copier).copyTarget(); got != line+secret {
		t.Errorf("c after ctrl+t copies %q", got)
	}
}

// View changes nothing: the offsets and footer key states are decided in
// Update, so drawing twice, or at a frame in between, gives the same.
func TestViewsHaveNoSideEffects(t *testing.T) {
	m, _ := openScreen(t, permissionsScreen, 60, 15)
	p := m.screens[permissionsScreen].(*permissionsModel)
	set, _ := flows.ParsePolicySet([]byte(policyExample))
	m.Update(policyLoadedMsg{path: "x.json", set: set})
	p.Update(tea.KeyMsg{Type: tea.KeyCtrlP}) // the body alone, then scroll it
	p.Update(tea.KeyMsg{Type: tea.KeyPgDown})
	p.Update(tea.KeyMsg{Type: tea.KeyPgDown})
	off, pv := p.scroll.offset(), p.pv.offset()
	enabled := func() string {
		k := p.keys
		return fmt.Sprint(k.Toggle.Enabled(), k.Cycle.Enabled(), k.Add.Enabled(), k.Delete.Enabled(), k.Preview.Enabled(), k.Undo.Enabled(), k.Leave.Enabled())
	}
	help := enabled()
	a := m.View()
	b := m.View()
	if a != b || p.scroll.offset() != off || p.pv.offset() != pv || enabled() != help {
		t.Errorf("View changed the model: offsets %d,%d → %d,%d", off, pv, p.scroll.offset(), p.pv.offset())
	}
	if pv == 0 {
		t.Error("pgdn did not scroll the body")
	}
}

// Saving over an existing file asks first; n keeps it, y replaces it.
func TestPermissionsSaveAsksBeforeOverwriting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	save := func() {
		permPress(m, "ctrl+t", "ctrl+u")
		permType(m, path)
		permRunMsg(t, m, permPress(m, "enter"))
	}
	save()
	if v := permView(m); !strings.Contains(v, path+" exists. Overwrite it? (y/N)") {
		t.Fatalf("no overwrite question:\n%s", v)
	}
	permPress(m, "n")
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatal("n overwrote the file")
	}
	save()
	permRunMsg(t, m, permPress(m, "y"))
	if v := permView(m); !strings.Contains(v, "✓ saved") {
		t.Errorf("no saved line:\n%s", v)
	}
	if _, err := flows.LoadPolicyFile(path); err != nil {
		t.Errorf("y did not save a policy file: %v", err)
	}
	// A missing directory is named once, no temporary file name.
	bad := filepath.Join(dir, "nope", "p.json")
	permPress(m, "ctrl+t", "ctrl+u")
	permType(m, bad)
	permRunMsg(t, m, permPress(m, "enter"))
	var joined []string
	for _, l := range strings.Split(permView(m), "\n") {
		joined = append(joined, strings.TrimRight(l, " "))
	}
	v := strings.Join(joined, "") // the message wraps at the screen's width
	if !strings.Contains(v, "directory "+filepath.Join(dir, "nope")+" does not exist") || strings.Contains(v, ".tmp-") ||
		strings.Count(v, "p.json") != 1 {
		t.Errorf("save error:\n%s", v)
	}
}

// A file with full access AND policies shows both and the contradiction;
// the grant waits until the user resolves it. A file without a duration
// gets the configured one.
func TestPermissionsLoadShowsFullAccessContradiction(t *testing.T) {
	c := permTestCommon(flows.ModeSandbox)
	c.cfg.Duration = 7 * 24 * time.Hour
	m := newPermissionsScreen(c)
	m.SetSize(140, 45)
	m.Init()
	set, err := flows.ParsePolicySet([]byte(strings.Replace(strings.Replace(policyExample, `"grantFullPermissions": false`, `"grantFullPermissions": true`, 1),
		`"durationInSeconds": 86400,`, "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	m.dur.cycle(1) // the form had another duration
	m.Update(policyLoadedMsg{path: "both.json", set: set})
	v := permView(m)
	for _, want := range []string{"Call policy 1", "Transfer policy 1", "full access AND has 2 policies"} {
		if !strings.Contains(v, want) {
			t.Errorf("%q missing after loading full access plus policies:\n%s", want, v)
		}
	}
	if cmd := permPress(m, "ctrl+s"); cmd != nil {
		if _, ok := cmd().(grantRequestedMsg); ok {
			t.Fatal("granted despite the contradiction")
		}
	}
	if d, _ := m.dur.resolve(testNow); d != 7*24*time.Hour {
		t.Errorf("absent duration gave %v, want the configured 7 days", d)
	}
	permFocus(t, m, "full")
	permPress(m, "space") // full access off: the policies are what is granted
	if v := permView(m); strings.Contains(v, "AND has") || m.full {
		t.Errorf("contradiction not resolved by turning full access off:\n%s", v)
	}
}

// The per-step keys of docs/keys.md on the form screens, on the real
// models: Connect, Session key and Send (Permissions' keys are in
// permissions_test.go).
func TestDocumentedKeysOnFormScreens(t *testing.T) {
	t.Run("Connect", func(t *testing.T) {
		m, _ := openScreen(t, connectScreen, 60, 15)
		c := m.screens[connectScreen].(*connect)
		for _, k := range []string{"right", "left", " "} {
			before := c.live
			m.Update(keyMsg(k))
			if c.live == before {
				t.Errorf("%q on the Mode row did not switch sandbox/live", k)
			}
		}
		press(m, "tab", "tab", "tab") // API URL, client ID, secret key
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("sk_typed")})
		if strings.Contains(frame(m), "sk_typed") {
			t.Error("secret key shown before ctrl+t")
		}
		press(m, "ctrl+t")
		if !strings.Contains(frame(m), "sk_typed") {
			t.Errorf("ctrl+t did not show the secret key:\n%s", frame(m))
		}
		press(m, "shift+tab")
		if c.form.Focused() != Field(c.client) {
			t.Error("shift+tab did not go back a field")
		}
	})
	t.Run("Session key", func(t *testing.T) {
		m, _ := openScreen(t, sessionKeyScreen, 60, 15)
		sk := m.screens[sessionKeyScreen].(*sessionKey)
		press(m, "down")
		if !sk.inList || sk.sel != 0 {
			t.Fatalf("↓ did not reach the list (inList %v)", sk.inList)
		}
		press(m, "down")
		if sk.sel != 1 {
			t.Errorf("↓ in the list: sel %d", sk.sel)
		}
		press(m, "up")
		if sk.sel != 0 {
			t.Errorf("↑ in the list: sel %d", sk.sel)
		}
		press(m, "down", "enter")
		if m.c.sess.key.Identifier != "ops-bot" {
			t.Errorf("enter on the list did not use the chosen key: %+v", m.c.sess.key)
		}
		m.Update(tea.KeyMsg{Type: tea.KeyCtrlL})
		if !sk.loading && m.c.runner != nil {
			t.Error("ctrl+l did not reload the list")
		}
	})
	t.Run("Send", func(t *testing.T) {
		m, _ := openScreen(t, sendScreen, 60, 15)
		s := m.screens[sendScreen].(*send)
		press(m, "ctrl+n")
		if len(s.rows) != 2 || s.transfer.Index() != 2 {
			t.Fatalf("ctrl+n: %d rows, focus %d", len(s.rows), s.transfer.Index())
		}
		press(m, "ctrl+d")
		if len(s.rows) != 1 {
			t.Errorf("ctrl+d: %d rows", len(s.rows))
		}
		press(m, "ctrl+t")
		if !s.callMode || !strings.Contains(frame(m), "[Contract call]") {
			t.Error("ctrl+t did not switch to the contract call")
		}
		press(m, "ctrl+t")
		if m.active != sendScreen {
			t.Fatalf("on %s", m.active)
		}
		s.results = append(s.results, "second-id")
		s.inResults, s.sel = true, 0
		press(m, "down")
		if s.sel != 1 {
			t.Errorf("↓ in the sent list: sel %d", s.sel)
		}
		press(m, "c")
		m.Update(nil)
		if _, v, ok := s.copyTarget(); !ok || v != "second-id" {
			t.Errorf("c copies %q", v)
		}
		press(m, "tab")
		if s.inResults || s.transfer.Index() != 0 {
			t.Errorf("tab from the sent list did not go back to the form")
		}
	})
}

// At 60x15 a long field error is read whole: wrapped below the field, a
// word longer than the line (the function name quoted back) broken rather
// than cut, and the form scrolled to it.
func TestLongFieldErrorReadWholeAt60x15(t *testing.T) {
	m, _ := openScreen(t, sendScreen, 60, 15)
	s := m.screens[sendScreen].(*send)
	press(m, "ctrl+t", "tab", "tab", "ctrl+u")
	if s.call.Focused() != Field(s.sig) {
		t.Fatal("two tabs should reach the function")
	}
	name := "thisIsAVeryLongFunctionNameWithoutParensThatGoesOnAndOnForeverAndEver"
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(name)})
	msg := s.sig.Error()
	if !strings.Contains(msg, `"`+name+`"`) {
		t.Fatalf("want an error that quotes the long name, got %q", msg)
	}
	v := frame(m)
	assertFits(t, m.View(), 60, 15)
	if !strings.Contains(seen(v), seen("✗ "+msg)) {
		t.Errorf("the error is not shown whole at 60x15:\nwant %s\n%s", msg, v)
	}
}
