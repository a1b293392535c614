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
	Create, Pick, Edit, Next, Prev, Up, Down, Reload key.Binding
}

// sessionKey is screen 3: create a server wallet (identifier editable) or
// pick an existing one. It opens with no field being edited: enter creates
// with the pre-filled identifier and command letters (i, a, q, ?) act;
// tab edits the identifier, esc leaves it.
type sessionKey struct {
	c       *common
	keys    sessionKeyKeys
	w, h    int
	form    *Group
	ident   *field
	scroll  formScroller
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
	ident = ident.withValue(fmt.Sprintf("session-key-%d", c.now().UnixMilli()))
	return &sessionKey{c: c, ident: ident, form: newGroup(ident), keys: sessionKeyKeys{
		Create: key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "create key")),
		Pick:   key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "use this key")),
		Edit:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "edit identifier")),
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "existing keys")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "identifier")),
		Up:     keyUp,
		Down:   keyDown,
		Reload: key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "reload list")),
	}}
}

// Init starts loading the list; no field takes the keyboard (the focus
// model of form.go: letters are commands until tab).
func (s *sessionKey) Init() tea.Cmd {
	var cmd tea.Cmd
	if !s.loaded && !s.loading {
		cmd = s.load()
	}
	s.sync()
	return cmd
}

func (s *sessionKey) SetSize(w, h int) {
	s.w, s.h = w, h
	s.form.SetWidth(w)
	s.sync()
}

func (s *sessionKey) Capturing() bool     { return s.form.Editing() }
func (s *sessionKey) consumesEsc() bool   { return s.form.Editing() }
func (s *sessionKey) exchangeTag() string { return flows.TagSessionKey }

func (s *sessionKey) ShortHelp() []key.Binding {
	switch {
	case s.inList:
		return []key.Binding{s.keys.Pick, s.keys.Up, s.keys.Down, s.keys.Prev}
	case s.form.Editing():
		return []key.Binding{s.keys.Create, s.keys.Next, keyLeaveEdit}
	}
	return []key.Binding{s.keys.Create, s.keys.Edit, keyToList}
}

// keyToList is ↓ from the identifier (edited or not) to the list.
var keyToList = key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "existing keys"))

func (s *sessionKey) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.keys.Create, s.keys.Edit, s.keys.Next, s.keys.Prev, keyLeaveEdit}, {s.keys.Up, s.keys.Down, s.keys.Reload}}
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

// Update handles the message, then lays the screen out for View.
func (s *sessionKey) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	s.sync()
	return cmd
}

func (s *sessionKey) update(msg tea.Msg) tea.Cmd {
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
		return s.form.Update(msg)
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
			return s.form.FocusAt(0)
		case key.Matches(msg, s.keys.Up):
			if s.sel == 0 {
				s.inList = false // back to the top: nothing focused
				return nil
			}
			s.sel--
		case key.Matches(msg, s.keys.Down):
			s.sel = min(s.sel+1, max(len(s.list)-1, 0))
		}
		return nil
	}
	editing := s.form.Editing()
	switch {
	case key.Matches(msg, s.keys.Create):
		return s.create()
	case msg.Type == tea.KeyEsc && editing:
		s.form.Blur()
		return nil
	case !editing && key.Matches(msg, s.keys.Edit):
		return s.form.FocusAt(0)
	case key.Matches(msg, s.keys.Next):
		if len(s.list) > 0 {
			s.form.Blur()
			s.inList = true
		}
		return nil
	case !editing && key.Matches(msg, s.keys.Prev):
		return s.form.FocusAt(0)
	}
	return s.form.Update(msg)
}

// lines is the screen's content and the line to keep in view.
func (s *sessionKey) lines() ([]string, int) {
	st := s.c.st
	lines := append([]string{st.Title.Render("3 · Session key")},
		s.c.para(st.Subtle, "A server wallet signs for the user: POST /wallets/server {identifier}", s.w)...)
	lines = append(lines, "")
	identLine := len(lines)
	fl, _, _ := s.form.Lines(st)
	lines = append(lines, fl...)
	if !s.form.Editing() && !s.inList {
		lines = append(lines, s.c.para(st.Subtle, "  enter creates the key with this identifier · tab edits it", s.w)...)
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
	switch {
	case s.listErr != "":
		lines = append(lines, wrapLines("  "+st.Error.Render("✗ "+s.listErr)+st.Subtle.Render(" · ctrl+l: reload"), s.w, "    ")...)
	case s.loaded && len(s.list) == 0:
		lines = append(lines, "  "+st.Subtle.Render("none yet"))
	}
	selLine := identLine
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
	return lines, selLine
}

// sync keeps the identifier or the chosen key in view (Update, SetSize).
func (s *sessionKey) sync() {
	lines, sel := s.lines()
	s.scroll.follow(lines, 1, sel, sel+1, s.w, s.h)
}

func (s *sessionKey) View() string {
	lines, _ := s.lines()
	return s.scroll.frame(lines, 1, s.h)
}
