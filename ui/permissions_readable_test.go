package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// ellipsisLines are the lines of a frame that end in "…": text cut at the
// screen's edge. A shortened value keeps its end ("0x1234…abcd"), so only
// a line that ends in the ellipsis was cut.
func ellipsisLines(frame string) []string {
	var out []string
	for _, l := range strings.Split(ansi.Strip(frame), "\n") {
		if strings.HasSuffix(strings.TrimRight(l, " "), "…") {
			out = append(out, l)
		}
	}
	return out
}

// permReadable is the whole console on the Permissions screen at w×h, with
// a policy file loaded from a long path (as a presenter's would be).
func permReadable(t *testing.T, w, h int) (*Model, *permissionsModel, string) {
	t.Helper()
	set, err := flows.ParsePolicySet([]byte(policyExample))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := newOffline(t, flows.Config{Mode: flows.ModeSandbox, ChainID: 84532})
	withWalkthrough(m)
	m.active = permissionsScreen
	p := m.screens[permissionsScreen].(*permissionsModel)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	p.Init()
	path := "/home/presenter/workshops/walletconsole/examples/policies/erc20-capped-transfer.json"
	m.Update(policyLoadedMsg{path: path, set: set})
	return m, p, path
}

// checkFrame fails on a cut line, a frame wider or taller than the
// terminal, or a wanted text that is not whole on screen (wrapping may
// move its words onto several lines).
func checkFrame(t *testing.T, where string, m *Model, w, h int, want ...string) {
	t.Helper()
	frame := m.View()
	assertFits(t, frame, w, h)
	if cut := ellipsisLines(frame); len(cut) > 0 {
		t.Errorf("%s: cut with …: %q\n%s", where, cut, ansi.Strip(frame))
	}
	for _, s := range want {
		if s != "" && !strings.Contains(seen(ansi.Strip(frame)), seen(s)) {
			t.Errorf("%s: %q is not whole on screen:\n%s", where, s, ansi.Strip(frame))
		}
	}
}

// Every hint, status and reason of the Permissions screen and its Try
// panel reads whole at 60×15: the loaded file's path, each row's help and
// note, the lint findings, each Try field's hint, the panel's status and
// its answer (scrolled to). Nothing ends in "…".
func TestPermissionsReadableAt60x15(t *testing.T) {
	const w, h = 60, 15
	m, p, path := permReadable(t, w, h)
	press := func(keys ...string) {
		for _, k := range keys {
			m.Update(keyMsg(k))
		}
	}
	checkFrame(t, "loaded", m, w, h, path, p.status)

	// Every row of the form, with its help (flows.FieldHelp) whole.
	ids := map[string]bool{}
	for i := 0; i < 200; i++ {
		id := p.focusID()
		if ids[id] {
			break
		}
		ids[id] = true
		checkFrame(t, "row "+id, m, w, h, p.focusHelp())
		press("tab")
	}
	if len(ids) < 20 {
		t.Errorf("walked %d rows only", len(ids))
	}
	// Full access on: its own note and help.
	p.focusByID("full")
	p.sync()
	press("space")
	checkFrame(t, "full access on", m, w, h, p.focusHelp())
	press("space")

	// The lint findings and body behind ctrl+p, read to their end.
	press("ctrl+p")
	for i := 0; i < 40; i++ {
		checkFrame(t, "body", m, w, h)
		press("pgdown")
	}
	press("ctrl+p")

	// The Try panel: each field of both kinds with its hint, and the status
	// line saying what ctrl+s does there.
	p.sim = scriptSim(t)
	press("ctrl+y")
	if p.mode != modeTry {
		t.Fatal("ctrl+y did not open the Try panel")
	}
	checkFrame(t, "try", m, w, h, p.tryWhat())
	if strings.Contains(ansi.Strip(m.View()), "ctrl+s grants") {
		t.Errorf("the Try panel's status line speaks of the grant:\n%s", ansi.Strip(m.View()))
	}
	for _, kind := range []string{"call", "transfer"} {
		p.try.form.FocusAt(0)
		if kind == "transfer" {
			press("right")
		}
		for i := 0; i < 10; i++ {
			hint := ""
			if f, ok := p.try.form.Focused().(*field); ok {
				hint = f.hint
				if f.err != "" && f.touched {
					hint = f.err
				}
			}
			p.sync()
			checkFrame(t, fmt.Sprintf("%s field %d", kind, p.try.form.Index()), m, w, h, hint, p.tryWhat())
			if _, ok := p.try.form.Next(); !ok {
				break
			}
		}
	}
	// Arguments say "comma-separated" once, empty or filled.
	p.try.kind.idx = 0
	p.try.rebuild()
	for _, v := range []string{"", "0x5555555555555555555555555555555555555555, 1e18"} {
		p.try.args.SetValue(v)
		p.try.args.touched = false // as first shown: the hint, not the error
		p.try.form.Blur()
		p.sync()
		if n := strings.Count(ansi.Strip(p.View()), "comma-separated"); n != 1 {
			t.Errorf("Arguments %q: the hint shows %d times:\n%s", v, n, ansi.Strip(p.View()))
		}
	}

	// A refusal with a long reason: every line of the answer, scrolled.
	set, _ := flows.ParsePolicySet([]byte(policyExample))
	tr := p.try
	tr.running, tr.gen, tr.judged, tr.call, tr.runs = true, 7, set, true, 3
	reason := "ConditionFailed: argument constraint failed (argument 0x5555555555555555555555555555555555555555, required == 0x4444444444444444444444444444444444444444)"
	m.Update(tryDoneMsg{gen: 7, res: flows.PolicyTestResult{Got: "ConditionFailed", Run: 2, Reason: reason,
		Clause: "callPolicies[0].constraints[0] (to == 0x4444…4444)",
		Limits: []apiclient.LimitState{{Kind: flows.LimitKindCallParam, Target: "0x3333333333333333333333333333333333333333",
			Selector: "0xa9059cbb", Index: 1, Remaining: "149000000000000000000"}}}})
	var read []string
	for i := 0; i < 20; i++ {
		checkFrame(t, "answer", m, w, h)
		read = append(read, ansi.Strip(p.View()))
		press("pgdown")
	}
	all := seen(strings.Join(read, "\n"))
	for _, want := range []string{"✗ refused at run 2 of 3 by callPolicies[0].constraints[0] (to == 0x4444…4444)", reason,
		"amount of transfer(address,uint256) on 0x3333…3333: 149e18 left"} {
		if !strings.Contains(all, seen(want)) {
			t.Errorf("the answer misses %q", want)
		}
	}
}

// The meters left after a dry run read in the console's units: the
// sandbox token's amounts in TST, ETH in ETH; w shows raw base units.
func TestTryRemainingInUnits(t *testing.T) {
	m, p, _ := permReadable(t, 100, 30)
	m.c.sess.sandbox = &apiclient.SandboxInfo{TokenAddress: testToken2, TokenSymbol: "TST", DefaultChainID: 84532}
	p.openTry()
	tr := p.try
	tr.running, tr.gen, tr.call, tr.runs = true, 3, true, 1
	m.Update(tryDoneMsg{gen: 3, res: flows.PolicyTestResult{Got: "pass", Limits: []apiclient.LimitState{
		{Kind: flows.LimitKindCallParam, Target: testToken2, Selector: "0xa9059cbb", Index: 1, Remaining: "149000000000000000000"},
		{Kind: flows.LimitKindCallValue, Target: testToken2, Selector: "0xa9059cbb", Remaining: "10000000000000000"},
		{Kind: flows.LimitKindTransferValue, Target: "0x4444444444444444444444444444444444444444", Remaining: "1500000000000000000"},
	}}})
	v := seen(ansi.Strip(p.View()))
	for _, want := range []string{"amount of transfer(address,uint256) on 0x5FbD…0aa3: 149 TST left",
		"ETH with transfer(address,uint256) on 0x5FbD…0aa3: 0.01 ETH left", "send ETH to 0x4444…4444: 1.5 ETH left"} {
		if !strings.Contains(v, seen(want)) {
			t.Errorf("missing %q:\n%s", want, ansi.Strip(p.View()))
		}
	}
	if _, res, _ := strings.Cut(v, "Result"); strings.Contains(res, "e18") {
		t.Errorf("a raw exponent is shown:\n%s", ansi.Strip(p.View()))
	}
	m.c.rawWei = true
	p.sync()
	v = seen(ansi.Strip(p.View()))
	for _, want := range []string{"149000000000000000000 left", "10000000000000000 wei left", "1500000000000000000 wei left"} {
		if !strings.Contains(v, seen(want)) {
			t.Errorf("w: missing %q:\n%s", want, ansi.Strip(p.View()))
		}
	}
}

// From 15 rows up, at 60 and 100 columns, each row's help (flows.FieldHelp)
// reads whole below the form while the row is edited, and the focused row
// stays in view: the help is never cut to one line.
func TestPermissionsFieldHelpWholeFrom15Rows(t *testing.T) {
	for _, size := range [][2]int{{60, 15}, {60, 17}, {60, 19}, {60, 20}, {60, 24}, {100, 15}} {
		w, h := size[0], size[1]
		m, p, _ := permReadable(t, w, h)
		ids := map[string]bool{}
		for i := 0; i < 200; i++ {
			m.Update(keyMsg("tab"))
			id := p.focusID()
			if ids[id] {
				break
			}
			ids[id] = true
			help := p.focusHelp()
			if help == "" {
				continue
			}
			where := fmt.Sprintf("%dx%d row %s", w, h, id)
			checkFrame(t, where, m, w, h, help)
			if !strings.Contains(ansi.Strip(m.View()), "› ") {
				t.Errorf("%s: the focused row is not in view:\n%s", where, ansi.Strip(m.View()))
			}
		}
		if len(ids) < 20 {
			t.Errorf("%dx%d: walked %d rows only", w, h, len(ids))
		}
	}
}
