package ui

import (
	"context"
	"encoding/hex"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/apiclient/account"
	"walletconsole/flows"
)

// fakeSim answers dry runs from a script, for the panel's view logic (the
// real contract judges in package main's TestConsoleDryRun*). It records
// what it was asked and can block until released or cancelled.
type fakeSim struct {
	mu    sync.Mutex
	sets  []flows.PolicySet
	runs  [][]flows.SimRun
	block chan struct{} // nil: answer at once
	res   func(runs []flows.SimRun) []flows.SimResult
}

func (f *fakeSim) Simulate(ctx context.Context, set flows.PolicySet, runs []flows.SimRun) ([]flows.SimResult, error) {
	f.mu.Lock()
	f.sets, f.runs = append(f.sets, set), append(f.runs, runs)
	f.mu.Unlock()
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return f.res(runs), nil
}

// conditionFailed is the account's ConditionFailed revert for constraint c
// of the example policy (argument 0 must equal 0x4444…).
func conditionFailed(t *testing.T, ref string, cond uint8) []byte {
	t.Helper()
	e := account.ABI.Errors["ConditionFailed"]
	w, _ := hex.DecodeString(strings.TrimPrefix(ref, "0x"))
	args, err := e.Inputs.Pack([32]byte{}, [32]byte(w), cond)
	if err != nil {
		t.Fatal(err)
	}
	return append(append([]byte{}, e.ID[:4]...), args...)
}

// tryRun runs the command the panel returned (the dry run) and feeds its
// message back, the way tea.Program would; ticks are dropped.
func tryRun(t *testing.T, m *permissionsModel, cmd tea.Cmd) {
	t.Helper()
	for _, msg := range collectMsgs(cmd, 2*time.Second) {
		if _, ok := msg.(tryDoneMsg); ok {
			m.Update(msg)
			return
		}
	}
	t.Fatal("the dry run sent no answer")
}

// collectMsgs runs cmd (and batches) and gathers their messages.
func collectMsgs(cmd tea.Cmd, timeout time.Duration) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, collectMsgs(c, timeout)...)
			}
			return out
		}
		return []tea.Msg{msg}
	case <-time.After(timeout):
		return nil
	}
}

// The example draft: transfer(address,uint256) on 0x3333… only to 0x4444…
// (constraint 0), amount ≤ 100e18 and 150e18 in total (constraint 1).
func tryDraft(t *testing.T, mode flows.Mode, w, h int, sim flows.PolicySimulator) *permissionsModel {
	t.Helper()
	set, err := flows.ParsePolicySet([]byte(policyExample))
	if err != nil {
		t.Fatal(err)
	}
	m := newPermTest(t, mode, w, h)
	if sim != nil {
		m.sim = sim
	}
	m.Update(policyLoadedMsg{path: "p.json", set: set})
	return m
}

// scriptSim refuses a call whose first argument is not 0x4444… the way the
// contract does (ConditionFailed with the constraint's word), else passes,
// and meters the amount against 150e18.
func scriptSim(t *testing.T) *fakeSim {
	set, _ := flows.ParsePolicySet([]byte(policyExample))
	ref := set.CallPolicies[0].Constraints[0].RefValue
	return &fakeSim{res: func(runs []flows.SimRun) []flows.SimResult {
		var out []flows.SimResult
		used := new(big.Int)
		for _, r := range runs {
			if len(r.Data) < 68 || !strings.EqualFold(hex.EncodeToString(r.Data[16:36]), strings.Repeat("44", 20)) {
				out = append(out, flows.SimResult{Reason: "ConditionFailed: argument constraint failed (argument 1, required == 389744951342143437011592447785347138052082729028)",
					RevertData: conditionFailed(t, ref, 1)})
				return out
			}
			used.Add(used, new(big.Int).SetBytes(r.Data[36:68]))
			left := new(big.Int).Sub(big.NewInt(0).Mul(big.NewInt(150), big.NewInt(1e18)), used)
			out = append(out, flows.SimResult{OK: true, Limits: []apiclient.LimitState{{Kind: flows.LimitKindCallParam,
				Target: "0x3333333333333333333333333333333333333333", Selector: "0xa9059cbb", Index: 1, Remaining: apiclient.Decimal(left.String())}}})
		}
		return out
	}}
}

// setField replaces a Try field's text by typing, as a user would.
func trySet(t *testing.T, m *permissionsModel, f *field, v string) {
	t.Helper()
	if m.try.form.FocusField(f); m.try.form.Focused() != Field(f) {
		t.Fatalf("%s is not on the panel", f.key)
	}
	permPress(m, "ctrl+u")
	permType(m, v)
	permPress(m, "esc") // leave the field, keeping the text
}

// ctrl+y opens the panel pre-filled with a call the draft allows; the
// real answer says allowed, and what is left of the metered limit.
func TestTryPanelAllowedShowsRemaining(t *testing.T) {
	sim := scriptSim(t)
	m := tryDraft(t, flows.ModeSandbox, 100, 30, sim)
	permPress(m, "ctrl+y")
	if m.mode != modeTry || m.Capturing() {
		t.Fatalf("ctrl+y: mode %d, capturing %v (no field should have the keyboard yet)", m.mode, m.Capturing())
	}
	v := permView(m)
	for _, want := range []string{"Try the draft", "scratch chain", "Contract  0x3333333333333333333333333333333333333333",
		"Function  function transfer(address to, uint256 amount)", "Arguments 0x4444444444444444444444444444444444444444, 1e18"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
	trySet(t, m, m.try.times, "3")
	trySet(t, m, m.try.args, "0x4444444444444444444444444444444444444444, 40e18")
	tryRun(t, m, permPress(m, "ctrl+s"))
	v = flat(permView(m))
	if !strings.Contains(v, "✓ allowed: the draft lets this call through, all 3 times") ||
		!strings.Contains(v, "Left after the run(s): • amount of transfer(address,uint256) on 0x3333…3333: 30e18 left") {
		t.Errorf("allowed answer:\n%s", permView(m))
	}
	// The simulator got the draft as ctrl+s would grant it, and the call
	// encoded as `policy test` encodes it, three times.
	want, _ := m.policySet()
	if len(sim.sets) != 1 || len(sim.runs[0]) != 3 || !strings.EqualFold(sim.sets[0].CallPolicies[0].Target, want.CallPolicies[0].Target) ||
		sim.sets[0].DurationInSeconds != 86400 || sim.sets[0].GrantFullPermissions {
		t.Fatalf("simulated %+v / %d runs", sim.sets, len(sim.runs))
	}
	data := hex.EncodeToString(sim.runs[0][0].Data)
	if !strings.HasPrefix(data, "a9059cbb0000000000000000000000004444444444444444444444444444444444444444") ||
		!strings.HasSuffix(data, "0000000000000000000000000000000000000000000000022b1c8c1227a00000") {
		t.Errorf("calldata %s", data)
	}
}

// A call the draft refuses names the clause and shows the decoded reason,
// whole, at 60×15.
func TestTryPanelRefusedNamesClauseAt60x15(t *testing.T) {
	m := tryDraft(t, flows.ModeSandbox, 60, 15, scriptSim(t))
	permPress(m, "ctrl+y")
	trySet(t, m, m.try.args, "0x5555555555555555555555555555555555555555, 1")
	tryRun(t, m, permPress(m, "ctrl+s"))
	permCheckFits(t, m, 60, 15, "refused")
	v := flat(permView(m))
	for _, want := range []string{
		"✗ refused by callPolicies[0].constraints[0] (to == 0x4444…4444)",
		"ConditionFailed: argument constraint failed (argument 1, required == 389744951342143437011592447785347138052082729028)",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q at 60×15:\n%s", want, permView(m))
		}
	}
	// The answer is in view; pgup reaches the fields again, and pgdn back.
	permPress(m, "pgup", "pgup", "pgup")
	if !strings.Contains(permView(m), "Try the draft") {
		t.Errorf("pgup did not scroll to the top:\n%s", permView(m))
	}
	permPress(m, "pgdown", "pgdown", "pgdown")
	if !strings.Contains(permView(m), "refused") {
		t.Errorf("pgdn did not scroll to the answer:\n%s", permView(m))
	}
	// esc closes the panel (it is not a step back); ctrl+y reopens it as left.
	permPress(m, "esc")
	if m.mode != modeForm || strings.Contains(permView(m), "Try the draft") {
		t.Fatalf("esc did not close the panel:\n%s", permView(m))
	}
	permPress(m, "ctrl+y")
	if !strings.Contains(flat(permView(m)), "0x5555") {
		t.Errorf("what was typed is gone:\n%s", permView(m))
	}
}

// The run is a command: Update returns while the simulator works, the
// panel shows it is running for how long, and esc cancels it (a late
// answer is dropped).
func TestTryPanelRunsInCommandAndEscCancels(t *testing.T) {
	sim := scriptSim(t)
	sim.block = make(chan struct{})
	m := tryDraft(t, flows.ModeSandbox, 60, 15, sim)
	permPress(m, "ctrl+y")
	cmd := permPress(m, "ctrl+s") // returns at once: nothing ran yet
	if !m.try.running {
		t.Fatal("not running")
	}
	if v := flat(permView(m)); !strings.Contains(v, "simulating on a scratch chain… 0.0s · esc cancels") {
		t.Errorf("no progress line:\n%s", permView(m))
	}
	done := make(chan []tea.Msg, 1)
	go func() { done <- collectMsgs(cmd, 5*time.Second) }()
	permPress(m, "esc")
	if m.try.running || m.mode != modeTry || !strings.Contains(permView(m), "Dry run cancelled (esc)") {
		t.Fatalf("esc did not cancel:\n%s", permView(m))
	}
	var late tea.Msg
	for _, msg := range <-done { // the simulator saw the cancel
		if d, ok := msg.(tryDoneMsg); ok {
			late = d
		}
	}
	if late == nil {
		t.Fatal("the cancelled run never returned")
	}
	// A new run is out when the cancelled one's answer comes in: the late
	// answer must not end it nor show.
	cmd2 := permPress(m, "ctrl+s")
	m.Update(late)
	if !m.try.running || !strings.Contains(permView(m), "simulating") {
		t.Fatalf("the cancelled run's answer ended the new one:\n%s", permView(m))
	}
	close(sim.block)
	tryRun(t, m, cmd2)
	if v := permView(m); !strings.Contains(v, "✓ allowed") || strings.Contains(v, "cancelled") || strings.Contains(v, "stopped") {
		t.Errorf("second run:\n%s", v)
	}
}

// Without a simulator, and with an invalid draft or call, the panel says
// why nothing ran; in live mode it says the dry run is a local simulation.
func TestTryPanelProblemsAndLiveNote(t *testing.T) {
	m := tryDraft(t, flows.ModeSandbox, 100, 30, nil)
	permPress(m, "ctrl+y")
	if v := flat(permView(m)); !strings.Contains(v, "Dry runs are unavailable: this console was started without a policy simulator") {
		t.Errorf("nil simulator:\n%s", permView(m))
	}
	if permPress(m, "ctrl+s") != nil {
		t.Error("a run started without a simulator")
	}

	sim := scriptSim(t)
	m = tryDraft(t, flows.ModeLive, 100, 30, sim)
	permPress(m, "ctrl+y")
	if v := flat(permView(m)); !strings.Contains(v, "Live mode: this is a local simulation of thirdweb's account semantics") {
		t.Errorf("live note:\n%s", permView(m))
	}
	trySet(t, m, m.try.args, "0x4444444444444444444444444444444444444444")
	if cmd := permPress(m, "ctrl+s"); len(sim.sets) != 0 || m.try.running {
		t.Fatalf("ran with a missing argument (%v)", cmd)
	}
	if v := flat(permView(m)); !strings.Contains(v, "transfer(address,uint256) takes 2 argument(s), 1 given") {
		t.Errorf("argument error not shown:\n%s", permView(m))
	}
	trySet(t, m, m.try.args, "0x4444444444444444444444444444444444444444, 1e18")
	permPress(m, "esc")
	permFocus(t, m, "call[0].target")
	permPress(m, "ctrl+u")
	permPress(m, "ctrl+y")
	permPress(m, "ctrl+s")
	if v := flat(permView(m)); len(sim.sets) != 0 || !strings.Contains(v, "The draft cannot be judged yet: 1 field needs attention") {
		t.Errorf("an invalid draft was simulated (%d):\n%s", len(sim.sets), permView(m))
	}
}

// A transfer: ←/→ on Kind switches the fields; the transfer's answer.
func TestTryPanelTransfer(t *testing.T) {
	sim := &fakeSim{res: func(runs []flows.SimRun) []flows.SimResult {
		return []flows.SimResult{{Reason: "MaxValueExceeded: value above the policy's max per use (value 20000000000000000 wei, max 10000000000000000 wei)"}}
	}}
	m := tryDraft(t, flows.ModeSandbox, 100, 30, sim)
	permPress(m, "ctrl+y", "tab", "right")
	if m.try.isCall() || !strings.Contains(permView(m), "To ") {
		t.Fatalf("→ on Kind did not switch to a transfer:\n%s", permView(m))
	}
	trySet(t, m, m.try.to, "0x4444444444444444444444444444444444444444")
	trySet(t, m, m.try.amount, "0.02")
	tryRun(t, m, permPress(m, "ctrl+s"))
	v := flat(permView(m))
	if !strings.Contains(v, "✗ refused by transferPolicies[0].maxValuePerUse (0.01 ETH)") ||
		!strings.Contains(v, "MaxValueExceeded: value above the policy's max per use (value 0.02 ETH, max 0.01 ETH per use)") {
		t.Errorf("transfer answer:\n%s", permView(m))
	}
	if r := sim.runs[0][0]; len(r.Data) != 0 || r.Value.String() != "20000000000000000" || !strings.EqualFold(r.To, "0x4444444444444444444444444444444444444444") {
		t.Errorf("simulated %+v", r)
	}
}

// Through the root: ctrl+y works while a form field is being edited, the
// ? help lists the panel's keys, and esc closes the panel, not the step.
func TestTryPanelInConsole(t *testing.T) {
	m, _ := openScreen(t, permissionsScreen, 60, 15)
	p := m.screens[permissionsScreen].(*permissionsModel)
	p.sim = scriptSim(t)
	press(m, "tab")
	m.Update(tea.KeyMsg{Type: tea.KeyCtrlY})
	if p.mode != modeTry || !strings.Contains(frame(m), "Try the draft") {
		t.Fatalf("ctrl+y:\n%s", frame(m))
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 60}) // the whole key list in view
	press(m, "?")
	if f := frame(m); !strings.Contains(f, "ctrl+s       dry run") || !strings.Contains(f, "call/transfer") {
		t.Errorf("? in the panel:\n%s", f)
	}
	press(m, "esc", "esc")
	if m.active != permissionsScreen || p.mode != modeForm {
		t.Errorf("esc left the step (%s) or kept the panel (%d)", m.active, p.mode)
	}
	press(m, "?")
	if !strings.Contains(frame(m), "ctrl+y") {
		t.Errorf("? on Permissions does not list ctrl+y:\n%s", frame(m))
	}
}

// After moves the chain's clock before each run, as a policy test's
// "after": the simulator gets the wait on every run and the answer says
// so; a wait ParsePeriod refuses stops the run at the field.
func TestTryPanelAfterWaitsBeforeEachRun(t *testing.T) {
	sim := scriptSim(t)
	m := tryDraft(t, flows.ModeSandbox, 100, 30, sim)
	permPress(m, "ctrl+y")
	trySet(t, m, m.try.times, "2")
	trySet(t, m, m.try.after, "1d")
	tryRun(t, m, permPress(m, "ctrl+s"))
	if len(sim.runs) != 1 || len(sim.runs[0]) != 2 {
		t.Fatalf("simulated %d cases", len(sim.runs))
	}
	for i, r := range sim.runs[0] {
		if r.Advance != 24*time.Hour {
			t.Errorf("run %d: clock moved %s, want 24h", i+1, r.Advance)
		}
	}
	if v := flat(permView(m)); !strings.Contains(v, "The chain's clock moved 1d before each run.") {
		t.Errorf("the answer does not say the clock moved:\n%s", permView(m))
	}
	// Empty: no wait.
	trySet(t, m, m.try.after, "")
	tryRun(t, m, permPress(m, "ctrl+s"))
	if r := sim.runs[len(sim.runs)-1][0]; r.Advance != 0 {
		t.Errorf("empty After moved the clock %s", r.Advance)
	}
	if strings.Contains(permView(m), "clock moved") {
		t.Errorf("no wait, yet the answer speaks of one:\n%s", permView(m))
	}
	// A wait flows cannot read is the field's error; nothing runs.
	trySet(t, m, m.try.after, "soon")
	n := len(sim.runs)
	if permPress(m, "ctrl+s"); m.try.running || len(sim.runs) != n {
		t.Errorf("a run started with After %q", "soon")
	}
	if v := permView(m); !strings.Contains(v, "✗") || m.try.form.Focused() != Field(m.try.after) {
		t.Errorf("After %q: no error on the field:\n%s", "soon", v)
	}
}
