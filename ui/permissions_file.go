package ui

import (
	"errors"
	"fmt"
	"time"
	"walletconsole/flows"

	tea "github.com/charmbracelet/bubbletea"
)

// --- messages ---

// permTickMsg refreshes the live expiry ("in 59m") while the screen shows.
type permTickMsg struct{ gen int }

// policyLoadedMsg and policySavedMsg are the results of the file commands.
type policyLoadedMsg struct {
	path string
	set  flows.PolicySet
	err  error
}

type policySavedMsg struct {
	path string
	set  flows.PolicySet
	n    int
	err  error // wraps flows.ErrFileExists when the file was there (asks)
}

// File results find the screen even if the user moved on; the tick goes
// to the active screen only, so its chain ends when the user leaves (Init
// starts a new one on return).
func (policyLoadedMsg) ownerScreen() screenID { return permissionsScreen }
func (policySavedMsg) ownerScreen() screenID  { return permissionsScreen }

const permTickEvery = 15 * time.Second

func (m *permissionsModel) tickCmd() tea.Cmd {
	gen := m.tickGen
	return waitCmd(m.c.life, permTickEvery, permTickMsg{gen}) // ends when the console quits
}

func loadPolicyCmd(path string) tea.Cmd {
	return func() tea.Msg {
		s, err := flows.LoadPolicyFile(path)
		return policyLoadedMsg{path: path, set: s, err: err}
	}
}

// savePolicyCmd saves s; without overwrite an existing file is left alone
// and the answer says so (the screen then asks y/N).
func savePolicyCmd(path string, s flows.PolicySet, overwrite bool) tea.Cmd {
	return func() tea.Msg {
		save := flows.CreatePolicyFile
		if overwrite {
			save = flows.SavePolicyFile
		}
		err := save(path, s)
		return policySavedMsg{path: path, set: s, n: len(s.CallPolicies) + len(s.TransferPolicies), err: err}
	}
}

func (m *permissionsModel) policySet() (flows.PolicySet, int) {
	calls, transfers, errs := m.collect()
	s := flows.PolicySet{GrantFullPermissions: m.full, CallPolicies: calls, TransferPolicies: transfers, Tests: m.tests}
	if d, err := m.dur.resolve(m.now()); err == nil {
		s.DurationInSeconds = int64(d / time.Second)
	}
	return s, len(errs)
}

// apply replaces the editors with a loaded policy set. A file with no
// duration gets the configured one (or the default), not whatever the form
// had. A file with full access and policies is a contradiction: both show,
// and the grant waits until the user resolves it (conflict).
func (m *permissionsModel) apply(s flows.PolicySet) {
	m.form.Blur()
	m.full = s.GrantFullPermissions
	m.tests = s.Tests // kept for the next save (policy test cases)
	m.conflict = s.GrantFullPermissions && len(s.CallPolicies)+len(s.TransferPolicies) > 0
	switch {
	case s.DurationInSeconds > 0:
		m.dur.set(time.Duration(s.DurationInSeconds) * time.Second)
	case m.c.cfg.Duration > 0:
		m.dur.set(m.c.cfg.Duration)
	default:
		m.dur.idx = defaultPreset
	}
	m.calls, m.transfers = nil, nil
	for _, p := range s.CallPolicies {
		m.calls = append(m.calls, callEditorFrom(flows.CallPolicyInputFrom(p)))
	}
	for _, p := range s.TransferPolicies {
		m.transfers = append(m.transfers, transferEditorFrom(flows.TransferPolicyInputFrom(p)))
	}
	m.refresh()
	m.form.FocusKey("duration.preset")
	m.scroll.vp.SetYOffset(0)
}

// onSaved reports a save; an existing file turns into a y/N question.
func (m *permissionsModel) onSaved(msg policySavedMsg) {
	switch {
	case errors.Is(msg.err, flows.ErrFileExists):
		m.mode, m.pendingSave, m.lastPath = modeOverwrite, &msg.set, msg.path
		m.setStatus("", false)
	case msg.err != nil:
		m.setStatus("✗ "+oneLine(msg.err.Error()), true)
	default:
		m.setStatus(fmt.Sprintf("✓ saved %s to %s", pePlural(msg.n, "policy", "policies"), msg.path), false)
	}
}
