package ui

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

type connectKeys struct {
	Submit, Enter, Next, Prev, Toggle, Reveal key.Binding
}

// connect is screen 1: where calls go and with which credentials.
type connect struct {
	c      *common
	keys   connectKeys
	w, h   int
	live   bool
	focus  int // 0 = mode row, 1.. = fields
	apiURL *field
	client *field
	secret *field
	chain  *field
}

func newConnect(c *common) *connect {
	cfg := c.cfg
	s := &connect{c: c, live: cfg.Mode == flows.ModeLive}
	api := cfg.APIURL
	if api == "" || cfg.Mode != flows.ModeLive {
		api = apiclient.DefaultBaseURL
		if cfg.APIURL != "" && cfg.Mode == flows.ModeLive {
			api = cfg.APIURL
		}
	}
	s.apiURL = newField("api-url", "API URL", apiclient.DefaultBaseURL, func(v string) error {
		if !s.live {
			return nil
		}
		u, err := url.Parse(strings.TrimSpace(v))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errors.New("expected an http(s) URL such as " + apiclient.DefaultBaseURL)
		}
		return nil
	}).withValue(api)
	s.client = newField("client-id", "Client ID", "(empty)", func(v string) error {
		if s.live && strings.TrimSpace(v) == "" {
			return errors.New("live mode needs the client ID (x-client-id)")
		}
		return nil
	}).withValue(cfg.ClientID)
	s.secret = newField("secret-key", "Secret key", "(empty)", func(v string) error {
		if s.live && strings.TrimSpace(v) == "" {
			return errors.New("live mode needs the secret key (x-secret-key)")
		}
		return nil
	}).withValue(cfg.SecretKey)
	s.secret.SetMasked(true)
	s.chain = newField("chain", "Chain ID", "84532", func(v string) error {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil || n == 0 {
			return errors.New("a positive chain ID, e.g. 84532 (Base Sepolia)")
		}
		return nil
	}).withValue(strconv.FormatUint(cfg.ChainID, 10))
	s.keys = connectKeys{
		Submit: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "connect")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next/connect")),
		Next:   keyNext,
		Prev:   keyPrev,
		Toggle: key.NewBinding(key.WithKeys("left", "right", " "), key.WithHelp("←/→", "sandbox/live")),
		Reveal: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "show/hide secret")),
	}
	return s
}

func (s *connect) fields() []*field { return []*field{s.apiURL, s.client, s.secret, s.chain} }

func (s *connect) Init() tea.Cmd { return s.setFocus(s.focus) }

func (s *connect) SetSize(w, h int) {
	s.w, s.h = w, h
	for _, f := range s.fields() {
		f.SetWidth(w)
	}
}

func (s *connect) Capturing() bool { return s.focus > 0 }

func (s *connect) ShortHelp() []key.Binding {
	b := []key.Binding{s.keys.Submit, s.keys.Enter, s.keys.Next}
	if s.focus == 0 {
		b = append(b, s.keys.Toggle)
	}
	if s.focus == 3 {
		b = append(b, s.keys.Reveal)
	}
	return b
}

func (s *connect) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.keys.Submit, s.keys.Enter, s.keys.Next, s.keys.Prev}, {s.keys.Toggle, s.keys.Reveal}}
}

func (s *connect) setFocus(i int) tea.Cmd {
	n := len(s.fields()) + 1
	i = (i%n + n) % n
	for _, f := range s.fields() {
		if f.Focused() {
			f.Blur()
		}
	}
	s.focus = i
	if i == 0 {
		return nil
	}
	return s.fields()[i-1].Focus()
}

func (s *connect) submit() tea.Cmd {
	bad := -1
	for i, f := range s.fields() {
		if !f.Validate() && bad < 0 {
			bad = i
		}
	}
	if bad >= 0 {
		return s.setFocus(bad + 1)
	}
	cfg := s.c.cfg
	cfg.Mode = flows.ModeSandbox
	if s.live {
		cfg.Mode = flows.ModeLive
		cfg.APIURL = strings.TrimSpace(s.apiURL.Value())
	}
	cfg.ClientID = strings.TrimSpace(s.client.Value())
	cfg.SecretKey = strings.TrimSpace(s.secret.Value())
	cfg.ChainID, _ = strconv.ParseUint(strings.TrimSpace(s.chain.Value()), 10, 64)
	return func() tea.Msg { return connectMsg{cfg} }
}

func (s *connect) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		if _, isRetry := msg.(retryMsg); isRetry {
			return s.submit()
		}
		if f := s.focused(); f != nil {
			return f.Update(msg)
		}
		return nil
	}
	switch {
	case key.Matches(k, s.keys.Submit):
		return s.submit()
	case key.Matches(k, s.keys.Next):
		return s.setFocus(s.focus + 1)
	case key.Matches(k, s.keys.Prev):
		return s.setFocus(s.focus - 1)
	case key.Matches(k, s.keys.Enter):
		if s.focus == len(s.fields()) {
			return s.submit()
		}
		return s.setFocus(s.focus + 1)
	case key.Matches(k, s.keys.Reveal):
		s.secret.SetMasked(!s.secret.Masked())
		return nil
	case s.focus == 0 && key.Matches(k, s.keys.Toggle):
		s.live = !s.live
		for _, f := range s.fields() {
			if f.touched {
				f.runValidate()
			}
		}
		return nil
	}
	if f := s.focused(); f != nil {
		return f.Update(msg)
	}
	return nil
}

func (s *connect) focused() *field {
	if s.focus > 0 {
		return s.fields()[s.focus-1]
	}
	return nil
}

func (s *connect) View() string {
	st := s.c.st
	lines := []string{st.Title.Render("1 · Connect"),
		st.Subtle.Render("Where calls go. Flags, environment and the config file fill this in."), ""}
	sb, lv := "( ) sandbox", "( ) live"
	if s.live {
		lv = "(•) live"
	} else {
		sb = "(•) sandbox"
	}
	mark, ls := "  ", st.Blurred
	if s.focus == 0 {
		mark, ls = "› ", st.Focused
	}
	lines = append(lines, mark+ls.Render(pad("Mode", 10))+" "+sb+"  "+lv)
	for _, f := range s.fields() {
		lines = append(lines, strings.Split(f.View(st, 10), "\n")...)
	}
	lines = append(lines, "")
	if s.live {
		lines = append(lines, st.Subtle.Render("Live: calls go to the API URL with your client ID and secret key."))
	} else {
		lines = append(lines, st.Subtle.Render("Sandbox: an embedded API-compatible sandbox on loopback (API URL ignored;"),
			st.Subtle.Render("empty client ID / secret key are generated)."))
	}
	if s.secret.Masked() {
		lines = append(lines, st.Subtle.Render("The secret key is masked; ctrl+t shows it."))
	}
	sess := s.c.sess
	switch {
	case sess.sbErr != nil:
		lines = append(lines, "", st.Error.Render("✗ "+errorText(sess.sbErr)))
	case sess.sbReady && s.c.client != nil:
		lines = append(lines, "", st.OK.Render("✓")+" connected to "+s.c.client.BaseURL)
	}
	focusLine := 3 + s.focus
	return scrollLines(lines, 1, focusLine, s.h)
}
