package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

type grantDoneMsg struct {
	gen   int
	grant flows.Grant
	err   error
}

func (grantDoneMsg) ownerScreen() screenID { return grantScreen }

type grantKeys struct {
	Continue, Left, Right, Yes, No key.Binding
}

// grant is screen 5: sends the grant the permissions screen asked for and
// follows its transaction live.
type grant struct {
	c       *common
	keys    grantKeys
	w, h    int
	in      flows.GrantInput
	has     bool
	pending bool
	confirm bool // live mode + full permissions: y/N first
	gen     int
	pick    int // highlighted value for `c`: 0 tx ID, 1 hash

	watchFailed bool // the banner is about polling, not the grant request
}

func newGrant(c *common) *grant {
	return &grant{c: c, keys: grantKeys{
		Continue: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "send step")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "pick value to copy")),
		Right:    key.NewBinding(key.WithKeys("right", "l")),
		Yes:      key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "grant")),
		No:       key.NewBinding(key.WithKeys("n", "N", "esc", "enter"), key.WithHelp("n/esc", "cancel")),
	}}
}

func (s *grant) Init() tea.Cmd       { return nil }
func (s *grant) SetSize(w, h int)    { s.w, s.h = w, h }
func (s *grant) Capturing() bool     { return s.confirm }
func (s *grant) consumesEsc() bool   { return s.confirm }
func (s *grant) exchangeTag() string { return flows.TagGrant }

func (s *grant) ShortHelp() []key.Binding {
	if s.confirm {
		return []key.Binding{s.keys.Yes, s.keys.No}
	}
	return []key.Binding{s.keys.Continue, s.keys.Left}
}

// syncKeys: enter goes on only once the grant is confirmed (set after
// every Update; ShortHelp only reads).
func (s *grant) syncKeys() { s.keys.Continue.SetEnabled(s.c.sess.grantOK) }

func (s *grant) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *grant) row() *txRow {
	if id := s.c.sess.grant.TxID; id != "" {
		return s.c.txs.get(id)
	}
	return nil
}

func (s *grant) copyTarget() (string, string, bool) {
	id := s.c.sess.grant.TxID
	if id == "" {
		return "", "", false
	}
	if r := s.row(); s.pick == 1 && r != nil && r.tx.Hash() != "" {
		return "grant transaction hash", r.tx.Hash(), true
	}
	return "grant transaction ID", id, true
}

func (s *grant) start() tea.Cmd {
	if s.pending || !s.has {
		return nil
	}
	if s.c.runner == nil {
		return errCmd(grantScreen, fmt.Errorf("not connected"))
	}
	if s.c.sess.login.Token == "" {
		return errCmd(grantScreen, fmt.Errorf("log in first (the grant is made as the user): esc back to Guest login"))
	}
	s.pending = true
	s.gen++
	s.c.begin()
	s.c.sess.grant = flows.Grant{}
	s.c.sess.grantOK = false
	gen, r, ctx := s.gen, s.c.runner, apiclient.WithTag(s.c.ctx, flows.TagGrant)
	l, k, in := s.c.sess.login, s.c.sess.key, s.in
	return tea.Batch(func() tea.Msg { return clearErrMsg{grantScreen} }, func() tea.Msg {
		g, err := r.Grant(ctx, l, k, in)
		return grantDoneMsg{gen, g, err}
	})
}

func (s *grant) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case grantRequestedMsg:
		// The permissions screen already asked (y/N) for a live
		// full-permission grant; no second prompt here.
		s.in, s.has = msg.in, true
		return s.start()
	case watchFailedMsg:
		s.watchFailed = true
		return errCmd(grantScreen, msg.err)
	case retryMsg:
		if r := s.row(); s.watchFailed && r != nil && !r.final() {
			s.watchFailed = false
			return watchTxCmd(r.id, "grant") // the watch failed: watch again
		}
		return s.start()
	case grantDoneMsg:
		s.c.end()
		if msg.gen != s.gen {
			return nil
		}
		s.pending = false
		if msg.err != nil {
			return errCmd(grantScreen, msg.err)
		}
		s.c.sess.grant = msg.grant
		s.pick = 0
		return watchTxCmd(msg.grant.TxID, "grant")
	case txFinalMsg:
		if msg.id != s.c.sess.grant.TxID {
			return nil
		}
		if msg.tx.Status == apiclient.StatusConfirmed {
			s.c.sess.grantOK = true
			return advanceCmd(grantScreen, sendScreen)
		}
		return errCmd(grantScreen, fmt.Errorf("grant transaction %s: %s", msg.tx.Status, orDash(msg.tx.Error())))
	case tea.KeyMsg:
		if s.confirm {
			s.confirm = false
			if key.Matches(msg, s.keys.Yes) {
				return s.start()
			}
			s.has = false
			return tea.Batch(statusCmd("grant cancelled"), goToCmd(permissionsScreen))
		}
		switch {
		case key.Matches(msg, s.keys.Continue) && s.c.sess.grantOK:
			return goToCmd(sendScreen)
		case key.Matches(msg, s.keys.Left), key.Matches(msg, s.keys.Right):
			s.pick = 1 - s.pick
		}
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (s *grant) View() string {
	st := s.c.st
	lines := append([]string{st.Title.Render("5 · Grant")},
		s.c.para(st.Subtle, "The user grants the session key: POST /wallets/create-session-key", s.w)...)
	lines = append(lines, "")
	kv := func(k, v string) string { return st.Label.Render(pad(k, 12)) + v }
	fit := func(v string) string {
		if s.w < len(v)+14 {
			return apiclient.ShortHex(v)
		}
		return v
	}
	req := flows.BuildGrantRequest(s.c.chainID(), s.c.sess.key.Address, s.in)
	if g := s.c.sess.grant; g.TxID != "" {
		req = g.Request
	}
	if !s.has && s.c.sess.grant.TxID == "" {
		lines = append(lines, s.c.para(st.Subtle, "Nothing granted yet: set permissions on the previous step (esc) and press ctrl+s.", s.w)...)
		return strings.Join(lines, "\n")
	}
	lines = append(lines, kv("Session key", st.Address.Render(fit(apiclient.Checksum(req.SessionKeyAddress)))))
	perm := "full permissions"
	if !req.FullPermissions() {
		perm = fmt.Sprintf("%d call policy(ies), %d transfer policy(ies)", len(req.CallPolicies), len(req.TransferPolicies))
	}
	lines = append(lines, kv("Permissions", perm))
	dur := fmtSeconds(req.DurationInSeconds)
	if g := s.c.sess.grant; !g.ExpiresAt.IsZero() {
		dur += " · " + flows.FormatExpiry(s.c.now(), g.ExpiresAt)
	}
	lines = append(lines, kv("Duration", dur))
	if s.confirm {
		lines = append(lines, "")
		lines = append(lines, s.c.para(st.Warn, fmt.Sprintf("LIVE mode: grant FULL permissions on %s to %s? (y/N)",
			apiclient.ShortHex(s.c.sess.login.Address), apiclient.ShortHex(req.SessionKeyAddress)), s.w)...)
		return strings.Join(lines, "\n")
	}
	lines = append(lines, "")
	if s.pending {
		lines = append(lines, s.c.spinner()+" sending the grant…")
		return strings.Join(lines, "\n")
	}
	id := s.c.sess.grant.TxID
	if id == "" {
		return strings.Join(lines, "\n")
	}
	r := s.row()
	idv := st.Hash.Render(apiclient.Printable(id))
	if s.pick == 0 {
		idv = "› " + idv
	}
	lines = append(lines, kv("Transaction", idv))
	if r == nil {
		lines = append(lines, kv("Status", s.c.spinner()+" "+st.StatusWord(string(apiclient.StatusQueued))))
		return strings.Join(lines, "\n")
	}
	status := st.StatusWord(r.statusText())
	if !r.final() {
		status = s.c.spinner() + " " + status
	}
	status += st.Subtle.Render(" · " + fmtElapsed(r.elapsed(s.c.now())))
	lines = append(lines, kv("Status", status))
	if h := r.tx.Hash(); h != "" {
		hv := st.Hash.Render(fit(apiclient.Printable(h)))
		if s.pick == 1 {
			hv = "› " + hv
		}
		lines = append(lines, kv("Hash", hv))
		if u := s.c.explorerTxURL(h); u != "" {
			for i, l := range wrapLines(u, s.w-12, "") {
				if i == 0 {
					lines = append(lines, kv("Explorer", st.Subtle.Render(l)))
				} else {
					lines = append(lines, strings.Repeat(" ", 12)+st.Subtle.Render(l))
				}
			}
		}
	}
	switch b := r.tx.Block(); {
	case b != "":
		lines = append(lines, kv("Block", apiclient.Printable(b)))
	case r.tx.Status == apiclient.StatusFailed && r.tx.Hash() == "":
		lines = append(lines, kv("Block", st.Subtle.Render("none: it failed before it was sent to the chain")))
	case r.tx.Status == apiclient.StatusFailed:
		lines = append(lines, kv("Block", st.Subtle.Render("not given by the API")))
	}
	// the reason whole, wrapped under its label (never cut)
	for i, l := range s.c.ReasonLines(r, s.w-12, "") {
		if i == 0 {
			lines = append(lines, kv("Reason", l))
		} else {
			lines = append(lines, strings.Repeat(" ", 12)+l)
		}
	}
	if note := s.c.pollNote(r); note != "" {
		for i, l := range s.c.styledWrap(st.Warn.Render, note, s.w-12, "") {
			if i == 0 {
				lines = append(lines, kv("Polling", l))
			} else {
				lines = append(lines, strings.Repeat(" ", 12)+l)
			}
		}
	}
	if s.c.sess.grantOK {
		lines = append(lines, "")
		lines = append(lines, wrapLines(st.OK.Render("✓")+" The session key may now act for the user. "+st.Subtle.Render("enter: send step"), s.w, "  ")...)
	} else if r.final() {
		lines = append(lines, "")
		lines = append(lines, s.c.para(st.Subtle, "esc: back to Permissions to change and grant again", s.w)...)
	}
	return strings.Join(lines, "\n")
}
