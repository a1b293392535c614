package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// A reason as the sandbox gives it: "<ErrorName>: <meaning> (<detail>)"
// with amounts in wei.
const (
	rawUsageReason = "LifetimeUsageExceeded: lifetime limit exceeded (usage 200000000000000000000 would exceed limit 150000000000000000000)"
	tstUsageReason = "LifetimeUsageExceeded: lifetime limit exceeded (usage 200 TST would exceed 150 TST)"
	revertID       = "9e7d1c2b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"
)

func TestHumanReason(t *testing.T) {
	token := testToken2
	grant := apiclient.CreateSessionKeyRequest{CallPolicies: []apiclient.CallPolicy{{
		Target:      token,
		Constraints: []apiclient.Constraint{{Index: 1, Limit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "150000000000000000000"}}},
		ValueLimit:  &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "10000000000000000"},
	}}}
	call := reasonContext{kind: "call", target: token, token: token, symbol: "TST", grant: grant}
	cases := []struct {
		name   string
		rc     reasonContext
		in     string
		expect string
	}{
		{"token usage", call, rawUsageReason, tstUsageReason},
		{"value usage on the token is ETH", call,
			"LifetimeUsageExceeded: lifetime limit exceeded (usage 20000000000000000 would exceed limit 10000000000000000)",
			"LifetimeUsageExceeded: lifetime limit exceeded (usage 0.02 ETH would exceed 0.01 ETH)"},
		{"transfer allowance", reasonContext{kind: "send"},
			"AllowanceExceeded: allowance limit exceeded for this period (usage 2000000000000000000 would exceed limit 1000000000000000000 per 86400s)",
			"AllowanceExceeded: allowance limit exceeded for this period (usage 2 ETH would exceed 1 ETH per 1d)"},
		{"max value", reasonContext{kind: "send"},
			"MaxValueExceeded: value above max per use (value 1000 wei, max 10 wei)",
			"MaxValueExceeded: value above max per use (value 1000 wei, max 10 wei per use)"},
		{"condition on an amount", call,
			"ConditionFailed: argument constraint failed (argument 200000000000000000000, required <= 150000000000000000000)",
			"ConditionFailed: argument constraint failed (argument 200 TST, required <= 150 TST)"},
		{"condition on an address stays", call,
			"ConditionFailed: argument constraint failed (argument 0x9628a1E3c4fE4a1fA2A4C1e8bE3fF0a5b4B8F0a1, required == 0x4444444444444444444444444444444444444444)",
			"ConditionFailed: argument constraint failed (argument 0x9628a1E3c4fE4a1fA2A4C1e8bE3fF0a5b4B8F0a1, required == 0x4444444444444444444444444444444444444444)"},
		{"balance", call,
			"ERC20InsufficientBalance: token balance too low (0x8ba1f109551bD432803012645Ac136ddd64DBA72 has 5000000000000000000, needs 7500000000000000000)",
			"ERC20InsufficientBalance: token balance too low (0x8ba1f109551bD432803012645Ac136ddd64DBA72 has 5 TST, needs 7.5 TST)"},
		{"unknown contract: numbers stay", reasonContext{kind: "call", target: testKey, token: token, symbol: "TST"},
			"ConditionFailed: argument constraint failed (argument 2, required <= 1)",
			"ConditionFailed: argument constraint failed (argument 2, required <= 1)"},
		{"unknown reason stays", call, "Error: custom message", "Error: custom message"},
	}
	for _, tc := range cases {
		if got := humanReason(tc.in, tc.rc); got != tc.expect {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.expect)
		}
	}
}

func TestWrapLinesNeverCuts(t *testing.T) {
	text := "✗ ConditionFailed: argument constraint failed (argument 0x9628a1E3c4fE4a1fA2A4C1e8bE3fF0a5b4B8F0a1, required == 0x4444444444444444444444444444444444444444) " + strings.Repeat("x", 130)
	for _, w := range []int{20, 56, 100} {
		ls := wrapLines(text, w, "  ")
		for _, l := range ls {
			if lipgloss.Width(l) > w {
				t.Errorf("w=%d: line %q is %d wide", w, l, lipgloss.Width(l))
			}
		}
		if seen(strings.Join(ls, "\n")) != seen(text) {
			t.Errorf("w=%d: text changed:\n%s", w, strings.Join(ls, "\n"))
		}
	}
}

// failedCall puts a contract call on the token that failed on chain with
// rawUsageReason into the console, as the client's hook and the watcher
// would: the request that made it, and its FAILED record in block 57.
func failedCall(m *Model) {
	c := m.c
	c.sess.sandbox = &apiclient.SandboxInfo{TokenAddress: testToken2, TokenSymbol: "TST"}
	c.sess.grant.Request.CallPolicies = []apiclient.CallPolicy{{Target: testToken2, Selector: "0xa9059cbb",
		Constraints: []apiclient.Constraint{{Index: 1, Limit: &apiclient.UsageLimit{LimitType: apiclient.LimitLifetime, Limit: "150000000000000000000"}}}}}
	h := http.Header{}
	h.Set("X-Secret-Key", testSecret)
	c.log.add(apiclient.Exchange{Tag: flows.TagCall, Method: "POST", URL: "http://127.0.0.1:40000/v1/contracts/write", RequestHeader: h,
		RequestBody:  []byte(`{"chainId":84532,"calls":[{"contractAddress":"` + testToken2 + `","method":"function transfer(address to, uint256 amount)","params":["` + testUser + `","200000000000000000000"]}]}`),
		Status:       200,
		ResponseBody: []byte(`{"result":{"transactionIds":["` + revertID + `"]}}`)})
	r := c.txs.add(revertID, "call", testNow)
	hash, block, reason := testHash, apiclient.NumString("57"), rawUsageReason
	r.tx = apiclient.Transaction{ID: revertID, Status: apiclient.StatusFailed, TransactionHash: &hash, ConfirmedAtBlockNumber: &block, ErrorMessage: &reason, From: testKey}
	r.ended = testNow.Add(time.Second)
	c.log.add(apiclient.Exchange{Tag: flows.TagWatch, Method: "GET", URL: "http://127.0.0.1:40000/v1/transactions/" + revertID, Status: 200,
		ResponseBody: []byte(`{"result":{"id":"` + revertID + `","status":"FAILED","transactionHash":"` + testHash + `","confirmedAtBlockNumber":"57","errorMessage":"` + rawUsageReason + `"}}`)})
}

// scrollCollect reads a viewport pane the way a person does, one line down
// at a time, and returns every line it showed, in order.
func scrollCollect(t *testing.T, d *uiDriver, vp *scroller, pane func() []string) []string {
	t.Helper()
	var out []string
	for i := 0; i < 500; i++ {
		lines := pane()
		off := vp.vp.YOffset
		for j, l := range lines {
			if off+j >= len(out) {
				out = append(out, l)
			}
		}
		if vp.vp.AtBottom() {
			return out
		}
		d.key("down")
	}
	t.Fatal("the pane never reached its bottom")
	return nil
}

// On-chain revert: FAILED with the decoded reason in full, in token units
// (raw wei with w), on the Activity list, its detail and the raw JSON, at
// 140×45 and 60×15; the block it failed in is shown.
func TestRevertReasonWholeOnActivity(t *testing.T) {
	for _, size := range faultSizes {
		m, _ := newOffline(t, flows.Config{})
		withWalkthrough(m)
		failedCall(m)
		m.active = activityScreen
		d := drive(t, m, size[0], size[1])
		a := m.screens[activityScreen].(*activity)
		d.key("G")
		// the activity pane itself (the Steps column beside it would
		// interleave its text with the wrapped lines)
		view := func() string { return ansi.Strip(a.View()) }
		v := view()
		assertFits(t, m.View(), size[0], size[1])
		if !strings.Contains(seen(v), seen("✗ "+tstUsageReason)) {
			t.Errorf("%dx%d: list does not show the whole reason in TST:\n%s", size[0], size[1], v)
		}
		if !strings.Contains(v, "FAILED") || !strings.Contains(v, "57") {
			t.Errorf("%dx%d: list misses FAILED or its block:\n%s", size[0], size[1], v)
		}
		d.key("w")
		if v = view(); !strings.Contains(seen(v), seen("✗ "+rawUsageReason)) {
			t.Errorf("%dx%d: w does not show the raw wei:\n%s", size[0], size[1], v)
		}
		d.key("w", "enter")
		pane := func() []string { return strings.Split(ansi.Strip(a.View()), "\n")[len(a.dvHead):] }
		all := strings.Join(scrollCollect(t, d, &a.dv, pane), "\n")
		assertFits(t, m.View(), size[0], size[1])
		for _, want := range []string{"reason ✗ " + tstUsageReason, "block 57", `"errorMessage": "` + rawUsageReason + `"`, "status FAILED in block 57"} {
			if !strings.Contains(seen(all), seen(want)) {
				t.Errorf("%dx%d: detail misses %q:\n%s", size[0], size[1], want, all)
			}
		}
		if strings.Contains(all, "…") && strings.Contains(strings.Split(all, "Request that created it")[0], "…") {
			t.Errorf("%dx%d: something is cut in the detail:\n%s", size[0], size[1], all)
		}
	}
}

// The Send screen's list can show a reason whole with the helper.
func TestReasonLinesHelperForSend(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	withWalkthrough(m)
	failedCall(m)
	ls := m.c.ReasonLines(m.c.txs.get(revertID), 56, "  ")
	for _, l := range ls {
		if w := lipgloss.Width(l); w > 56 {
			t.Errorf("line %d wide: %q", w, l)
		}
	}
	if got := seen(ansi.Strip(strings.Join(ls, "\n"))); got != seen("✗ "+tstUsageReason) {
		t.Errorf("got %s", got)
	}
}

// A reason with control characters cannot act on the terminal.
func TestReasonIsTerminalSafe(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	withWalkthrough(m)
	r := m.c.txs.add("evil", "send", testNow)
	bad := "Error: \x1b]0;pwned\x07\x1b[32mCONFIRMED"
	r.tx = apiclient.Transaction{ID: "evil", Status: apiclient.StatusFailed, ErrorMessage: &bad}
	m.active = activityScreen
	d := drive(t, m, 140, 45)
	d.key("G", "enter")
	if v := m.View(); strings.Contains(v, "\x1b]0;") || strings.Contains(ansi.Strip(v), "\x1b") {
		t.Fatalf("escape sequence reached the screen: %q", v)
	}
	if !strings.Contains(m.View(), `\x1b]0;pwned`) {
		t.Errorf("the reason is not shown escaped:\n%s", ansi.Strip(m.View()))
	}
}

// The inspector scrolls and wraps: the whole curl command can be read at
// 60×15 and 140×45.
func TestInspectorScrollsCurlWhole(t *testing.T) {
	for _, size := range faultSizes {
		m, _ := newOffline(t, flows.Config{})
		withWalkthrough(m)
		addExchanges(m)
		m.active = grantScreen
		d := drive(t, m, size[0], size[1])
		d.key("i")
		ex, _ := m.c.log.last(flows.TagGrant)
		curl := m.curlOf(ex, true)
		pane := func() []string { return strings.Split(ansi.Strip(m.iv.view()), "\n") }
		var all []string
		if size[0] < 110 { // alone: ↑/↓ scroll it
			all = scrollCollect(t, d, &m.iv, pane)
		} else {
			for !m.iv.vp.AtBottom() {
				all = append(all, pane()...)
				d.key("pgdown")
			}
			all = append(all, pane()...)
		}
		assertFits(t, m.View(), size[0], size[1])
		if !strings.Contains(seen(strings.Join(all, "\n")), seen(curl)) {
			t.Errorf("%dx%d: the curl command is not whole in the inspector:\n%s\nwant %s", size[0], size[1], strings.Join(all, "\n"), curl)
		}
		if !strings.Contains(ansi.Strip(m.View()), "i: close") {
			t.Errorf("%dx%d: the inspector's close key is not shown", size[0], size[1])
		}
	}
}

// ? fits at 100×30 and 60×15, scrolls when needed and always shows esc, ?
// and q; the footer sits at the bottom of every screen at every size.
func TestHelpFitsAndFooterAtBottom(t *testing.T) {
	for _, size := range [][2]int{{60, 15}, {80, 24}, {100, 30}, {140, 45}} {
		for id := connectScreen; id < numScreens; id++ {
			m, _ := newOffline(t, flows.Config{})
			withWalkthrough(m)
			m.active = id
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			frame := ansi.Strip(m.View())
			lines := strings.Split(frame, "\n")
			if len(lines) != size[1] {
				t.Errorf("%s %dx%d: %d lines, want the full height", id, size[0], size[1], len(lines))
			}
			last := lines[len(lines)-1]
			for _, k := range []string{"esc ", "? ", "q quit"} {
				if !strings.Contains(last, k) {
					t.Errorf("%s %dx%d: footer %q misses %q", id, size[0], size[1], last, k)
				}
			}
			m.helpOn = true
			m.Update(nil)
			frame = ansi.Strip(m.View())
			assertFits(t, frame, size[0], size[1])
			for _, k := range []string{"esc          back", "?            all keys", "q            quit"} {
				if !strings.Contains(frame, k) {
					t.Errorf("%s %dx%d: help misses %q:\n%s", id, size[0], size[1], k, frame)
				}
			}
			// everything is reachable by scrolling
			for i := 0; i < 50 && !m.hv.vp.AtBottom(); i++ {
				m.Update(keyMsg("down"))
			}
			if !m.hv.vp.AtBottom() {
				t.Errorf("%s %dx%d: help does not scroll to its end", id, size[0], size[1])
			}
			m.Update(keyMsg("esc"))
			if m.helpOn {
				t.Errorf("%s: esc did not close the help", id)
			}
		}
	}
}

// The Grant screen shows a failed grant's reason whole and its block, at
// 60 columns too.
func TestGrantFailedReasonWholeWithBlock(t *testing.T) {
	reason := "SessionExpiresTooSoon: session expiry is not in the future (expiresAt 1795618400, block time 1795618460, account 0x8ba1f109551bD432803012645Ac136ddd64DBA72)"
	for _, size := range faultSizes {
		m, _ := newOffline(t, flows.Config{})
		withWalkthrough(m)
		m.c.sess.grantOK = false
		r := m.c.txs.get(testGrant)
		r.tx.Status, r.tx.ErrorMessage = apiclient.StatusFailed, &reason
		m.active = grantScreen
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		g := ansi.Strip(m.screens[grantScreen].View())
		if !strings.Contains(seen(g), seen("✗ "+reason)) {
			t.Errorf("%dx%d: reason not whole:\n%s", size[0], size[1], g)
		}
		if !strings.Contains(g, "Block       41") {
			t.Errorf("%dx%d: the failed grant's block is not shown:\n%s", size[0], size[1], g)
		}
		assertFits(t, m.View(), size[0], size[1])
	}
}

// The Send screen's list shows a failed send's reason whole, in token
// units, at 140×45 and 60×15: the selected row's wrapped reason scrolls into
// view with it.
func TestRevertReasonWholeOnSend(t *testing.T) {
	for _, size := range faultSizes {
		m, _ := newOffline(t, flows.Config{})
		withWalkthrough(m)
		failedCall(m)
		s := m.screens[sendScreen].(*send)
		s.results = append(s.results, revertID)
		s.sel, s.inResults = len(s.results)-1, true
		m.active = sendScreen
		d := drive(t, m, size[0], size[1])
		d.send(nil)
		v := ansi.Strip(s.View())
		assertFits(t, m.View(), size[0], size[1])
		if !strings.Contains(seen(v), seen("✗ "+tstUsageReason)) {
			t.Errorf("%dx%d: Send does not show the whole reason:\n%s", size[0], size[1], v)
		}
		if !strings.Contains(v, "FAILED in block 57") {
			t.Errorf("%dx%d: Send does not say which block the send failed in:\n%s", size[0], size[1], v)
		}
	}
}

// cutLines are a frame's lines that were cut at the terminal's edge: as
// wide as the terminal and ending in "…" (what fitBlock and the form
// viewport do to a line that does not fit).
func cutLines(frame string, w int) []string {
	var cut []string
	for _, l := range strings.Split(ansi.Strip(frame), "\n") {
		l = strings.TrimRight(l, " ")
		if strings.HasSuffix(l, "…") && lipgloss.Width(l) >= w {
			cut = append(cut, l)
		}
	}
	return cut
}

// Hints, help, status lines and reasons wrap instead of being cut, at 60×15
// and 140×45: every screen (and its ? help) with the walkthrough done, and
// the states with the longest lines: the login before the sandbox is up, a
// failed connection, the Send form's token hint, a policy file loaded, the
// w status, a transaction's detail.
func TestHintsWrapNotCut(t *testing.T) {
	longErr := &apiclient.NetError{Kind: apiclient.NetRefused, Method: "GET", Path: "/v1/sandbox/info"}
	type state struct {
		name  string
		setup func(m *Model, d *uiDriver)
		want  []string // whole on screen (whitespace ignored)
	}
	var states []state
	subtitles := map[screenID]string{
		connectScreen:    "Where calls go. Flags, environment and the config file fill this in.",
		loginScreen:      `Log in as a guest user: POST /auth/complete {"method":"guest"}`,
		sessionKeyScreen: "A server wallet signs for the user: POST /wallets/server {identifier}",
		grantScreen:      "The user grants the session key: POST /wallets/create-session-key",
	}
	for id := connectScreen; id < numScreens; id++ {
		states = append(states, state{name: id.String(), setup: func(m *Model, d *uiDriver) {
			withWalkthrough(m)
			d.send(goToMsg{id})
		}, want: []string{subtitles[id]}})
		states = append(states, state{name: id.String() + " help", setup: func(m *Model, d *uiDriver) {
			withWalkthrough(m)
			d.send(goToMsg{id})
			d.key("?")
		}, want: []string{"Help: esc or ? closes"}})
	}
	states = append(states,
		state{"login, sandbox starting", func(m *Model, d *uiDriver) { d.send(goToMsg{loginScreen}) },
			[]string{"the sandbox is starting — press enter now or when ready"}},
		state{"sessions: revoke asked, help", func(m *Model, d *uiDriver) {
			withWalkthrough(m)
			d.send(goToMsg{sessionsScreen})
			m.screens[sessionsScreen].(*sessionsView).confirm = true
			d.key("?")
		}, []string{"any other key"}},
		state{"connect failed", func(m *Model, d *uiDriver) {
			m.c.sess.sbErr = longErr
			d.send(goToMsg{connectScreen})
			d.send(errMsg{connectScreen, fmt.Errorf("connecting: %w", longErr)}) // as onConnected does
		}, []string{"✗ connecting: " + errorText(longErr)}},
		state{"send: token call hint", func(m *Model, d *uiDriver) {
			withWalkthrough(m)
			d.send(goToMsg{sendScreen})
			d.key("ctrl+t")
		}, []string{"sandbox test token TST: amounts as 100 TST or in base units (100e18)"}},
		state{"activity: w status and detail", func(m *Model, d *uiDriver) {
			withWalkthrough(m)
			failedCall(m)
			d.send(goToMsg{activityScreen})
			d.key("G", "w", "enter")
		}, []string{"amounts in raw base units (wei); w for token/ETH units", "esc: back to the list"}},
		state{"permissions: policy file loaded", func(m *Model, d *uiDriver) {
			withWalkthrough(m)
			d.send(goToMsg{permissionsScreen})
			d.key("ctrl+o", "ctrl+u")
			d.typeText("../examples/policies/erc20-capped-transfer.json")
			d.key("enter")
			d.untilFn(5*time.Second, func() bool {
				return strings.Contains(strings.Join(strings.Fields(ansi.Strip(m.screens[permissionsScreen].View())), " "), "(ctrl+z: back")
			}, "the policy file loaded")
		}, []string{"✓ loaded 1 call policy, 0 transfer policies from ../examples/policies/erc20-capped-transfer.json (ctrl+z: back to the form before)"}},
	)
	for _, size := range faultSizes {
		for _, st := range states {
			m, _ := newOffline(t, flows.Config{})
			d := &uiDriver{t: t, m: m, ch: make(chan tea.Msg, 1024)}
			d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			st.setup(m, d)
			frame := m.View()
			assertFits(t, frame, size[0], size[1])
			cut := cutLines(frame, size[0])
			if st.name == "permissions: policy file loaded" {
				// a policy's one-line summary row is cut by design (its
				// fields are the rows under it)
				cut = slices.DeleteFunc(cut, func(l string) bool { return strings.HasPrefix(strings.TrimLeft(l, "│ "), "Call policy 1") })
			}
			if len(cut) > 0 {
				t.Errorf("%s %dx%d: lines cut at the edge %q:\n%s", st.name, size[0], size[1], cut, ansi.Strip(frame))
			}
			// on wide terminals the Steps column sits left of the screen
			// and would interleave with its wrapped lines
			screen := ansi.Strip(frame)
			if sw := m.lastGeo.summaryW; sw > 0 {
				var ls []string
				for _, l := range strings.Split(screen, "\n") {
					ls = append(ls, ansi.Cut(l, sw+1, size[0]))
				}
				screen = strings.Join(ls, "\n")
			}
			for _, w := range st.want {
				if w != "" && !strings.Contains(seen(ansi.Strip(frame)), seen(w)) && !strings.Contains(seen(screen), seen(w)) {
					t.Errorf("%s %dx%d: %q is not whole on screen:\n%s", st.name, size[0], size[1], w, ansi.Strip(frame))
				}
			}
		}
	}
}

// End to end with the embedded sandbox at 60×15: a scoped grant from the
// example policy file, then a call the policy forbids. The sandbox mines it
// and it reverts; the Send list, the Activity detail and the run summary
// all say which block it failed in.
func TestRevertedSendShowsItsBlockEndToEnd(t *testing.T) {
	m, _ := newOffline(t, flows.Config{})
	d := drive(t, m, 60, 15)
	d.until(20*time.Second, "sandbox ✓")
	d.key("enter")
	d.untilFn(10*time.Second, func() bool { return m.active == sessionKeyScreen }, "the session key step")
	d.key("enter")
	d.untilFn(10*time.Second, func() bool { return m.active == permissionsScreen }, "the permissions step")
	d.key("ctrl+o", "ctrl+u")
	d.typeText("../examples/policies/erc20-capped-transfer.json")
	d.key("enter")
	d.untilFn(5*time.Second, func() bool { return strings.Contains(ansi.Strip(m.screens[permissionsScreen].View()), "✓ loaded") }, "the policy file")
	d.key("ctrl+s")
	d.untilFn(20*time.Second, func() bool { return m.active == sendScreen }, "the grant confirmed")
	s := m.screens[sendScreen].(*send)
	if !s.callMode {
		t.Fatal("the Send form did not open on the call the grant allows")
	}
	d.key("tab", "tab", "tab", "ctrl+u") // the arguments
	d.typeText("0x5555555555555555555555555555555555555555, 1e18")
	d.key("ctrl+s")
	d.untilFn(20*time.Second, func() bool {
		if len(s.results) != 1 {
			return false
		}
		r := m.c.txs.get(s.results[0])
		return r != nil && r.final()
	}, "the send's final state")
	r := m.c.txs.get(s.results[0])
	block := r.tx.Block()
	if r.tx.Status != apiclient.StatusFailed || block == "" || r.tx.Hash() == "" {
		t.Fatalf("want a FAILED record with its block and hash from the sandbox: %+v", r.tx)
	}
	d.key("esc") // leave the field: the list shows the send
	if v := ansi.Strip(s.View()); !strings.Contains(v, "FAILED in block "+block) {
		t.Errorf("the Send list does not name the block:\n%s", v)
	}
	d.key("a", "G", "enter")
	if v := ansi.Strip(m.screens[activityScreen].View()); !strings.Contains(v, "status     FAILED in block "+block) {
		t.Errorf("the Activity detail does not name the block:\n%s", v)
	}
	if sum := m.ExitSummary(); !strings.Contains(sum, r.id+" FAILED in block "+block) {
		t.Errorf("the run summary does not name the block:\n%s", sum)
	}
}
