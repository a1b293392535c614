package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// The Try panel of the Permissions screen (issue 11 §4): type a call or a
// transfer and see whether the DRAFT would allow it. The answer is not Go
// code imitating the account: flows.RunPolicyCase hands the draft and the
// call to the PolicySimulator main wires in (the account contract on a
// scratch chain: grant the draft to a throwaway key, run, discard), the
// same path as `walletconsole policy test`. It runs in a tea.Cmd; esc
// cancels it; a newer run or a cancel drops a late answer by generation.

// tryKeys are the panel's bindings (the screen's Try key opens it).
type tryKeys struct {
	Run    key.Binding
	Enter  key.Binding
	Next   key.Binding
	Prev   key.Binding
	Kind   key.Binding
	Scroll key.Binding
	Esc    key.Binding
}

func newTryKeys() tryKeys {
	return tryKeys{
		Run:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "dry run")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next/run")),
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "prev field")),
		Kind:   key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "call/transfer")),
		Scroll: key.NewBinding(key.WithKeys("pgup", "pgdown"), key.WithHelp("pgup/pgdn", "scroll")),
		Esc:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel/close")),
	}
}

// tryTickEvery refreshes the elapsed time and spinner while a run is out.
const tryTickEvery = 100 * time.Millisecond

// tryDoneMsg is a dry run's answer; tryTickMsg animates a running one.
// Both find the Permissions screen even when the user moved on.
type tryDoneMsg struct {
	gen int
	res flows.PolicyTestResult
	err error // the run was cancelled (esc) or the console is closing
}

type tryTickMsg struct{ gen int }

func (tryDoneMsg) ownerScreen() screenID { return permissionsScreen }
func (tryTickMsg) ownerScreen() screenID { return permissionsScreen }

// tryPanel holds what was typed (kept while the panel is closed) and the
// last answer.
type tryPanel struct {
	keys    tryKeys
	kind    *choiceField // call | transfer
	target  *field
	sig     *field
	args    *field
	value   *field
	to      *field
	amount  *field
	times   *field
	after   *field // wait before each run (a policy test's "after")
	form    *Group
	scroll  formScroller
	showRes bool // the next sync scrolls the answer into view

	running bool
	cancel  context.CancelFunc
	gen     int
	started time.Time

	has     bool                   // an answer is shown
	res     flows.PolicyTestResult // the answer
	judged  flows.PolicySet        // the draft it judged (units of the reason)
	call    bool                   // it was a call (else a transfer)
	runs    int                    // how many runs were asked for
	wait    time.Duration          // the clock moved this much before each run
	problem string                 // why nothing ran ("" when something did)
}

func newTryPanel(m *permissionsModel) *tryPanel {
	t := &tryPanel{keys: newTryKeys()}
	t.kind = newChoice("try.kind", "Kind", 0, "call", "transfer")
	t.kind.onChange = func() { t.rebuild() }
	t.target = newField("try.target", "Contract", "0x… contract address", validAddress)
	t.sig = newField("try.signature", "Function", "transfer(address,uint256)", func(v string) error {
		sel, err := flows.ParseSelector(strings.TrimSpace(v))
		if err != nil {
			return err
		}
		if !sel.Known() {
			return errors.New("write the function with its argument types, e.g. transfer(address,uint256)")
		}
		return nil
	})
	t.args = newField("try.args", "Arguments", "0x…, 100", func(v string) error {
		_, err := m.tryCall()
		if err != nil && t.sig.validate(t.sig.Value()) == nil && validAddress(t.target.Value()) == nil {
			return err
		}
		return nil // the contract or function field says what is wrong
	}).withHint("comma-separated")
	t.value = newField("try.value", "Value", "0 (ETH)", validValue).withDefault("0")
	t.to = newField("try.to", "To", "0x… recipient address", validAddress)
	t.amount = newField("try.amount", "Amount", "0.01 (ETH), 5 gwei, 1e18 wei", validValue).withDefault("0").withHint("ETH")
	t.times = newField("try.times", "Times", "1", func(v string) error {
		_, err := parseTimes(v)
		return err
	}).withDefault("1").withHint("runs in a row")
	// The chain's clock moves this much before each run, so an allowance
	// can be seen refilling (or the session expiring) in a dry run.
	t.after = newField("try.after", "After", "none (e.g. 1d)", func(v string) error {
		_, err := parseAfter(v)
		return err
	}).withHint("wait before each run")
	t.form = newGroup()
	t.rebuild()
	return t
}

// isCall: the panel describes a contract call (else a native transfer).
func (t *tryPanel) isCall() bool { return t.kind.idx == 0 }

// rebuild shows the fields of the chosen kind, keeping the focus by key.
func (t *tryPanel) rebuild() {
	fs := []Field{t.kind}
	if t.isCall() {
		fs = append(fs, t.target, t.sig, t.args, t.value)
	} else {
		fs = append(fs, t.to, t.amount)
	}
	t.form.SetFields(append(fs, t.times, t.after))
}

// parseTimes reads how many runs in a row (the limits' meters show what
// repeated uses leave): 1 to 100, as a policy file's "repeat".
func parseTimes(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return 0, fmt.Errorf("%q: a whole number from 1 to 100", v)
	}
	return n, nil
}

// parseAfter reads the wait before each run in a policy file's "after"
// grammar (flows.ParsePeriod: 90m, 1h, 1d); empty is no wait.
func parseAfter(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	return flows.ParsePeriod(v)
}

// tryCall is the typed call as a policy test case's call: arguments read as
// the Send form reads them (flows' one amount grammar; "100 TST" for the
// sandbox token), encoded by flows as `policy test` encodes them.
func (m *permissionsModel) tryCall() (*flows.TestCall, error) {
	t := m.try
	sel, err := flows.ParseSelector(strings.TrimSpace(t.sig.Value()))
	if err != nil || !sel.Known() {
		return nil, errors.New("the function needs its argument types, e.g. transfer(address,uint256)")
	}
	var raw []string
	if a := strings.TrimSpace(t.args.Value()); a != "" {
		for _, p := range strings.Split(a, ",") {
			raw = append(raw, strings.TrimSpace(p))
		}
	}
	if len(raw) != len(sel.Args) {
		return nil, fmt.Errorf("%s takes %d argument(s), %d given", sel.Signature, len(sel.Args), len(raw))
	}
	token := ""
	if info := m.c.sess.sandbox; info != nil && apiclient.SameAddress(info.TokenAddress, t.target.Value()) {
		token = info.TokenSymbol
	}
	c := &flows.TestCall{To: strings.TrimSpace(t.target.Value()), Signature: sel.Full(), Value: strings.TrimSpace(t.value.Value())}
	for i, r := range raw {
		a := sel.Args[i]
		if strings.HasPrefix(a.Type, "uint") && token != "" {
			n, err := flows.ParseTokenAmount(r, token, sandboxTokenDecimals)
			if err != nil {
				return nil, fmt.Errorf("%s (%s): %v", argLabel(a.Name, i), a.Type, err)
			}
			r = n.String()
		}
		if _, err := flows.EncodeRefValue(a.Type, r); err != nil {
			return nil, fmt.Errorf("%s (%s): %v", argLabel(a.Name, i), a.Type, err)
		}
		c.Args = append(c.Args, r)
	}
	if _, err := c.Calldata(); err != nil {
		return nil, err
	}
	return c, nil
}

// tokenArgs are a suggested call's arguments with its amounts in the
// sandbox token's units when it calls the token ("1 TST", not "1e18"), as
// the panel shows amounts.
func (m *permissionsModel) tokenArgs(call *flows.SuggestedCall) []string {
	args := append([]string(nil), call.Args...)
	sel, err := flows.ParseSelector(call.Signature)
	if err != nil || !m.isSandboxToken(call.Target) || len(sel.Args) != len(args) {
		return args
	}
	u := amountUnit{symbol: apiclient.Printable(m.c.sess.sandbox.TokenSymbol), decimals: sandboxTokenDecimals}
	for i, a := range sel.Args {
		if !strings.HasPrefix(a.Type, "uint") {
			continue
		}
		if v, err := flows.ParseArgAmount(args[i]); err == nil {
			args[i] = u.format(v)
		}
	}
	return args
}

func argLabel(name string, i int) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("argument %d", i+1)
}

// tryCase is the typed call or transfer as a flows.PolicyTest.
func (m *permissionsModel) tryCase() (flows.PolicyTest, error) {
	t := m.try
	n, err := parseTimes(t.times.Value())
	if err != nil {
		return flows.PolicyTest{}, err
	}
	wait, err := parseAfter(t.after.Value())
	if err != nil {
		return flows.PolicyTest{}, err
	}
	c := flows.PolicyTest{Name: "dry run", Repeat: n}
	if wait > 0 {
		c.After = strings.TrimSpace(t.after.Value())
	}
	if t.isCall() {
		call, err := m.tryCall()
		if err != nil {
			return c, err
		}
		c.Call = call
		return c, nil
	}
	c.Transfer = &flows.TestTransfer{To: strings.TrimSpace(t.to.Value()), Value: strings.TrimSpace(t.amount.Value())}
	return c, nil
}

// openTry opens the panel; the first time, it is pre-filled with a call
// (or transfer) the draft allows, as the Send form is after a grant.
func (m *permissionsModel) openTry() tea.Cmd {
	m.form.Blur()
	m.mode = modeTry
	t := m.try
	if t.target.Value() == "" && t.to.Value() == "" && !m.full {
		if in, err := m.grantInput(m.now()); err == nil {
			req := flows.BuildGrantRequest(m.c.chainID(), m.c.sess.key.Address, in)
			call, tr := flows.Suggest(req, m.c.sess.login.Address)
			switch {
			case call != nil:
				t.target.SetValue(call.Target)
				t.sig.SetValue(call.Signature)
				t.args.SetValue(strings.Join(m.tokenArgs(call), ", "))
			case tr != nil:
				t.kind.idx = 1
				t.to.SetValue(tr.Recipient)
				t.rebuild()
			}
		}
	}
	t.form.FocusAt(-1)
	return nil
}

// lifeCtx is the console's lifetime (Background when there is none, in
// tests of the bare screen).
func (m *permissionsModel) lifeCtx() context.Context {
	if m.c.life != nil {
		return m.c.life
	}
	return context.Background()
}

// runTry starts a dry run of the typed call against the draft.
func (m *permissionsModel) runTry() tea.Cmd {
	t := m.try
	if t.running {
		return nil
	}
	t.has, t.problem = false, ""
	t.showRes = true
	if m.sim == nil {
		t.problem = "Dry runs are unavailable: this console was started without a policy simulator."
		return nil
	}
	if bad := t.form.ValidateAll(); bad >= 0 {
		t.problem = "Fix the marked field first."
		return t.form.FocusAt(bad)
	}
	c, err := m.tryCase()
	if err != nil {
		t.problem = err.Error()
		return nil
	}
	m.revalidate()
	if m.blocking > 0 {
		t.problem = fmt.Sprintf("The draft cannot be judged yet: %s in the form (esc, then fix it).", attention(m.blocking))
		return nil
	}
	set, _ := m.policySet()
	ctx, cancel := context.WithCancel(m.lifeCtx())
	t.gen++
	t.running, t.cancel, t.started = true, cancel, m.now()
	t.judged, t.call, t.runs = set, c.Call != nil, max(c.Repeat, 1)
	t.wait, _ = parseAfter(c.After)
	t.form.Blur()
	sim, gen := m.sim, t.gen
	run := func() tea.Msg {
		defer cancel()
		res := flows.RunPolicyCase(ctx, sim, set, c)
		return tryDoneMsg{gen: gen, res: res, err: ctx.Err()}
	}
	return tea.Batch(run, waitCmd(m.lifeCtx(), tryTickEvery, tryTickMsg{gen}))
}

// stopTry cancels a running dry run (esc).
func (m *permissionsModel) stopTry() {
	t := m.try
	if !t.running {
		return
	}
	t.cancel()
	t.running, t.has = false, false
	t.gen++ // a late answer is dropped
	t.problem = "Dry run cancelled (esc): nothing was judged."
}

// onTry handles the panel's messages (answers and ticks).
func (m *permissionsModel) onTry(msg tea.Msg) tea.Cmd {
	t := m.try
	switch msg := msg.(type) {
	case tryTickMsg:
		if msg.gen != t.gen || !t.running {
			return nil
		}
		return waitCmd(m.lifeCtx(), tryTickEvery, tryTickMsg{msg.gen})
	case tryDoneMsg:
		if msg.gen != t.gen || !t.running {
			return nil
		}
		t.running = false
		if msg.err != nil {
			t.problem = "Dry run stopped: " + msg.err.Error()
			return nil
		}
		t.has, t.res, t.showRes = true, msg.res, true
	}
	return nil
}

// tryKey is the keyboard while the panel is open.
func (m *permissionsModel) tryKey(msg tea.KeyMsg) tea.Cmd {
	t := m.try
	switch {
	case msg.Type == tea.KeyEsc:
		switch {
		case t.running:
			m.stopTry()
		case t.form.Editing():
			t.form.Blur()
		default:
			m.mode = modeForm
			t.form.FocusAt(-1)
		}
		return nil
	case key.Matches(msg, t.keys.Run), key.Matches(msg, m.keys.Try):
		return m.runTry()
	case key.Matches(msg, t.keys.Scroll):
		if msg.String() == "pgup" {
			t.scroll.vp.HalfPageUp()
		} else {
			t.scroll.vp.HalfPageDown()
		}
		return nil
	case t.form.Focused() == nil && (msg.Type == tea.KeyUp || msg.Type == tea.KeyDown):
		// Nothing focused: the arrows read the answer; tab goes to the fields.
		if msg.Type == tea.KeyUp {
			t.scroll.vp.ScrollUp(1)
		} else {
			t.scroll.vp.ScrollDown(1)
		}
		return nil
	case key.Matches(msg, t.keys.Next):
		cmd, _ := t.form.Next()
		return cmd
	case key.Matches(msg, t.keys.Prev):
		cmd, _ := t.form.Prev()
		return cmd
	case key.Matches(msg, t.keys.Enter):
		if t.form.Focused() == nil {
			return m.runTry()
		}
		cmd, ok := t.form.Next()
		if !ok {
			return m.runTry() // enter on the last field runs it
		}
		return cmd
	}
	return t.form.Update(msg)
}

// --- view ---

// tryLines is the panel at width w; [fs, fe) are the focused field's lines
// and rs the first line of the answer.
func (m *permissionsModel) tryLines(w int) (lines []string, fs, fe, rs int) {
	st, t := m.c.st, m.try
	w = max(w, 20)
	lines = append(lines, st.Title.Render("Try the draft")+st.Subtle.Render(" · dry run, nothing is sent"))
	note := "The account contract judges it on a scratch chain: the draft is granted to a throwaway key, the call runs, the chain is discarded."
	if m.live() {
		note = "Live mode: this is a local simulation of thirdweb's account semantics (the sandbox's account contract on an embedded EVM), not a call to your deployed account."
	}
	if m.sim == nil {
		note = "Dry runs are unavailable: this console was started without a policy simulator."
	}
	lines = append(lines, m.c.styledWrap(st.Subtle.Render, note, w, "")...)
	draft := "Draft: " + strings.TrimPrefix(m.what(), "ctrl+s grants ")
	if _, err := m.dur.resolve(m.now()); err != nil {
		draft = "Draft: the duration is not valid yet"
	}
	lines = append(lines, m.c.styledWrap(st.Subtle.Render, draft, w, "  ")...)
	for _, f := range t.form.Fields() {
		f.SetWidth(w)
	}
	fl, a, b := t.form.Lines(st)
	if a >= 0 {
		fs, fe = a+len(lines), b+len(lines)
	} else {
		fs, fe = -1, -1
	}
	lines = append(lines, fl...)
	rs = len(lines)
	lines = append(lines, st.Title.Render("Result"))
	lines = append(lines, m.tryResult(w)...)
	return lines, fs, fe, rs
}

// tryResult is the answer's lines, wrapped so nothing is cut.
func (m *permissionsModel) tryResult(w int) []string {
	st, t := m.c.st, m.try
	wrap := func(style func(...string) string, s string, indent string) []string {
		return m.c.WrapText(style, s, w, indent)
	}
	switch {
	case t.running:
		return []string{st.Pending.Render(m.trySpinner()) + " simulating on a scratch chain… " + fmtElapsed(m.now().Sub(t.started)) + st.Subtle.Render(" · esc cancels")}
	case t.problem != "":
		return wrap(st.Error.Render, "✗ "+t.problem, "  ")
	case !t.has:
		return wrap(st.Subtle.Render, "ctrl+s (or enter on the last field) runs it.", "")
	}
	r := t.res
	var out []string
	if r.Error != "" {
		return wrap(st.Error.Render, "✗ the dry run failed: "+r.Error, "  ")
	}
	what := "this transfer"
	if t.call {
		what = "this call"
	}
	if r.Run == 0 {
		s := "✓ allowed: the draft lets " + what + " through"
		if t.runs > 1 {
			s += fmt.Sprintf(", all %d times", t.runs)
		}
		out = append(out, wrap(st.OK.Render, s, "  ")...)
	} else {
		s := "✗ refused"
		if t.runs > 1 {
			s += fmt.Sprintf(" at run %d of %d", r.Run, t.runs)
		}
		if r.Clause != "" {
			s += " by " + r.Clause
		}
		out = append(out, wrap(st.Failed.Render, s, "  ")...)
		out = append(out, wrap(st.Value.Render, "  "+m.tryReason(), "    ")...)
	}
	left := m.tryRemaining()
	if t.wait > 0 {
		out = append(out, wrap(st.Subtle.Render, "The chain's clock moved "+flows.FormatPeriod(t.wait)+" before each run.", "  ")...)
	}
	switch {
	case t.judged.GrantFullPermissions:
		out = append(out, wrap(st.Subtle.Render, "Full access: nothing is metered.", "  ")...)
	case len(left) == 0:
		out = append(out, wrap(st.Subtle.Render, "No metered limits on what the draft allows.", "  ")...)
	default:
		out = append(out, st.Subtle.Render("Left after the run(s):"))
		for _, l := range left {
			out = append(out, wrap(st.Value.Render, "  • "+l, "    ")...)
		}
	}
	return out
}

// tryRemaining is what is left of each meter in the units the console
// shows amounts in elsewhere: ETH, the sandbox token's units for its
// amounts ("149 TST"), raw base units when w asked for them. Amounts of
// other contracts keep the argument grammar ("149e18"): their unit is
// unknown.
func (m *permissionsModel) tryRemaining() []string {
	var out []string
	for _, l := range m.try.res.Limits {
		amount := string(l.Remaining)
		if v, err := l.Remaining.Big(); err == nil {
			amount = m.c.meterAmount(l, v)
		}
		if s := flows.RemainingLine(l, amount); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// showsAmounts: the Try panel shows an answer with amounts (meters, or a
// refusal with amounts), which w shows in raw base units.
func (m *permissionsModel) showsAmounts() bool {
	t := m.try
	if m.mode != modeTry || !t.has {
		return false
	}
	return len(t.res.Limits) > 0 || t.res.Reason != "" && m.tryHumanReason() != t.res.Reason
}

// isSandboxToken: addr is the sandbox's test token (its amounts read in
// its units).
func (m *permissionsModel) isSandboxToken(addr string) bool {
	info := m.c.sess.sandbox
	return info != nil && info.TokenSymbol != "" && apiclient.SameAddress(info.TokenAddress, addr)
}

// tryReason is the refusal as the console shows failure reasons elsewhere:
// amounts in token/ETH units unless w asked for raw wei.
func (m *permissionsModel) tryReason() string {
	if m.c.rawWei {
		return m.try.res.Reason
	}
	return m.tryHumanReason()
}

// tryHumanReason is the refusal with amounts in token/ETH units.
func (m *permissionsModel) tryHumanReason() string {
	t := m.try
	reason := t.res.Reason
	rc := reasonContext{kind: "send", grant: flows.BuildGrantRequest(m.c.chainID(), m.c.sess.key.Address,
		flows.GrantInput{Full: t.judged.GrantFullPermissions, CallPolicies: t.judged.CallPolicies, TransferPolicies: t.judged.TransferPolicies})}
	if t.call {
		rc.kind, rc.target = "call", t.target.Value()
	}
	if info := m.c.sess.sandbox; info != nil {
		rc.token, rc.symbol = info.TokenAddress, apiclient.Printable(info.TokenSymbol)
	}
	return humanReason(reason, rc)
}

// trySpinner is the spinner frame for the time elapsed (the root's spinner
// ticks only for API requests).
func (m *permissionsModel) trySpinner() string {
	sp := m.c.spin.Spinner
	if len(sp.Frames) == 0 || sp.FPS <= 0 {
		sp = spinner.MiniDot
	}
	i := int(m.now().Sub(m.try.started) / sp.FPS)
	return sp.Frames[i%len(sp.Frames)]
}

// syncTry scrolls the panel: the focused field in view, or the answer when
// it just arrived.
func (m *permissionsModel) syncTry(w, h int) {
	t := m.try
	lines, fs, fe, rs := m.tryLines(w)
	switch {
	case fs >= 0:
		t.scroll.follow(lines, 0, fs, fe, w, h)
	case t.showRes:
		// from the line above the title: a "↑ more" marker covers that one
		t.scroll.follow(lines, 0, max(rs-1, 0), len(lines), w, h)
	default:
		t.scroll.follow(lines, 0, -1, -1, w, h)
	}
	if !t.running {
		t.showRes = false
	}
}

// viewTry draws the panel in h lines with the offset syncTry chose.
func (m *permissionsModel) viewTry(w, h int) []string {
	lines, fs, fe, _ := m.tryLines(w)
	if h <= 0 {
		return nil
	}
	if len(lines) <= h {
		return lines
	}
	off := max(0, min(m.try.scroll.offset(), len(lines)-h))
	vis := append([]string(nil), lines[off:off+h]...)
	// Say that there is more, in lines the focused field does not need.
	if off > 0 && (fs < 0 || fs > off) {
		vis[0] = m.c.st.Subtle.Render(fmt.Sprintf("  ↑ %d more (pgup)", off))
	}
	if rest := len(lines) - off - h; rest > 0 && (fe < 0 || fe < off+h) {
		vis[h-1] = m.c.st.Subtle.Render(fmt.Sprintf("  ↓ %d more (pgdn)", rest+1))
	}
	return vis
}

// tryWhat says what the panel's ctrl+s does (the status line under it).
func (m *permissionsModel) tryWhat() string {
	t := m.try
	switch {
	case m.sim == nil:
		return "Dry runs are unavailable here (no policy simulator)."
	case t.running:
		return "ctrl+s waits for the running dry run; esc cancels it."
	case t.isCall():
		return "ctrl+s dry-runs this call: nothing is granted or sent."
	}
	return "ctrl+s dry-runs this transfer: nothing is granted or sent."
}

// tryHelp is the footer while the panel is open.
func (m *permissionsModel) tryHelp() []key.Binding {
	t := m.try
	kind := t.keys.Kind // copies: the footer reads them, nothing here changes the model
	kind.SetEnabled(t.form.Focused() == Field(t.kind))
	esc := t.keys.Esc
	switch {
	case t.running:
		esc.SetHelp("esc", "cancel run")
	case t.form.Editing():
		esc.SetHelp("esc", "leave field")
	default:
		esc.SetHelp("esc", "close")
	}
	return []key.Binding{t.keys.Run, t.keys.Next, kind, t.keys.Scroll, esc}
}
