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
	// scroll is the body's offset, set in sync; followSel: the selection
	// moved (or the list came), so sync brings it into view.
	scroll    scroller
	followSel bool
}

func newSessions(c *common) *sessionsView { return &sessionsView{c: c, scroll: newScroller()} }

type sessionsLoadedMsg struct {
	list   flows.SessionList
	rpcURL string
	err    error
}

type sessionsActionMsg struct {
	note string
	err  error
	// txs the action sent (a revoke's grant and probe): they join the
	// run's transactions, so Activity and the exit summary list them.
	txs []sentTx
}

type sentTx struct{ id, kind string }

func (sessionsLoadedMsg) ownerScreen() screenID { return sessionsScreen }
func (sessionsActionMsg) ownerScreen() screenID { return sessionsScreen }

func (s *sessionsView) Init() tea.Cmd { return s.load() }
func (s *sessionsView) SetSize(w, h int) {
	s.w, s.h, s.followSel = w, h, true
	s.sync()
}
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
	bs := []key.Binding{keyUp, keyDown, keyPageUp, keyPageDown, keyRefresh, keyRevoke}
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
		var txs []sentTx
		if res.GrantTxID != "" {
			txs = append(txs, sentTx{res.GrantTxID, "revoke"})
		}
		note := "revoke: " + res.Verdict
		if p := res.Probe; p != nil {
			if p.TxID != "" {
				txs = append(txs, sentTx{p.TxID, "probe"})
			}
			if p.Refused {
				note += "; a send as the key was refused on chain: " + p.Reason
			} else {
				note += "; a send as the key was NOT refused (" + string(p.Status) + ")"
			}
		}
		return sessionsActionMsg{note: apiclient.Printable(note), txs: txs}
	}
}

func (s *sessionsView) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	s.sync()
	return cmd
}

func (s *sessionsView) update(msg tea.Msg) tea.Cmd {
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
		s.followSel = s.followSel || !s.loaded // the first list: the selection shows
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
		cmds := []tea.Cmd{s.load()}
		for _, t := range msg.txs {
			cmds = append(cmds, watchTxCmd(t.id, t.kind))
		}
		return tea.Batch(cmds...)
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
	if s.scroll.scrollKey(k, true) { // pgup/pgdn; ↑/↓ choose a session
		return nil
	}
	if s.busy != "" {
		return nil
	}
	switch {
	case key.Matches(k, keyUp):
		s.sel, s.followSel = max(s.sel-1, 0), true
	case key.Matches(k, keyDown):
		s.sel, s.followSel = min(s.sel+1, max(len(s.list.Sessions)-1, 0)), true
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

// wrapRows renders text at width w in the style, one row per wrapped line;
// a word wider than w is cut.
func wrapRows(style lipgloss.Style, text string, w int) []string {
	var out []string
	for _, l := range strings.Split(lipgloss.NewStyle().Width(w).Render(text), "\n") {
		out = append(out, style.Render(ansi.Truncate(l, w, "…")))
	}
	return out
}

// body is what scrolls under the title: the list, the selected session's
// policies and meters, and what revoking means. [start, end) are the
// selected session's rows (start -1: none).
func (s *sessionsView) body(w int) (lines []string, start, end int) {
	st := s.c.st
	start, end = -1, -1
	add := func(style lipgloss.Style, text string) { lines = append(lines, wrapRows(style, text, w)...) }
	switch {
	case s.err != "":
		add(st.Error, "✗ "+s.err)
	case !s.loaded:
		add(st.Subtle, s.c.spinner()+" reading the account's sessions from the chain…")
	default:
		l := s.list
		add(st.Subtle, fmt.Sprintf("account %s · chain %d · block %d · chain time %s · %s", l.Account, l.ChainID, l.Block,
			time.Unix(l.ChainTime, 0).In(s.c.now().Location()).Format("15:04:05"), apiclient.Printable(s.rpcURL)))
		if len(l.Sessions) == 0 {
			add(st.Subtle, "no session key was ever granted on this account")
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
			if i != s.sel {
				lines = append(lines, ansi.Truncate("  "+head, w, "…"))
				continue
			}
			start = len(lines)
			// the selected head wraps rather than cuts: its expiry reads whole
			add(st.Selected, "› "+head)
			for j, p := range e.Policies {
				add(st.Value, fmt.Sprintf("    %d. %s", j+1, apiclient.Printable(p)))
			}
			for _, m := range e.Meters {
				add(st.Value, "    meter: "+apiclient.Printable(m.Words(s.c.meterAmount)))
			}
			end = len(lines)
		}
	}
	lines = append(lines, "")
	add(st.Subtle, flows.RevocationNote)
	return lines, start, end
}

// status is the action in flight and the last result, kept under the body
// so a question (revoke? y to go on) always shows, however far it scrolled.
func (s *sessionsView) status(w int) []string {
	st := s.c.st
	var out []string
	if s.busy != "" {
		out = append(out, wrapRows(st.Pending, s.c.spinner()+" "+s.busy, w)...)
	}
	if s.note != "" {
		style := st.Status
		if s.confirm {
			style = st.Warn
		}
		out = append(out, wrapRows(style, s.note, w)...)
	}
	return out
}

// rows is the body's room under the title and above the status (n body
// lines); when they do not fit, two of those rows say what is above and
// below (ind) and the viewport gets the rest.
func (s *sessionsView) rows(w, n int) (vpH int, scrolls, ind bool) {
	bodyH := max(s.h-1-len(s.status(w)), 1)
	switch {
	case s.h <= 0 || n <= bodyH:
		return bodyH, false, false
	case bodyH >= 3:
		return bodyH - 2, true, true
	}
	return bodyH, true, false
}

// sync runs after every Update and resize: the body's offset is chosen
// here (the selection in view after it moved), never in View.
func (s *sessionsView) sync() {
	follow := s.followSel
	s.followSel = false
	if s.w <= 0 || s.h <= 0 {
		return
	}
	w := max(s.w, 20)
	lines, a, b := s.body(w)
	vpH, _, _ := s.rows(w, len(lines))
	if !follow {
		a, b = -1, -1
	}
	s.scroll.follow(lines, 0, a, b, w, vpH)
}

func (s *sessionsView) View() string {
	w := max(s.w, 20)
	lines, _, _ := s.body(w)
	out := wrapRows(s.c.st.Title, "Sessions", w)
	if vpH, scrolls, ind := s.rows(w, len(lines)); scrolls {
		// the offset was set in sync; min only keeps the slice in range
		off := min(s.scroll.offset(), max(len(lines)-vpH, 0))
		vis := lines[off:min(off+vpH, len(lines))]
		if ind {
			up, down := "", ""
			if off > 0 {
				up = s.c.st.Subtle.Render(fmt.Sprintf("  ↑ %d more (pgup)", off))
			}
			if rest := len(lines) - off - len(vis); rest > 0 {
				down = s.c.st.Subtle.Render(fmt.Sprintf("  ↓ %d more (pgdn)", rest))
			}
			vis = append(append([]string{up}, vis...), down)
		}
		lines = vis
	}
	out = append(append(out, lines...), s.status(w)...)
	if s.h > 0 && len(out) > s.h {
		// a status taller than the screen: its first rows show
		out = out[:s.h]
	}
	return strings.Join(out, "\n")
}
