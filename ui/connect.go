package ui

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

type connectKeys struct {
	Submit, Enter, Next, Prev, Reveal key.Binding
}

// connect is screen 1: where calls go and with which credentials. It opens
// on the Mode row (not a text field), so command letters work until tab or
// enter moves into a field.
type connect struct {
	c      *common
	keys   connectKeys
	w, h   int
	live   bool
	form   *Group
	mode   *choiceField
	apiURL *field
	client *field
	secret *field
	chain  *field
	reveal bool // ctrl+t: secrets shown (the field and the sandbox's own)
	scroll formScroller
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
	mode := 0
	if s.live {
		mode = 1
	}
	s.mode = newChoice("mode", "Mode", mode, "sandbox", "live")
	s.mode.onChange = func() {
		s.live = s.mode.idx == 1
		for _, f := range []*field{s.apiURL, s.client, s.secret, s.chain} {
			if f.touched {
				f.runValidate()
			}
		}
	}
	s.form = newGroup(s.mode, s.apiURL, s.client, s.secret, s.chain)
	s.form.labelW = 10
	s.form.FocusAt(0)
	s.keys = connectKeys{
		Submit: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "connect")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next/connect")),
		Next:   keyNext,
		Prev:   keyPrev,
		Reveal: key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "show/hide secrets")),
	}
	return s
}

func (s *connect) Init() tea.Cmd {
	s.sync()
	if f := s.form.Focused(); f != nil {
		return f.Focus()
	}
	return nil
}

func (s *connect) SetSize(w, h int) {
	s.w, s.h = w, h
	s.form.SetWidth(w)
	s.sync()
}

// Capturing: a text field is being edited (letters type into it).
func (s *connect) Capturing() bool { return s.form.Editing() }

// consumesEsc: esc leaves the field being edited before it leaves the screen.
func (s *connect) consumesEsc() bool { return s.form.Editing() }

func (s *connect) ShortHelp() []key.Binding {
	return append([]key.Binding{s.keys.Submit, s.keys.Enter, s.keys.Next}, s.form.Bindings()...)
}

func (s *connect) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.keys.Submit, s.keys.Enter, s.keys.Next, s.keys.Prev}, {keyChoice, s.keys.Reveal, keyLeaveEdit}}
}

func (s *connect) submit() tea.Cmd {
	if bad := s.form.ValidateAll(); bad >= 0 {
		return s.form.FocusAt(bad)
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

// Update handles the message, then lays the form out for the next View.
func (s *connect) Update(msg tea.Msg) tea.Cmd {
	cmd := s.update(msg)
	s.sync()
	return cmd
}

func (s *connect) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		if _, isRetry := msg.(retryMsg); isRetry {
			return s.submit()
		}
		return s.form.Update(msg)
	}
	switch {
	case key.Matches(k, s.keys.Submit):
		return s.submit()
	case key.Matches(k, s.keys.Next):
		if cmd, ok := s.form.Next(); ok {
			return cmd
		}
		return s.form.FocusAt(0)
	case key.Matches(k, s.keys.Prev):
		if cmd, ok := s.form.Prev(); ok {
			return cmd
		}
		return s.form.FocusAt(len(s.form.Fields()) - 1)
	case key.Matches(k, s.keys.Enter):
		if cmd, ok := s.form.Next(); ok {
			return cmd
		}
		return s.submit()
	case key.Matches(k, s.keys.Reveal):
		s.reveal = !s.reveal
		s.secret.SetMasked(!s.reveal)
		return nil
	case k.Type == tea.KeyEsc && s.form.Editing():
		s.form.Blur()
		return nil
	}
	return s.form.Update(msg)
}

// lines is the screen's content; focus is the focused row's first line.
func (s *connect) lines() (lines []string, start, end int) {
	st := s.c.st
	lines = append([]string{st.Title.Render("1 · Connect")},
		s.c.para(st.Subtle, "Where calls go. Flags, environment and the config file fill this in.", s.w)...)
	lines = append(lines, "")
	fl, a, b := s.form.Lines(st)
	if a >= 0 {
		a, b = a+len(lines), b+len(lines)
	}
	start, end = a, b
	lines = append(lines, fl...)
	lines = append(lines, "")
	if s.live {
		lines = append(lines, s.c.para(st.Subtle, "Live: calls go to the API URL with your client ID and secret key.", s.w)...)
	} else {
		lines = append(lines, s.c.para(st.Subtle, "Sandbox: an embedded API-compatible sandbox on loopback (API URL ignored; empty client ID / secret key are generated).", s.w)...)
	}
	if s.secret.Masked() {
		lines = append(lines, s.c.para(st.Subtle, "Secrets are masked; ctrl+t shows them.", s.w)...)
	}
	sess := s.c.sess
	switch {
	case sess.sbErr != nil:
		lines = append(lines, "")
		lines = append(lines, s.c.para(st.Error, "✗ "+errorText(sess.sbErr), s.w)...)
	case sess.sbReady && s.c.client != nil:
		lines = append(lines, "")
		lines = append(lines, wrapLines(st.OK.Render("✓")+" connected to "+s.c.client.BaseURL, s.w, "  ")...)
		if s.c.cfg.Mode != flows.ModeLive {
			lines = append(lines, s.sandboxCredentials()...)
		}
	}
	return lines, start, end
}

// sandboxCredentials are the embedded sandbox's throwaway credentials and
// an export line that points the CLI (or curl) at it. The secret key is
// masked unless the user asks (ctrl+t, or --reveal).
func (s *connect) sandboxCredentials() []string {
	st := s.c.st
	cl := s.c.client
	secret := apiclient.MaskSecret(cl.SecretKey)
	if s.reveal || s.c.reveal {
		secret = cl.SecretKey
	}
	export := s.exportLine()
	lines := []string{"",
		st.Label.Render("Sandbox credentials") + st.Subtle.Render(" (throwaway: this run only)"),
		"  client ID   " + cl.ClientID,
		"  secret key  " + secret,
	}
	lines = append(lines, s.c.para(st.Subtle, "  to use them from another shell while the console runs (c copies it):", s.w)...)
	for _, l := range strings.Split(ansi.Hardwrap(export, max(s.w-4, 20), false), "\n") {
		lines = append(lines, "  "+st.Code.Render(l))
	}
	if secret != cl.SecretKey {
		lines = append(lines, s.c.para(st.Subtle, "  (secret masked: ctrl+t shows it so the line runs as pasted)", s.w)...)
	}
	return lines
}

// exportLine points another shell at the running sandbox; the secret is
// masked unless the user asked to see it.
func (s *connect) exportLine() string {
	cl := s.c.client
	secret := apiclient.MaskSecret(cl.SecretKey)
	if s.reveal || s.c.reveal {
		secret = cl.SecretKey
	}
	return "export " + flows.EnvAPIURL + "=" + cl.BaseURL + " " + flows.EnvClientID + "=" + cl.ClientID + " " + flows.EnvSecretKey + "=" + secret
}

// copyTarget: c copies the sandbox's export line (as shown: masked unless
// revealed).
func (s *connect) copyTarget() (string, string, bool) {
	if s.c.client == nil || s.c.cfg.Mode == flows.ModeLive || !s.c.sess.sbReady {
		return "", "", false
	}
	label := "export line (secret masked; ctrl+t first to copy it whole)"
	if s.reveal || s.c.reveal {
		label = "export line (secret REVEALED)"
	}
	return label, s.exportLine(), true
}

// sync keeps the focused row in view (called from Update and SetSize).
func (s *connect) sync() {
	lines, a, b := s.lines()
	s.scroll.follow(lines, 1, a, b, s.w, s.h)
}

func (s *connect) View() string {
	lines, _, _ := s.lines()
	return s.scroll.frame(lines, 1, s.h)
}
