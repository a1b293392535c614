package ui

import (
	"fmt"
	"strings"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// The summary keeps every completed step on screen while the next one
// opens: a column on wide terminals, a few compact lines on narrow tall
// ones, and nothing at 60×15 (the header still has both addresses).

type stepState int

const (
	stepTodo stepState = iota
	stepBusy
	stepDone
	stepFailed
)

type stepLine struct {
	id     screenID
	state  stepState
	title  string
	values []string // full values, one per line (addresses, IDs)
	note   string   // status word or detail
}

func (m *Model) steps() []stepLine {
	c := m.c
	sess := c.sess
	var out []stepLine

	conn := stepLine{id: connectScreen, title: "Connect"}
	switch {
	case sess.sbErr != nil:
		conn.state, conn.note = stepFailed, "failed"
	case sess.sbReady:
		conn.state = stepDone
		if c.cfg.Mode == flows.ModeLive {
			conn.note = "live · chain " + fmt.Sprint(c.chainID())
		} else {
			conn.note = "sandbox · chain " + fmt.Sprint(c.chainID())
		}
	case c.busy > 0:
		conn.state, conn.note = stepBusy, "starting…"
	}
	out = append(out, conn)

	login := stepLine{id: loginScreen, title: "Guest login"}
	if sess.login.Address != "" {
		login.state = stepDone
		login.values = []string{apiclient.Checksum(sess.login.Address)}
	}
	out = append(out, login)

	key := stepLine{id: sessionKeyScreen, title: "Session key"}
	if sess.key.Address != "" {
		key.state = stepDone
		key.values = []string{apiclient.Checksum(sess.key.Address)}
		if sess.key.Identifier != "" {
			key.note = apiclient.Printable(sess.key.Identifier)
		}
	}
	out = append(out, key)

	perm := stepLine{id: permissionsScreen, title: "Permissions"}
	if g := sess.grant; g.TxID != "" {
		perm.state = stepDone
		req := g.Request
		if req.FullPermissions() {
			perm.note = fmt.Sprintf("full · %s", fmtSeconds(req.DurationInSeconds))
		} else {
			perm.note = fmt.Sprintf("%d call, %d transfer · %s", len(req.CallPolicies), len(req.TransferPolicies), fmtSeconds(req.DurationInSeconds))
		}
	}
	out = append(out, perm)

	grant := stepLine{id: grantScreen, title: "Grant"}
	if id := sess.grant.TxID; id != "" {
		grant.values = []string{id}
		grant.state, grant.note = txStep(c.txs.get(id))
	}
	out = append(out, grant)

	send := stepLine{id: sendScreen, title: "Send"}
	if n := len(sess.sendIDs); n > 0 {
		id := sess.sendIDs[n-1]
		send.values = []string{id}
		send.state, send.note = txStep(c.txs.get(id))
		if n > 1 {
			send.note += fmt.Sprintf(" (%d sent)", n)
		}
	}
	out = append(out, send)
	return out
}

func txStep(r *txRow) (stepState, string) {
	if r == nil {
		return stepBusy, string(apiclient.StatusQueued)
	}
	switch st := r.status(); {
	case st == apiclient.StatusConfirmed:
		return stepDone, string(st)
	case r.final():
		return stepFailed, string(st)
	default:
		return stepBusy, string(st)
	}
}

func fmtSeconds(s int64) string {
	switch {
	case s%86400 == 0:
		return fmt.Sprintf("%dd", s/86400)
	case s%3600 == 0:
		return fmt.Sprintf("%dh", s/3600)
	case s%60 == 0:
		return fmt.Sprintf("%dm", s/60)
	}
	return fmt.Sprintf("%ds", s)
}

func (m *Model) stepMark(s stepLine) string {
	st := m.c.st
	switch s.state {
	case stepDone:
		return st.OK.Render("✓")
	case stepFailed:
		return st.Failed.Render("✗")
	case stepBusy:
		return m.c.spinner()
	}
	return st.Subtle.Render("·")
}

func (m *Model) noteView(s stepLine) string {
	st := m.c.st
	switch s.note {
	case string(apiclient.StatusConfirmed), string(apiclient.StatusFailed), string(apiclient.StatusQueued), string(apiclient.StatusSubmitted):
		return st.StatusWord(s.note)
	}
	if strings.HasPrefix(s.note, string(apiclient.StatusConfirmed)) {
		return st.OK.Render(string(apiclient.StatusConfirmed)) + st.Subtle.Render(strings.TrimPrefix(s.note, string(apiclient.StatusConfirmed)))
	}
	return st.Subtle.Render(s.note)
}

// summaryView is the wide column: title line per step, values below it.
func (m *Model) summaryView(w int) string {
	st := m.c.st
	lines := []string{st.Title.Render("Steps")}
	for i, s := range m.steps() {
		marker := "  "
		if s.id == m.active {
			marker = "› "
		}
		title := fmt.Sprintf("%d %s", i+1, s.title)
		if s.id == m.active {
			title = st.Focused.Render(title)
		} else {
			title = st.Label.Render(title)
		}
		line := marker + m.stepMark(s) + " " + title
		if s.note != "" {
			line += "  " + m.noteView(s)
		}
		lines = append(lines, line)
		for _, v := range s.values {
			v = apiclient.Printable(v)
			vs := st.Address
			if s.id == grantScreen || s.id == sendScreen {
				vs = st.Hash
			}
			if len(v)+4 > w {
				v = apiclient.ShortHex(v)
			}
			lines = append(lines, "    "+vs.Render(v))
		}
	}
	if n := len(m.c.txs.rows); n > 0 {
		lines = append(lines, "", st.Subtle.Render(fmt.Sprintf("%d transaction(s) · a: activity", n)))
	}
	return strings.Join(lines, "\n")
}

// summaryCompact is one line per completed or running step (narrow, tall).
func (m *Model) summaryCompact(w int) []string {
	st := m.c.st
	var out []string
	for _, s := range m.steps() {
		if s.state == stepTodo || s.id == connectScreen {
			continue
		}
		line := m.stepMark(s) + " " + st.Label.Render(s.title)
		for _, v := range s.values {
			line += " " + st.Address.Render(apiclient.ShortHex(apiclient.Printable(v)))
		}
		if s.note != "" && s.id != sessionKeyScreen {
			line += " " + m.noteView(s)
		}
		out = append(out, line)
	}
	return clampLines(out, w)
}
