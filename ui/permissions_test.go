package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/flows"
	"walletconsole/theme"
)

// Direct Update tests of the Permissions screen: keys in, ansi.Strip(View())
// and emitted messages out. Commands are run only where the test needs
// their message (grant, load, save); cursor blinks are ignored.

var permNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

const permKeyAddr = "0x2222222222222222222222222222222222222222"

func permTestCommon(mode flows.Mode) *common {
	th := theme.Plain()
	return &common{
		th:  th,
		st:  th.Styles,
		cfg: flows.Config{Mode: mode, ChainID: 84532},
		now: func() time.Time { return permNow },
		sess: session{
			key: flows.SessionKey{Address: permKeyAddr, Identifier: "session-key-1"},
		},
	}
}

func newPermTest(t *testing.T, mode flows.Mode, w, h int) *permissionsModel {
	t.Helper()
	m := newPermissionsScreen(permTestCommon(mode))
	m.SetSize(w, h)
	m.Init()
	return m
}

// press sends keys and returns the last command.
func permPress(m *permissionsModel, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = m.Update(keyMsg(k))
	}
	return cmd
}

// typeText types s rune by rune into whatever has the focus.
func permType(m *permissionsModel, s string) {
	for _, r := range s {
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// focusRow moves the focus to the row with id (test shortcut for tabbing).
func permFocus(t *testing.T, m *permissionsModel, id string) {
	t.Helper()
	for _, dir := range []string{"tab", "shift+tab"} {
		for i := 0; i < 200; i++ {
			if m.focusID() == id {
				return
			}
			before := m.focusID()
			permPress(m, dir)
			if m.focusID() == before {
				break // at the end: try the other way
			}
		}
	}
	t.Fatalf("row %q never got the focus (at %q)", id, m.focusID())
}

func permView(m *permissionsModel) string { return ansi.Strip(m.View()) }

// grantOf runs cmd and returns the GrantInput it emits.
func permGrantOf(t *testing.T, cmd tea.Cmd) flows.GrantInput {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command: expected a grant request")
	}
	msg, ok := cmd().(grantRequestedMsg)
	if !ok {
		t.Fatalf("command gave %T, want grantRequestedMsg", cmd())
	}
	return msg.in
}

// emitsGrant reports whether cmd (possibly nil or a batch) yields a grant.
func permEmitsGrant(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		switch msg := msg.(type) {
		case grantRequestedMsg:
			return true
		case tea.BatchMsg:
			for _, c := range msg {
				if permEmitsGrant(c) {
					return true
				}
			}
		}
	case <-time.After(50 * time.Millisecond): // a cursor blink tick
	}
	return false
}

// fullOff turns full access off (one empty call policy appears).
func permFullOff(t *testing.T, m *permissionsModel) {
	t.Helper()
	permFocus(t, m, "full")
	permPress(m, "space")
	if m.full {
		t.Fatal("space on Full access did not turn it off")
	}
}

func TestPermissionsDefaultsGrantFullOneHour(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	v := permView(m)
	for _, want := range []string{"Duration", "‹ 1 h ›", "expires 16:00 (in 1h)", "[x] on", `"grantFullPermissions": true`, `"durationInSeconds": 3600`} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if m.Capturing() {
		t.Error("Capturing() on the duration picker: letter shortcuts would be off")
	}
	in := permGrantOf(t, permPress(m, "ctrl+s"))
	if want := (flows.GrantInput{Duration: time.Hour, Full: true}); !reflect.DeepEqual(in, want) {
		t.Errorf("grant = %+v, want %+v", in, want)
	}
}

func TestPermissionsEnterFromLastRowGrants(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permPress(m, "enter") // duration → full
	if m.focusID() != "full" {
		t.Fatalf("enter moved focus to %q, want full", m.focusID())
	}
	in := permGrantOf(t, permPress(m, "enter"))
	if !in.Full || in.Duration != time.Hour {
		t.Errorf("grant = %+v", in)
	}
}

func TestPermissionsDurationPresetsAndCustom(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permPress(m, "left")
	if v := permView(m); !strings.Contains(v, "‹ 15 min ›") || !strings.Contains(v, "in 15m") {
		t.Errorf("left did not pick 15 min:\n%s", v)
	}
	permPress(m, "right", "right", "right", "right") // 1 h, 1 day, 7 days, custom
	if !m.dur.isCustom() {
		t.Fatalf("picker at %d, want custom", m.dur.idx)
	}
	permPress(m, "tab")
	if m.focusID() != "duration" || !m.Capturing() {
		t.Fatalf("focus %q capturing=%v, want the custom field", m.focusID(), m.Capturing())
	}
	permType(m, "90m")
	v := permView(m)
	if !strings.Contains(v, "expires 16:30 (in 1h 30m)") || !strings.Contains(v, `"durationInSeconds": 5400`) {
		t.Errorf("custom 90m not reflected:\n%s", v)
	}
	for _, tc := range []struct{ in, want string }{
		{"0m", "zero"},
		{"-5m", ""},
		{"400d", "365 days"},
		{"2026-11-24 10:00", "past"},
	} {
		permPress(m, "ctrl+u")
		permType(m, tc.in)
		v := permView(m)
		if !strings.Contains(v, "✗") || !strings.Contains(v, tc.want) {
			t.Errorf("%q: no error beside the field:\n%s", tc.in, v)
		}
		if !strings.Contains(v, tc.in) {
			t.Errorf("%q: typed text lost:\n%s", tc.in, v)
		}
		if !strings.Contains(v, "STALE") {
			t.Errorf("%q: preview not marked stale:\n%s", tc.in, v)
		}
	}
	permPress(m, "ctrl+u")
	permType(m, "36h")
	in := permGrantOf(t, permPress(m, "ctrl+s"))
	if in.Duration != 36*time.Hour {
		t.Errorf("duration = %v, want 36h", in.Duration)
	}
}

func TestPermissionsSelectorShownLive(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].target")
	permType(m, "0x3333333333333333333333333333333333333333")
	permPress(m, "tab")
	if m.focusID() != "call[0].signature" {
		t.Fatalf("focus %q", m.focusID())
	}
	permType(m, "transfer(address,uint256)")
	v := permView(m)
	if l := permLineWith(v, "Function"); !strings.Contains(l, "transfer(address,uint256)") || !strings.Contains(l, "→ 0xa9059cbb") {
		t.Errorf("selector not shown beside the signature:\n%s", v)
	}
	// Still typing: the selector follows.
	permPress(m, "ctrl+u")
	permType(m, "approve(address,uint256)")
	if v := permView(m); !strings.Contains(v, "→ 0x095ea7b3") {
		t.Errorf("selector did not follow the signature:\n%s", v)
	}
}

func TestPermissionsInvalidAddressKeepsText(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].target")
	permType(m, "0x12zz")
	v := permView(m)
	line := permLineWith(v, "Target")
	if !strings.Contains(line, "0x12zz") || !strings.Contains(v, "✗ target address 0x12zz has 4 hex digits") {
		t.Errorf("target line %q: want the text and its error beside it\n%s", line, v)
	}
	if !m.Capturing() {
		t.Error("Capturing() false in a text field")
	}
	// Letters type into the field, even the root's shortcut letters.
	permType(m, "qcxia")
	if got := m.calls[0].target.Value(); got != "0x12zzqcxia" {
		t.Errorf("target = %q", got)
	}
}

func TestPermissionsConstraintArgPickerCycles(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].signature")
	permType(m, "function transfer(address to, uint256 amount)")
	permFocus(t, m, "call[0].addConstraint")
	permPress(m, "enter")
	if m.focusID() != "call[0].constraints[0].arg" {
		t.Fatalf("after + add constraint focus is %q", m.focusID())
	}
	if m.Capturing() {
		t.Error("Capturing() on a picker")
	}
	argLine := func() string { return permLineWith(permView(m), "Argument") }
	if l := argLine(); !strings.Contains(l, "0 · to address") {
		t.Errorf("arg = %q, want 0 · to address", l)
	}
	permPress(m, "right")
	if l := argLine(); !strings.Contains(l, "1 · amount uint256") {
		t.Errorf("arg = %q, want 1 · amount uint256", l)
	}
	permPress(m, "right")
	if l := argLine(); !strings.Contains(l, "0 · to address") {
		t.Errorf("arg did not wrap: %q", l)
	}
	permPress(m, "left")
	if l := argLine(); !strings.Contains(l, "1 · amount") {
		t.Errorf("left: %q", l)
	}
	// Condition picker, then a value in the argument's type.
	permPress(m, "tab", "right")
	if l := permLineWith(permView(m), "Condition"); !strings.Contains(l, "not-equal") {
		t.Errorf("condition = %q", l)
	}
	permPress(m, "tab")
	permType(m, "100e18")
	v := permView(m)
	if !strings.Contains(v, `"refValue": "0x0000000000000000000000000000000000000000000000056bc75e2d63100000"`) &&
		!strings.Contains(v, "STALE") {
		t.Errorf("constraint not in the body (and not stale):\n%s", v)
	}
	if strings.Contains(permLineWith(v, "Value"), "✗") {
		t.Errorf("100e18 for uint256 rejected: %q", permLineWith(v, "Value"))
	}
}

func TestPermissionsInvalidBlocksSubmitAndFocusesFirst(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].signature")
	permType(m, "nope(")
	permFocus(t, m, "call[0].maxValuePerUse") // leave focus below the bad fields
	cmd := permPress(m, "ctrl+s")
	if permEmitsGrant(cmd) {
		t.Fatal("ctrl+s granted with invalid fields")
	}
	if m.focusID() != "call[0].target" {
		t.Errorf("focus = %q, want the first invalid field call[0].target", m.focusID())
	}
	v := permView(m)
	if !strings.Contains(v, "2 fields need attention") {
		t.Errorf("no summary line:\n%s", v)
	}
	if !strings.Contains(permLineWith(v, "Target"), "✗") || !strings.Contains(v, "nope(") {
		t.Errorf("errors or text missing:\n%s", v)
	}
	// Fixing both clears the summary and grants.
	permType(m, "0x3333333333333333333333333333333333333333")
	permFocus(t, m, "call[0].signature")
	permPress(m, "ctrl+u")
	permType(m, "transfer(address,uint256)")
	if v := permView(m); strings.Contains(v, "need") || strings.Contains(v, "STALE") {
		t.Errorf("still complaining after the fix:\n%s", v)
	}
	in := permGrantOf(t, permPress(m, "ctrl+s"))
	if in.Full || len(in.CallPolicies) != 1 || in.CallPolicies[0].Selector != "0xa9059cbb" {
		t.Errorf("grant = %+v", in)
	}
}

func TestPermissionsPreviewFollowsInputAndGoesStale(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permPress(m, "right") // 1 day
	if v := permView(m); !strings.Contains(v, `"durationInSeconds": 86400`) || !strings.Contains(v, `"sessionKeyAddress": "`+permKeyAddr+`"`) ||
		!strings.Contains(v, `"chainId": 84532`) {
		t.Errorf("preview:\n%s", v)
	}
	permFullOff(t, m)
	v := permView(m)
	if !strings.Contains(v, "STALE") || !strings.Contains(v, `"grantFullPermissions": true`) {
		t.Errorf("an empty policy should leave the last valid (full) body, marked stale:\n%s", v)
	}
	permFocus(t, m, "call[0].target")
	permType(m, "0x3333333333333333333333333333333333333333")
	permFocus(t, m, "call[0].signature")
	permType(m, "transfer(address,uint256)")
	v = permView(m)
	for _, want := range []string{`"grantFullPermissions": false`, `"selector": "0xa9059cbb"`, `"target": "0x3333333333333333333333333333333333333333"`} {
		if !strings.Contains(v, want) {
			t.Errorf("preview lacks %s:\n%s", want, v)
		}
	}
	if strings.Contains(v, "STALE") {
		t.Errorf("valid input but stale:\n%s", v)
	}
}

func TestPermissionsEscAndReturnKeepsEverything(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].target")
	permType(m, "0x12")
	before := permView(m)
	if m.consumesEsc() {
		t.Fatal("the form should let the root take esc (back a step)")
	}
	// The root goes back (the screen keeps its state) and later returns:
	// it calls Init again. Sizes may change in between.
	m.SetSize(80, 24)
	m.SetSize(140, 45)
	m.Init()
	if got := m.calls[0].target.Value(); got != "0x12" {
		t.Errorf("target = %q after returning", got)
	}
	if m.full || m.focusID() != "call[0].target" {
		t.Errorf("full=%v focus=%q after returning", m.full, m.focusID())
	}
	if after := permView(m); after != before {
		t.Errorf("view changed across navigation:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// A failed grant changes nothing either: the root shows the banner on
	// the grant screen; the form is as it was.
	m.Update(errMsg{owner: grantScreen})
	if got := m.calls[0].target.Value(); got != "0x12" {
		t.Errorf("target = %q after a failed grant", got)
	}
}

const policyExample = `{"grantFullPermissions": false,
 "durationInSeconds": 86400,
 "callPolicies": [{"target": "0x3333333333333333333333333333333333333333", "selector": "0xa9059cbb", "constraints": [
  {"condition": 1, "index": 0, "refValue": "0x0000000000000000000000004444444444444444444444444444444444444444"},
  {"condition": 5, "index": 1, "refValue": "0x0000000000000000000000000000000000000000000000056bc75e2d63100000",
   "limit": {"limitType": 1, "limit": "150000000000000000000", "period": "0"}}]}],
 "transferPolicies": [{"target": "0x4444444444444444444444444444444444444444", "maxValuePerUse": "10000000000000000",
  "valueLimit": {"limitType": 2, "limit": "100000000000000000", "period": "86400"}}]}`

// runMsg runs a file command and feeds its message back.
func permRunMsg(t *testing.T, m *permissionsModel, cmd tea.Cmd) {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command")
	}
	m.Update(cmd())
}

func TestPermissionsLoadAndSavePolicyFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.json")
	if err := os.WriteFile(in, []byte(policyExample), 0o644); err != nil {
		t.Fatal(err)
	}
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permPress(m, "ctrl+o")
	if !m.Capturing() || !m.consumesEsc() {
		t.Fatal("the path prompt should capture keys and esc")
	}
	if v := permView(m); !strings.Contains(v, "Load from "+defaultPolicyPath) {
		t.Errorf("prompt:\n%s", v)
	}
	permPress(m, "ctrl+u")
	permType(m, in)
	permRunMsg(t, m, permPress(m, "enter"))
	v := permView(m)
	if !strings.Contains(v, "✓ loaded 1 call policy, 1 transfer policy from "+in) {
		t.Errorf("no result line:\n%s", v)
	}
	if m.full || m.dur.idx != 2 || len(m.calls) != 1 || len(m.transfers) != 1 || len(m.calls[0].constraints) != 2 {
		t.Fatalf("editors not populated: full=%v dur=%d calls=%d transfers=%d", m.full, m.dur.idx, len(m.calls), len(m.transfers))
	}
	if got := m.calls[0].signature.Value(); !strings.Contains(got, "transfer") {
		t.Errorf("signature = %q", got)
	}
	c1 := m.calls[0].constraints[1]
	if c1.arg != "1" || c1.cond.value() != "less-or-equal" || c1.limit.typ.value() != "lifetime" {
		t.Errorf("constraint 2 = arg %q cond %q limit %q", c1.arg, c1.cond.value(), c1.limit.typ.value())
	}
	if strings.Contains(v, "STALE") || !strings.Contains(v, `"selector": "0xa9059cbb"`) {
		t.Errorf("loaded set should be valid and previewed:\n%s", v)
	}

	out := filepath.Join(dir, "out.json")
	permPress(m, "ctrl+t")
	permPress(m, "ctrl+u")
	permType(m, out)
	permRunMsg(t, m, permPress(m, "enter"))
	if v := permView(m); !strings.Contains(v, "✓ saved 2 policies to "+out) {
		t.Errorf("no save result:\n%s", v)
	}
	want, err := flows.ParsePolicySet([]byte(policyExample))
	if err != nil {
		t.Fatal(err)
	}
	got, err := flows.LoadPolicyFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(permNormSet(got), permNormSet(want)) {
		t.Errorf("saved set differs:\n got %+v\nwant %+v", got, want)
	}
}

// normSet fills the defaults the file may omit, for comparison.
func permNormSet(s flows.PolicySet) flows.PolicySet {
	for i := range s.CallPolicies {
		p := &s.CallPolicies[i]
		if p.MaxValuePerUse == "" {
			p.MaxValuePerUse = "0"
		}
	}
	for i := range s.TransferPolicies {
		p := &s.TransferPolicies[i]
		if p.MaxValuePerUse == "" {
			p.MaxValuePerUse = "0"
		}
	}
	return s
}

func TestPermissionsLoadErrorKeepsEditors(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].target")
	permType(m, "0x33")
	permPress(m, "ctrl+o", "ctrl+u")
	permType(m, filepath.Join(t.TempDir(), "missing.json"))
	permRunMsg(t, m, permPress(m, "enter"))
	v := permView(m)
	if !strings.Contains(v, "✗ load") {
		t.Errorf("no error line:\n%s", v)
	}
	if m.calls[0].target.Value() != "0x33" {
		t.Error("a failed load changed the editors")
	}
	// Esc cancels a prompt without going anywhere.
	permPress(m, "ctrl+t")
	permPress(m, "esc")
	if m.mode != modeForm {
		t.Error("esc did not close the prompt")
	}
	// Saving invalid policies is refused with the reason.
	permPress(m, "ctrl+t", "enter")
	if v := permView(m); !strings.Contains(v, "not saved") {
		t.Errorf("saving invalid policies:\n%s", v)
	}
}

func TestPermissionsLiveFullConfirm(t *testing.T) {
	m := newPermTest(t, flows.ModeLive, 140, 45)
	if cmd := permPress(m, "ctrl+s"); permEmitsGrant(cmd) {
		t.Fatal("live full grant sent without asking")
	}
	if v := permView(m); !strings.Contains(v, "Grant FULL permissions on live chain 84532? (y/N)") {
		t.Errorf("no confirm prompt:\n%s", v)
	}
	if !m.Capturing() {
		t.Error("the prompt should capture keys (q must not quit)")
	}
	if cmd := permPress(m, "n"); permEmitsGrant(cmd) {
		t.Fatal("n granted")
	}
	if v := permView(m); strings.Contains(v, "(y/N)") || !strings.Contains(v, "cancelled") {
		t.Errorf("after n:\n%s", v)
	}
	permPress(m, "ctrl+s")
	if cmd := permPress(m, "enter"); permEmitsGrant(cmd) { // anything but y cancels
		t.Fatal("enter granted")
	}
	permPress(m, "ctrl+s")
	in := permGrantOf(t, permPress(m, "y"))
	if !in.Full || in.Duration != time.Hour {
		t.Errorf("grant = %+v", in)
	}
}

func TestPermissionsSandboxAndScopedLiveNoPrompt(t *testing.T) {
	m := newPermTest(t, flows.ModeLive, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].target")
	permType(m, "0x3333333333333333333333333333333333333333")
	permPress(m, "tab")
	permType(m, "0xa9059cbb")
	in := permGrantOf(t, permPress(m, "ctrl+s"))
	if in.Full {
		t.Error("scoped grant sent as full")
	}
}

func TestPermissionsAddDeletePolicies(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].target")
	permPress(m, "ctrl+n")
	if len(m.calls) != 2 || m.focusID() != "call[1].target" {
		t.Fatalf("ctrl+n: %d calls, focus %q", len(m.calls), m.focusID())
	}
	permType(m, "0xabc")
	permPress(m, "ctrl+d")
	if len(m.calls) != 1 {
		t.Fatalf("ctrl+d: %d calls", len(m.calls))
	}
	permFocus(t, m, "transfer.add")
	permPress(m, "enter")
	if len(m.transfers) != 1 || m.focusID() != "transfer[0].target" {
		t.Fatalf("add transfer: %d, focus %q", len(m.transfers), m.focusID())
	}
	permPress(m, "tab", "tab") // max value → value limit picker
	permPress(m, "right", "right")
	v := permView(m)
	if !strings.Contains(v, "‹ allowance ›") || permLineWith(v, "Period") == "" {
		t.Errorf("allowance should show limit and period:\n%s", v)
	}
}

func TestPermissionsFitsSmallTerminals(t *testing.T) {
	for _, sz := range [][2]int{{60, 15}, {80, 24}, {100, 30}, {140, 45}, {61, 15}} {
		w, h := sz[0], sz[1]
		m := newPermTest(t, flows.ModeSandbox, w, h)
		permCheckFits(t, m, w, h, "defaults")
		permFullOff(t, m)
		permFocus(t, m, "call[0].signature")
		permType(m, "function transfer(address to, uint256 amount)")
		permFocus(t, m, "call[0].addConstraint")
		permPress(m, "enter")
		permPress(m, "tab", "tab")
		permType(m, "not-an-address-but-very-long-text-that-goes-on-and-on")
		permCheckFits(t, m, w, h, "constraint")
		if v := permView(m); !strings.Contains(v, "› Value") {
			t.Errorf("%dx%d: focused field scrolled out of view:\n%s", w, h, v)
		}
		permFocus(t, m, "transfer.add")
		permPress(m, "enter")
		permCheckFits(t, m, w, h, "transfer")
		if v := permView(m); !strings.Contains(v, "› Recipient") {
			t.Errorf("%dx%d: focused field scrolled out of view:\n%s", w, h, v)
		}
		permPress(m, "ctrl+o")
		permCheckFits(t, m, w, h, "prompt")
		permPress(m, "esc")
		if m.layout().previewToggle {
			permPress(m, "ctrl+p")
			permCheckFits(t, m, w, h, "preview")
			if v := permView(m); !strings.Contains(v, "Request body") {
				t.Errorf("%dx%d: ctrl+p shows no body:\n%s", w, h, v)
			}
			permPress(m, "ctrl+p")
		}
	}
}

func permCheckFits(t *testing.T, m *permissionsModel, w, h int, what string) {
	t.Helper()
	out := m.View()
	if n := lipgloss.Height(out); n > h {
		t.Errorf("%dx%d %s: %d lines:\n%s", w, h, what, n, ansi.Strip(out))
	}
	for i, l := range strings.Split(out, "\n") {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%dx%d %s: line %d is %d wide: %q", w, h, what, i, lw, ansi.Strip(l))
		}
	}
}

func TestPermissionsCopyTargetIsBody(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	label, value, ok := m.copyTarget()
	if !ok || label != "request body" || !strings.Contains(value, `"durationInSeconds": 3600`) {
		t.Errorf("copyTarget = %q %q %v", label, value, ok)
	}
}

// lineWith returns the first line of v containing s ("" if none).
func permLineWith(v, s string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func TestPermissionsTickOnlyCurrentGeneration(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	old := m.tickGen
	m.Init() // the user came back: a new chain
	if cmd := m.Update(permTickMsg{gen: old}); cmd != nil {
		t.Error("a tick of the previous visit kept its chain alive")
	}
	if cmd := m.Update(permTickMsg{gen: m.tickGen}); cmd == nil {
		t.Error("the current tick chain stopped")
	}
}

func TestPermissionsCustomDurationKeptAcrossPresets(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permPress(m, "left", "left") // 1 h → 15 min → custom
	if !m.dur.isCustom() {
		t.Fatal("left twice from 1 h should reach custom")
	}
	permPress(m, "tab")
	permType(m, "36h")
	permPress(m, "shift+tab", "right") // back on the picker: 15 min
	if m.dur.isCustom() {
		t.Fatal("right did not leave custom")
	}
	if in := permGrantOf(t, permPress(m, "ctrl+s")); in.Duration != 15*time.Minute {
		t.Errorf("duration = %v, want the 15 min preset", in.Duration)
	}
	permPress(m, "left")
	if v := permView(m); !strings.Contains(v, "36h") || !strings.Contains(v, "in 1d 12h") {
		t.Errorf("custom text lost:\n%s", v)
	}
}

// Tab from Full access lands on the first field a user can type into:
// the policy's header row takes no focus, so typing is never swallowed.
func TestPermissionsTabFromFullAccessToFirstField(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "full")
	permPress(m, "tab")
	if m.focusID() != "call[0].target" || !m.Capturing() {
		t.Fatalf("tab from Full access: focus %q capturing %v, want call[0].target", m.focusID(), m.Capturing())
	}
	permType(m, "0x12")
	if got := m.calls[0].target.Value(); got != "0x12" {
		t.Errorf("typed into the first field: %q", got)
	}
	// esc leaves the field (letters are commands again); tab returns to it.
	permPress(m, "esc")
	if m.Capturing() || m.focusID() != "" {
		t.Errorf("after esc: capturing %v focus %q", m.Capturing(), m.focusID())
	}
	permPress(m, "tab")
	if m.focusID() != "call[0].target" {
		t.Errorf("tab after esc: focus %q, want the field left", m.focusID())
	}
}

func TestPermissionsRowsCaptureAndHelp(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	for id, capturing := range map[string]bool{
		"full": false, "call[0].target": true, "call[0].valueLimit.limitType": false,
		"call[0].addConstraint": false, "call.add": false, "transfer.add": false,
	} {
		permFocus(t, m, id)
		if m.Capturing() != capturing {
			t.Errorf("%s: Capturing() = %v", id, m.Capturing())
		}
	}
	permFocus(t, m, "call.add")
	permPress(m, "shift+tab", "shift+tab", "shift+tab", "shift+tab") // + constraint, value limit, max value, function
	if m.focusID() != "call[0].signature" {
		t.Fatalf("focus %q", m.focusID())
	}
	if v := permView(m); !strings.Contains(v, "Function the key may call") {
		t.Errorf("no help for the focused field:\n%s", v)
	}
}

// Every example policy file goes through the editors unchanged: loaded,
// shown, rebuilt by flows and saved equal (what QA keeps in a library).
func TestPermissionsExamplePolicyFilesRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("../examples/policies/*.json")
	tmp := filepath.Join(t.TempDir(), "api-example.json")
	if err := os.WriteFile(tmp, []byte(policyExample), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, tmp)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := flows.LoadPolicyFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m := newPermTest(t, flows.ModeSandbox, 60, 15)
			m.Update(policyLoadedMsg{path: f, set: want})
			if m.blocking != 0 || m.stale {
				t.Fatalf("loaded set shows %d errors: %v", m.blocking, m.errs)
			}
			got, bad := m.policySet()
			if bad != 0 {
				t.Fatalf("%d policy errors", bad)
			}
			if !reflect.DeepEqual(permNormSet(got), permNormSet(want)) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", got, want)
			}
			permCheckFits(t, m, 60, 15, "loaded")
		})
	}
}

func TestPermissionsKeysWorkWhateverTheFooterShowed(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	m.ShortHelp() // focus on the duration: toggle and add are off in the footer
	permPress(m, "tab")
	permPress(m, "space") // works although the footer last showed it disabled
	if m.full {
		t.Fatal("space did not toggle")
	}
	m.ShortHelp()
	permPress(m, "ctrl+n")
	if len(m.calls) != 2 {
		t.Errorf("ctrl+n: %d call policies", len(m.calls))
	}
}

func TestPermissionsNarrowPreviewBehindKey(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 60, 15)
	if v := permView(m); strings.Contains(v, "Request body") {
		t.Fatalf("at 60x15 the body should hide behind ctrl+p:\n%s", v)
	}
	permFullOff(t, m)
	permFocus(t, m, "call[0].target")
	permPress(m, "ctrl+p")
	v := permView(m)
	if !strings.Contains(v, "Request body") || strings.Contains(v, "Target") {
		t.Fatalf("ctrl+p should show the body instead of the form:\n%s", v)
	}
	if m.Capturing() || !m.consumesEsc() {
		t.Error("body view: letters should reach the root (c copies), esc should close it")
	}
	permType(m, "zz") // not typed into the hidden field
	permPress(m, "down", "esc")
	if got := m.calls[0].target.Value(); got != "" {
		t.Errorf("keys typed into a hidden field: %q", got)
	}
	if v := permView(m); !strings.Contains(v, "› Target") {
		t.Errorf("esc did not return to the form:\n%s", v)
	}
}

func TestPermissionsUndoDeleteAndLoad(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].target")
	permType(m, "0x3333333333333333333333333333333333333333")
	permFocus(t, m, "call[0].addConstraint")
	permPress(m, "enter", "tab", "tab")
	permType(m, "7")
	permPress(m, "ctrl+d") // the constraint
	if n := len(m.calls[0].constraints); n != 0 {
		t.Fatalf("%d constraints after ctrl+d", n)
	}
	if v := permView(m); !strings.Contains(v, "deleted constraint 1 of call policy 1 · ctrl+z to undo") {
		t.Errorf("no undo hint:\n%s", v)
	}
	permPress(m, "ctrl+z")
	if n := len(m.calls[0].constraints); n != 1 || m.calls[0].constraints[0].value.Value() != "7" {
		t.Fatalf("undo did not restore the constraint (%d)", n)
	}
	// Delete the whole policy, keep typing elsewhere, undo: both kept.
	permFocus(t, m, "call[0].target")
	permPress(m, "ctrl+d")
	if len(m.calls) != 0 {
		t.Fatal("policy not deleted")
	}
	permPress(m, "ctrl+z")
	if len(m.calls) != 1 || m.calls[0].target.Value() != "0x3333333333333333333333333333333333333333" {
		t.Fatal("undo did not restore the policy")
	}
	if m.focusID() != "call[0].target" {
		t.Errorf("focus after undo: %q", m.focusID())
	}
	// Adding drops the undo (it would lose the new editor).
	permPress(m, "ctrl+d")
	if m.focusID() != "call.add" {
		t.Errorf("focus after deleting the last call policy: %q", m.focusID())
	}
	permPress(m, "ctrl+n", "ctrl+z")
	if len(m.calls) != 1 || m.calls[0].target.Value() != "" {
		t.Errorf("ctrl+z after an add changed the editors: %d calls", len(m.calls))
	}
	// A load can be undone too.
	set, _ := flows.ParsePolicySet([]byte(policyExample))
	m.Update(policyLoadedMsg{path: "x.json", set: set})
	if len(m.transfers) != 1 {
		t.Fatal("not loaded")
	}
	permPress(m, "ctrl+z")
	if len(m.transfers) != 0 || len(m.calls) != 1 || m.dur.idx != defaultPreset {
		t.Errorf("undo of a load: %d transfers, %d calls, dur %d", len(m.transfers), len(m.calls), m.dur.idx)
	}
}

func TestPermissionsRawSelectorShowsKnownSignature(t *testing.T) {
	m := newPermTest(t, flows.ModeSandbox, 140, 45)
	permFullOff(t, m)
	permFocus(t, m, "call[0].signature")
	permType(m, "0xa9059cbb")
	if l := permLineWith(permView(m), "Function"); !strings.Contains(l, "= transfer(address,uint256)") {
		t.Errorf("function line %q", l)
	}
	permPress(m, "ctrl+u")
	permType(m, "0x12345678")
	if l := permLineWith(permView(m), "Function"); !strings.Contains(l, "unknown function") {
		t.Errorf("function line %q", l)
	}
}

// The form's and the body's scroll offsets are kept within their content
// in Update (on resize, on a content change), so View only reads them:
// scrolled to the end at 60x15, a taller terminal brings the top back
// without a keypress, and drawing moves nothing.
func TestPermissionsOffsetsKeptInUpdate(t *testing.T) {
	m, _ := openScreen(t, permissionsScreen, 60, 15)
	p := m.screens[permissionsScreen].(*permissionsModel)
	set, err := flows.LoadPolicyFile("../examples/policies/erc20-capped-transfer.json")
	if err != nil {
		t.Fatal(err)
	}
	p.apply(set)
	m.Update(nil)
	press(m, "ctrl+p", "pgdown", "pgdown", "pgdown")
	if p.pv.offset() == 0 {
		t.Fatalf("pgdn did not scroll the body:\n%s", frame(m))
	}
	press(m, "ctrl+p")
	for range 40 { // down the form to its last rows
		press(m, "tab")
	}
	if p.scroll.offset() == 0 {
		t.Fatalf("the last rows of a long form at 60x15 should scroll:\n%s", frame(m))
	}
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 80})
	lines, _, _ := p.formLines(p.formW)
	if off := p.scroll.offset(); off != 0 && len(lines) <= 80 {
		t.Errorf("form offset %d after growing to 80 rows (%d lines)", off, len(lines))
	}
	if off, n := p.pv.offset(), len(p.previewBody(60)); off > 0 && off+p.pv.vp.Height > n+1 {
		t.Errorf("body offset %d past its %d lines (room %d)", off, n, p.pv.vp.Height)
	}
	before := fmt.Sprint(p.scroll.offset(), p.pv.offset())
	v := frame(m)
	frame(m)
	if after := fmt.Sprint(p.scroll.offset(), p.pv.offset()); after != before {
		t.Errorf("View moved the offsets: %s -> %s", before, after)
	}
	if !strings.Contains(v, "4 · Permissions") && !strings.Contains(v, "Duration") {
		t.Errorf("the top of the form is not in view at 60x80:\n%s", v)
	}
}
