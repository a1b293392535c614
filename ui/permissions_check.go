package ui

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"walletconsole/apiclient"
	"walletconsole/flows"

	tea "github.com/charmbracelet/bubbletea"
)

// --- validation and the request body ---

// collect builds every policy; errs are keyed by row id ("call[0].target").
func (m *permissionsModel) collect() (calls []apiclient.CallPolicy, transfers []apiclient.TransferPolicy, errs map[string]string) {
	errs = map[string]string{}
	for i, e := range m.calls {
		p, fe := e.input().Build()
		for k, v := range fe {
			errs[fmt.Sprintf("call[%d].%s", i, k)] = v
		}
		if len(fe) == 0 {
			calls = append(calls, p)
		}
	}
	for i, e := range m.transfers {
		p, fe := e.input().Build()
		for k, v := range fe {
			errs[fmt.Sprintf("transfer[%d].%s", i, k)] = v
		}
		if len(fe) == 0 {
			transfers = append(transfers, p)
		}
	}
	return calls, transfers, errs
}

// grantInput is what ctrl+s sends when everything is valid.
func (m *permissionsModel) grantInput(now time.Time) (flows.GrantInput, error) {
	d, err := m.dur.resolve(now)
	if err != nil {
		return flows.GrantInput{}, err
	}
	in := flows.GrantInput{Duration: d, Full: m.full}
	if !m.full {
		in.CallPolicies, in.TransferPolicies, _ = m.collect()
	}
	return in, nil
}

// revalidate runs every check, puts each message beside its row and
// rebuilds the preview body (or marks it stale).
func (m *permissionsModel) revalidate() {
	now := m.now()
	raw := map[string]string{}
	if _, err := m.dur.resolve(now); err != nil {
		raw["duration"] = err.Error()
	}
	if m.conflict && len(m.calls)+len(m.transfers) == 0 {
		m.conflict = false // the policies were deleted: no contradiction left
	}
	if m.conflict {
		raw["full"] = fmt.Sprintf("the file grants full access AND has %s: full access would ignore them. space: off = grant only the policies; or ctrl+d them",
			pePlural(len(m.calls)+len(m.transfers), "policy", "policies"))
	}
	if !m.full {
		_, _, perr := m.collect()
		for k, v := range perr {
			raw[k] = v
		}
		if len(m.calls)+len(m.transfers) == 0 {
			raw["full"] = "no policies: the key could do nothing; add one (ctrl+n) or turn full access on"
		}
	}
	rs := m.rows()
	ids := make(map[string]int, len(rs))
	for i, r := range rs {
		ids[r.id] = i
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m.errs = map[string]string{}
	for _, k := range keys {
		id := k
		for {
			if _, ok := ids[id]; ok {
				break
			}
			// A hidden or unknown key: show it on the nearest enclosing row.
			cut := strings.LastIndexAny(id, ".")
			if cut < 0 {
				id = "full"
				break
			}
			id = id[:cut]
		}
		if _, dup := m.errs[id]; !dup {
			m.errs[id] = raw[k]
		}
	}
	m.blocking, m.firstBad = 0, ""
	for _, r := range rs {
		msg := m.errs[r.id]
		if r.f != nil {
			if msg != "" && (r.f.touched || m.submitted) {
				r.f.SetError(msg)
			} else {
				r.f.SetError("")
			}
		}
		if msg != "" {
			m.blocking++
			if m.firstBad == "" {
				m.firstBad = r.id
			}
		}
	}
	m.relint()
	if m.blocking == 0 {
		m.summary = ""
		if m.submitted {
			m.summary = m.lintBlocker() // stays until the lint errors are gone
		}
		in, err := m.grantInput(now)
		if err == nil {
			req := flows.BuildGrantRequest(m.c.chainID(), m.c.sess.key.Address, in)
			if b, err := json.MarshalIndent(req, "", "  "); err == nil {
				m.body, m.stale = b, false
			}
		}
	} else {
		m.stale = true
		if m.summary != "" {
			m.summary = attention(m.blocking)
		}
	}
}

func attention(n int) string {
	if n == 1 {
		return "1 field needs attention"
	}
	return fmt.Sprintf("%d fields need attention", n)
}

// live reports whether grants go to a real chain.
func (m *permissionsModel) live() bool { return m.c.cfg.Mode == flows.ModeLive }

// submit grants when everything is valid, else shows what is wrong.
func (m *permissionsModel) submit() tea.Cmd {
	m.submitted = true
	m.status = ""
	m.revalidate()
	if m.blocking > 0 {
		m.summary = attention(m.blocking)
		return m.focusByID(m.firstBad)
	}
	if m.lintErrors() > 0 {
		m.summary = m.lintBlocker()
		return nil
	}
	if m.full && m.live() {
		m.mode = modeConfirm
		return nil
	}
	return m.grant()
}

func (m *permissionsModel) grant() tea.Cmd {
	in, err := m.grantInput(m.now())
	if err != nil { // the clock moved past a custom time since the check
		m.revalidate()
		m.summary = attention(max(m.blocking, 1))
		return m.focusByID("duration")
	}
	m.summary = ""
	m.setStatus("", false)
	return func() tea.Msg { return grantRequestedMsg{in: in} }
}

// policySet is the file form of the current editors (policies must be valid).
