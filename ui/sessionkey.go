package ui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

type keyCreatedMsg struct {
	gen int
	key flows.SessionKey
	err error
}

type keysListedMsg struct {
	gen  int
	keys []flows.SessionKey
	err  error
}

func (keyCreatedMsg) ownerScreen() screenID { return sessionKeyScreen }
func (keysListedMsg) ownerScreen() screenID { return sessionKeyScreen }

type sessionKeyKeys struct {
	Create, Pick, Next, Prev, Up, Down, Reload key.Binding
}

// sessionKey is screen 3: create a server wallet (identifier editable) or
// pick an existing one.
type sessionKey struct {
	c       *common
	keys    sessionKeyKeys
	w, h    int
	ident   *field
	inList  bool // focus on the list instead of the field
	list    []flows.SessionKey
	sel     int
	loaded  bool
	loading bool
	listErr string
	gen     int
	lgen    int
	pending bool
}

func newSessionKey(c *common) *sessionKey {
	ident := newField("identifier", "Identifier", "session-key-…", func(v string) error {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			return errors.New("an identifier is needed (any text, e.g. session-key-1)")
		case len(v) > 128:
			return errors.New("at most 128 characters")
		}
		return nil
	})
	ident.withValue(fmt.Sprintf("session-key-%d", c.now().UnixMilli()))
	return &sessionKey{c: c, ident: ident, keys: sessionKeyKeys{
		Create: key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "create key")),
		Pick:   key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "use this key")),
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "existing keys")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "identifier")),
		Up:     keyUp,
		Down:   keyDown,
		Reload: key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "reload list")),
	}}
}

func (s *sessionKey) Init() tea.Cmd {
	var cmds []tea.Cmd
	if !s.inList {
		cmds = append(cmds, s.ident.Focus())
	}
	if !s.loaded && !s.loading {
		cmds = append(cmds, s.load())
	}
	return tea.Batch(cmds...)
}

func (s *sessionKey) SetSize(w, h int) {
	s.w, s.h = w, h
	s.ident.SetWidth(w)
}

func (s *sessionKey) Capturing() bool     { return s.ident.Focused() }
func (s *sessionKey) exchangeTag() string { return flows.TagSessionKey }

func (s *sessionKey) ShortHelp() []key.Binding {
	if s.inList {
		return []key.Binding{s.keys.Pick, s.keys.Up, s.keys.Down, s.keys.Prev}
	}
	return []key.Binding{s.keys.Create, s.keys.Next}
}

func (s *sessionKey) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.keys.Create, s.keys.Next, s.keys.Prev}, {s.keys.Up, s.keys.Down, s.keys.Reload}}
}

func (s *sessionKey) copyTarget() (string, string, bool) {
	if s.inList && s.sel < len(s.list) {
		return "server wallet address", apiclient.Checksum(s.list[s.sel].Address), true
	}
	if a := s.c.sess.key.Address; a != "" {
		return "session key address", apiclient.Checksum(a), true
	}
	return "", "", false
}

func (s *sessionKey) load() tea.Cmd {
	if s.c.runner == nil {
		return nil
	}
	s.loading = true
	s.lgen++
	s.c.begin()
	gen, r, ctx := s.lgen, s.c.runner, apiclient.WithTag(s.c.ctx, flows.TagSessionKey)
	return func() tea.Msg {
		keys, err := r.ListSessionKeys(ctx)
		return keysListedMsg{gen, keys, err}
	}
}

func (s *sessionKey) create() tea.Cmd {
	if s.pending {
		return nil
	}
	if !s.ident.Validate() {
		return nil
	}
	if s.c.runner == nil {
		return errCmd(sessionKeyScreen, errors.New("not connected yet: wait for the sandbox, or press esc twice to connect"))
	}
	s.pending = true
	s.gen++
	s.c.begin()
	gen, r, ctx, id := s.gen, s.c.runner, apiclient.WithTag(s.c.ctx, flows.TagSessionKey), strings.TrimSpace(s.ident.Value())
	return tea.Batch(func() tea.Msg { return clearErrMsg{sessionKeyScreen} }, func() tea.Msg {
		k, err := r.CreateSessionKey(ctx, id)
		return keyCreatedMsg{gen, k, err}
	})
}

func (s *sessionKey) use(k flows.SessionKey) tea.Cmd {
	s.c.sess.key = k
	// a new key invalidates an earlier grant's standing
	s.c.sess.grantOK = false
	return advanceCmd(sessionKeyScreen, permissionsScreen)
}

func (s *sessionKey) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case readyMsg:
		if !s.loaded && !s.loading {
			return s.load()
		}
	case retryMsg:
		if s.inList {
			return s.load()
		}
		return s.create()
	case keysListedMsg:
		s.c.end()
		if msg.gen != s.lgen {
			return nil
		}
		s.loading, s.loaded = false, true
		if msg.err != nil {
			s.listErr = errorText(msg.err)
			return nil
		}
		s.listErr = ""
		s.list = msg.keys
		s.sel = min(s.sel, max(len(s.list)-1, 0))
	case keyCreatedMsg:
		s.c.end()
		if msg.gen != s.gen {
			return nil
		}
		s.pending = false
		if msg.err != nil {
			return errCmd(sessionKeyScreen, msg.err)
		}
		found := false
		for _, k := range s.list {
			if apiclient.SameAddress(k.Address, msg.key.Address) {
				found = true
			}
		}
		if !found {
			s.list = append(s.list, msg.key)
		}
		return s.use(msg.key)
	case tea.KeyMsg:
		return s.onKey(msg)
	default:
		return s.ident.Update(msg)
	}
	return nil
}

func (s *sessionKey) onKey(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, s.keys.Reload) {
		return s.load()
	}
	if s.inList {
		switch {
		case key.Matches(msg, s.keys.Pick):
			if s.sel < len(s.list) {
				return s.use(s.list[s.sel])
			}
		case key.Matches(msg, s.keys.Prev):
			s.inList = false
			return s.ident.Focus()
		case key.Matches(msg, s.keys.Up):
			if s.sel == 0 {
				s.inList = false
				return s.ident.Focus()
			}
			s.sel--
		case key.Matches(msg, s.keys.Down):
			s.sel = min(s.sel+1, max(len(s.list)-1, 0))
		}
		return nil
	}
	switch {
	case key.Matches(msg, s.keys.Create):
		return s.create()
	case key.Matches(msg, s.keys.Next):
		if len(s.list) > 0 {
			s.ident.Blur()
			s.inList = true
		}
		return nil
	}
	return s.ident.Update(msg)
}

func (s *sessionKey) View() string {
	st := s.c.st
	lines := []string{
		st.Title.Render("3 · Session key"),
		st.Subtle.Render("A server wallet signs for the user: POST /wallets/server {identifier}"),
		"",
		s.ident.View(st, 10),
	}
	switch {
	case s.pending:
		lines = append(lines, "  "+s.c.spinner()+" creating…")
	case s.c.sess.key.Address != "":
		k := s.c.sess.key
		addr := apiclient.Checksum(k.Address)
		if s.w < len(addr)+14 {
			addr = apiclient.ShortHex(addr)
		}
		lines = append(lines, "  "+st.OK.Render("✓")+" Session key "+st.Address.Render(addr))
	}
	lines = append(lines, "")
	title := "Or use an existing server wallet"
	if s.loading {
		title += " " + s.c.spinner()
	}
	lines = append(lines, st.Label.Render(title))
	head := len(lines)
	switch {
	case s.listErr != "":
		lines = append(lines, "  "+st.Error.Render("✗ "+s.listErr)+st.Subtle.Render(" · ctrl+l: reload"))
	case s.loaded && len(s.list) == 0:
		lines = append(lines, "  "+st.Subtle.Render("none yet"))
	}
	selLine := -1
	for i, k := range s.list {
		addr := apiclient.Checksum(k.Address)
		room := s.w - 4 - len(k.Identifier) - 2
		if room < len(addr) {
			addr = apiclient.ShortHex(addr)
		}
		mark := "  "
		line := st.Address.Render(addr) + "  " + st.Subtle.Render(k.Identifier)
		if apiclient.SameAddress(k.Address, s.c.sess.key.Address) {
			line += " " + st.OK.Render("✓ in use")
		}
		if s.inList && i == s.sel {
			mark = "› "
			line = st.Selected.Render(addr+"  "+k.Identifier) + ""
			selLine = len(lines)
		}
		lines = append(lines, mark+line)
	}
	return scrollLines(lines, head, selLine, s.h)
}

// scrollLines keeps the first `keep` lines and scrolls the rest so that
// line `focus` (an index into lines, -1 = none) stays visible in h lines.
func scrollLines(lines []string, keep, focus, h int) string {
	if len(lines) <= h || h <= 0 {
		return strings.Join(lines, "\n")
	}
	keep = min(keep, h-1)
	room := h - keep
	rest := lines[keep:]
	off := 0
	if focus >= keep {
		f := focus - keep
		if f >= room {
			off = f - room + 1
		}
	}
	end := min(off+room, len(rest))
	out := append(append([]string{}, lines[:keep]...), rest[off:end]...)
	return strings.Join(out, "\n")
}
