package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	gethcommon "github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// The Sessions screen (key s): every session key ever granted on the
// logged-in user's account, read from the chain (flows.ListSessions), with
// meters; time travel in the sandbox; revoke. Everything goes through flows.

var (
	keyRefresh = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh"))
	keyPlus1h  = key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "+1h (sandbox)"))
	keyPlus1d  = key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "+1d (sandbox)"))
	keyExpiry  = key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "to expiry (sandbox)"))
	keyRevoke  = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "revoke"))
)

type sessionsView struct {
	c       *common
	list    flows.SessionList
	rpcURL  string
	loaded  bool
	loading bool
	busy    string // an action in flight ("revoking…")
	err     string
	note    string // the last action's result
	sel     int
	confirm bool // revoke asked, waiting for y
	w, h    int
}

func newSessions(c *common) *sessionsView { return &sessionsView{c: c} }

type sessionsLoadedMsg struct {
	list   flows.SessionList
	rpcURL string
	err    error
}

type sessionsActionMsg struct {
	note string
	err  error
}

func (sessionsLoadedMsg) ownerScreen() screenID { return sessionsScreen }
func (sessionsActionMsg) ownerScreen() screenID { return sessionsScreen }

func (s *sessionsView) Init() tea.Cmd     { return s.load() }
func (s *sessionsView) SetSize(w, h int)  { s.w, s.h = w, h }
func (s *sessionsView) Capturing() bool   { return false }
func (s *sessionsView) consumesEsc() bool { return s.confirm }

// showsAmounts: the selected session's meters are shown (w shows them in
// raw base units).
func (s *sessionsView) showsAmounts() bool {
	return s.loaded && s.err == "" && s.sel >= 0 && s.sel < len(s.list.Sessions) && len(s.list.Sessions[s.sel].Meters) > 0
}

func (s *sessionsView) isSandbox() bool { return s.c.sess.sandbox != nil }

func (s *sessionsView) ShortHelp() []key.Binding {
	if s.confirm {
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "revoke")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("any other key", "cancel"))}
	}
	bs := []key.Binding{keyUp, keyDown, keyRefresh, keyRevoke}
	if s.isSandbox() {
		bs = append(bs, keyPlus1h, keyPlus1d, keyExpiry)
	}
	return bs
}

func (s *sessionsView) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *sessionsView) selected() (flows.SessionEntry, bool) {
	if s.sel < 0 || s.sel >= len(s.list.Sessions) {
		return flows.SessionEntry{}, false
	}
	return s.list.Sessions[s.sel], true
}

func (s *sessionsView) copyTarget() (string, string, bool) {
	if e, ok := s.selected(); ok {
		return "session key address", e.Signer, true
	}
	return "", "", false
}

// reader opens the chain's JSON-RPC for this connection.
func sessionReader(ctx context.Context, cfg flows.Config, client *apiclient.Client, chainID uint64) (*flows.SessionReader, string, error) {
	u, from, err := flows.ResolveRPCURL(ctx, cfg, client)
	if err != nil {
		return nil, "", err
	}
	r, err := flows.DialSessionReader(ctx, u, chainID)
	if err != nil {
		return nil, "", fmt.Errorf("%w (from %s)", err, from)
	}
	return r, u, nil
}

func (s *sessionsView) ready() error {
	switch {
	case s.c.client == nil || s.c.runner == nil:
		return fmt.Errorf("not connected yet")
	case s.c.sess.login.Address == "":
		return fmt.Errorf("log in first (Guest login): this screen lists the sessions of the logged-in user's account")
	}
	return nil
}

func (s *sessionsView) load() tea.Cmd {
	if err := s.ready(); err != nil {
		s.err = err.Error()
		return nil
	}
	if s.loading {
		return nil
	}
	s.loading = true
	ctx, cfg, client, chainID, now := s.c.ctx, s.c.cfg, s.c.client, s.c.chainID(), s.c.now
	acct := gethcommon.HexToAddress(s.c.sess.login.Address)
	s.c.begin()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		r, u, err := sessionReader(ctx, cfg, client, chainID)
		if err != nil {
			return sessionsLoadedMsg{err: err}
		}
		defer r.Close()
		l, err := flows.ListSessions(ctx, r, acct, now())
		return sessionsLoadedMsg{list: l, rpcURL: u, err: err}
	}
}

func (s *sessionsView) advance(d time.Duration) tea.Cmd {
	if !s.isSandbox() {
		s.note = "time travel is for the sandbox only: a live chain's clock cannot be moved"
		return nil
	}
	if err := s.ready(); err != nil {
		s.err = err.Error()
		return nil
	}
	ctx, client, chainID := s.c.ctx, s.c.client, s.c.chainID()
	s.busy = "advancing the chain's clock " + flows.FormatPeriod(d) + "…"
	s.c.begin()
	return func() tea.Msg {
		res, err := flows.AdvanceSandboxTime(ctx, client, chainID, d)
		if err != nil {
			return sessionsActionMsg{err: err}
		}
		return sessionsActionMsg{note: fmt.Sprintf("advanced %s: the chain's clock reads %s", flows.FormatPeriod(d), apiclient.Printable(res.BlockTime))}
	}
}

func (s *sessionsView) revoke(e flows.SessionEntry) tea.Cmd {
	ctx, cfg, client, runner, chainID := s.c.ctx, s.c.cfg, s.c.client, s.c.runner, s.c.chainID()
	token, acct, probe := s.c.sess.login.Token, gethcommon.HexToAddress(s.c.sess.login.Address), s.isSandbox()
	signer := gethcommon.HexToAddress(e.Signer)
	s.busy = "revoking " + apiclient.ShortHex(e.Signer) + ": granting it nothing, then reading it back…"
	s.c.begin()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		r, _, err := sessionReader(ctx, cfg, client, chainID)
		if err != nil {
			return sessionsActionMsg{err: err}
		}
		defer r.Close()
		res, err := flows.Revoke(ctx, runner, r, token, acct, signer, probe, nil)
		if err != nil {
			return sessionsActionMsg{err: err}
		}
		note := "revoke: " + res.Verdict
		if p := res.Probe; p != nil {
			if p.Refused {
				note += "; a send as the key was refused on chain: " + p.Reason
			} else {
				note += "; a send as the key was NOT refused (" + string(p.Status) + ")"
			}
		}
		return sessionsActionMsg{note: apiclient.Printable(note)}
	}
}

func (s *sessionsView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case readyMsg:
		if s.loaded || s.err != "" {
			s.err = ""
			return s.load()
		}
	case txFinalMsg:
		// A send or grant settled: the meters may have moved.
		if s.loaded {
			return s.load()
		}
	case sessionsLoadedMsg:
		s.c.end()
		s.loading = false
		if msg.err != nil {
			s.err = msg.err.Error()
			return nil
		}
		s.err, s.loaded, s.list, s.rpcURL = "", true, msg.list, msg.rpcURL
		s.sel = min(max(s.sel, 0), max(len(s.list.Sessions)-1, 0))
	case sessionsActionMsg:
		s.c.end()
		s.busy = ""
		if msg.err != nil {
			s.note = "✗ " + msg.err.Error()
		} else {
			s.note = msg.note
		}
		return s.load()
	case tea.KeyMsg:
		return s.onKey(msg)
	}
	return nil
}

func (s *sessionsView) onKey(k tea.KeyMsg) tea.Cmd {
	if s.confirm {
		s.confirm = false
		if k.String() == "y" {
			if e, ok := s.selected(); ok {
				return s.revoke(e)
			}
		}
		s.note = "revoke cancelled"
		return nil
	}
	if s.busy != "" {
		return nil
	}
	switch {
	case key.Matches(k, keyUp):
		s.sel = max(s.sel-1, 0)
	case key.Matches(k, keyDown):
		s.sel = min(s.sel+1, max(len(s.list.Sessions)-1, 0))
	case key.Matches(k, keyRefresh):
		return s.load()
	case key.Matches(k, keyPlus1h):
		return s.advance(time.Hour)
	case key.Matches(k, keyPlus1d):
		return s.advance(24 * time.Hour)
	case key.Matches(k, keyExpiry):
		e, ok := s.selected()
		if !ok || e.Status != flows.SessionLive {
			s.note = "select a live session to travel to its expiry"
			return nil
		}
		return s.advance(time.Duration(e.ExpiresAtUnix-s.list.ChainTime+1) * time.Second)
	case key.Matches(k, keyRevoke):
		e, ok := s.selected()
		switch {
		case !ok:
			s.note = "no session selected"
		case e.Status == flows.SessionReplaced:
			s.note = "that grant is already replaced; select the key's current one (the newest)"
		default:
			s.confirm = true
			s.note = fmt.Sprintf("revoke %s? it gets a grant that allows nothing, which replaces its session (y to go on)", e.Signer)
		}
	}
	return nil
}

func (s *sessionsView) View() string {
	st := s.c.st
	w := max(s.w, 20)
	var b strings.Builder
	line := func(style lipgloss.Style, text string) {
		for _, l := range strings.Split(lipgloss.NewStyle().Width(w).Render(text), "\n") {
			b.WriteString(style.Render(ansi.Truncate(l, w, "…")) + "\n")
		}
	}
	line(st.Title, "Sessions")
	switch {
	case s.err != "":
		line(st.Error, "✗ "+s.err)
	case !s.loaded:
		line(st.Subtle, s.c.spinner()+" reading the account's sessions from the chain…")
	default:
		l := s.list
		line(st.Subtle, fmt.Sprintf("account %s · chain %d · block %d · chain time %s · %s", l.Account, l.ChainID, l.Block,
			time.Unix(l.ChainTime, 0).In(s.c.now().Location()).Format("15:04:05"), apiclient.Printable(s.rpcURL)))
		if len(l.Sessions) == 0 {
			line(st.Subtle, "no session key was ever granted on this account")
		}
		for i, e := range l.Sessions {
			kind := "scoped"
			switch {
			case e.Wildcard:
				kind = "wildcard"
			case e.Status == flows.SessionRevoked:
				kind = "empty grant"
			}
			status := strings.ToUpper(e.Status)
			stStyle := st.OK
			if e.Status != flows.SessionLive {
				stStyle = st.Subtle
			}
			head := fmt.Sprintf("%s %s · %s · %s", s.c.hex(e.Signer, w-40), stStyle.Render(status), kind, e.Expires)
			marker := "  "
			if i == s.sel {
				marker = "› "
				head = st.Selected.Render(head)
			}
			b.WriteString(ansi.Truncate(marker+head, w, "…") + "\n")
			if i != s.sel {
				continue
			}
			for j, p := range e.Policies {
				line(st.Value, fmt.Sprintf("    %d. %s", j+1, apiclient.Printable(p)))
			}
			for _, m := range e.Meters {
				line(st.Value, "    meter: "+apiclient.Printable(m.Words(s.c.meterAmount)))
			}
		}
	}
	if s.busy != "" {
		line(st.Pending, s.c.spinner()+" "+s.busy)
	}
	if s.note != "" {
		style := st.Status
		if s.confirm {
			style = st.Warn
		}
		line(style, s.note)
	}
	b.WriteString("\n")
	line(st.Subtle, flows.RevocationNote)
	out := strings.TrimRight(b.String(), "\n")
	if s.h > 0 {
		if ls := strings.Split(out, "\n"); len(ls) > s.h {
			out = strings.Join(ls[:s.h], "\n")
		}
	}
	return out
}
