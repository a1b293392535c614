package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

type loginKeys struct{ Login, New key.Binding }

// loginDoneMsg is the result of a guest login.
type loginDoneMsg struct {
	gen   int
	login flows.Login
	err   error
}

func (loginDoneMsg) ownerScreen() screenID { return loginScreen }

// login is screen 2: one action, POST /auth/complete as a guest.
type login struct {
	c       *common
	keys    loginKeys
	w, h    int
	gen     int
	pending bool
	waiting bool // enter pressed before the API was ready
	done    bool
}

func newLogin(c *common) *login {
	return &login{c: c, keys: loginKeys{
		Login: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "log in")),
		New:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new guest"), key.WithDisabled()),
	}}
}

func (s *login) Init() tea.Cmd       { return nil }
func (s *login) SetSize(w, h int)    { s.w, s.h = w, h }
func (s *login) Capturing() bool     { return false }
func (s *login) exchangeTag() string { return flows.TagLogin }

// syncKeys sets what the keys do now (the root calls it after every
// Update; ShortHelp only reads).
func (s *login) syncKeys() {
	s.keys.New.SetEnabled(s.done && !s.pending)
	if s.done {
		s.keys.Login.SetHelp("enter", "continue")
	} else {
		s.keys.Login.SetHelp("enter", "log in")
	}
}

func (s *login) ShortHelp() []key.Binding  { return []key.Binding{s.keys.Login, s.keys.New} }
func (s *login) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *login) copyTarget() (string, string, bool) {
	if a := s.c.sess.login.Address; a != "" {
		return "user address", apiclient.Checksum(a), true
	}
	return "", "", false
}

func (s *login) start() tea.Cmd {
	if s.pending {
		return nil
	}
	if s.c.runner == nil {
		s.waiting = true
		return nil
	}
	s.waiting = false
	s.pending = true
	s.gen++
	s.c.begin()
	gen, r, ctx := s.gen, s.c.runner, apiclient.WithTag(s.c.ctx, flows.TagLogin)
	return tea.Batch(func() tea.Msg { return clearErrMsg{loginScreen} }, func() tea.Msg {
		l, err := r.Login(ctx, "")
		return loginDoneMsg{gen, l, err}
	})
}

func (s *login) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case readyMsg:
		if s.waiting {
			return s.start()
		}
	case retryMsg:
		return s.start()
	case loginDoneMsg:
		s.c.end()
		if msg.gen != s.gen {
			return nil
		}
		s.pending = false
		if msg.err != nil {
			return errCmd(loginScreen, msg.err)
		}
		s.done = true
		s.c.sess.login = msg.login
		return advanceCmd(loginScreen, sessionKeyScreen)
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, s.keys.Login):
			if s.done {
				return goToCmd(sessionKeyScreen)
			}
			return s.start()
		case s.done && key.Matches(msg, s.keys.New):
			return s.start()
		}
	}
	return nil
}

func (s *login) View() string {
	st := s.c.st
	var b strings.Builder
	b.WriteString(st.Title.Render("2 · Guest login") + "\n")
	b.WriteString(s.c.paraText(st.Subtle, "Log in as a guest user: POST /auth/complete {\"method\":\"guest\"}", s.w) + "\n\n")
	l := s.c.sess.login
	switch {
	case s.pending:
		b.WriteString(s.c.spinner() + " logging in…")
	case s.waiting:
		b.WriteString(strings.Join(wrapLines(s.c.spinner()+" waiting for the sandbox to start; logging in as soon as it is ready…", s.w, "  "), "\n"))
	case !s.done:
		if s.c.runner == nil && s.c.sess.sbErr == nil {
			b.WriteString(strings.Join(wrapLines(s.c.spinner()+" the sandbox is starting — press "+st.Key.Render("enter")+" now or when ready", s.w, "  "), "\n"))
		} else {
			b.WriteString(strings.Join(wrapLines("Press "+st.Key.Render("enter")+" to log in as a new guest.", s.w, ""), "\n"))
		}
	}
	if s.done {
		addr := apiclient.Checksum(l.Address)
		if s.w < len(addr)+12 {
			addr = apiclient.ShortHex(addr)
		}
		b.WriteString(st.OK.Render("✓") + " Logged in")
		if l.IsNewUser {
			b.WriteString(st.Subtle.Render(" (new user)"))
		}
		b.WriteString("\n")
		b.WriteString(st.Label.Render("Address   ") + st.Address.Render(addr) + "\n")
		tok := apiclient.MaskSecret(l.Token)
		if s.c.reveal {
			tok = l.Token
		}
		exp := "expiry unknown"
		if !l.ExpiresAt.IsZero() {
			exp = "expires in " + fmtUntil(s.c.now(), l.ExpiresAt) + " (" + l.ExpiresAt.Local().Format("2006-01-02 15:04") + ")"
		}
		b.WriteString(strings.Join(wrapLines(st.Label.Render("Token     ")+st.Code.Render(tok)+st.Subtle.Render(" · "+exp), s.w, "          "), "\n") + "\n")
		b.WriteString(st.Label.Render("Session   ") + st.Subtle.Render(l.SessionID) + "\n\n")
		b.WriteString(s.c.paraText(st.Subtle, "enter: next step · n: log in as another new guest", s.w))
	}
	return b.String()
}
