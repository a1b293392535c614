// Package ui is the console: one root model (this file) routing between one
// model per screen (connect.go, login.go, sessionkey.go, permissions.go,
// grant.go, send.go, activity.go). The root owns the header, footer, error
// banners, status line, global keys and the connection; screens own their
// state and ask the root for navigation, copies and banners by message.
package ui

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/atotto/clipboard"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"walletconsole/apiclient"
	"walletconsole/flows"
	"walletconsole/theme"
)

// Options are the injectable parts of the console (tests pin them).
type Options struct {
	Now       func() time.Time   // clock; nil = time.Now
	Theme     *theme.Theme       // nil = theme.Default()
	Reveal    bool               // curl export and inspector show secrets
	Clipboard func(string) error // nil = atotto/clipboard
	Output    io.Writer          // where OSC 52 goes when no clipboard; nil = os.Stdout
	Context   context.Context    // parent of every request; nil = Background
	// StartSandbox starts the embedded sandbox in sandbox mode (main wires
	// it in; nil = sandbox mode cannot connect).
	StartSandbox flows.SandboxStarter
	Spinner      *spinner.Spinner // nil = spinner.MiniDot
}

// Model is the root model. Close it after the program ends (stops the
// embedded sandbox and every watcher).
type Model struct {
	c       *common
	opts    Options
	keys    globalKeys
	screens [numScreens]screen
	active  screenID
	prev    screenID // where esc on the activity screen returns
	banners map[screenID]string
	status  string
	help    help.Model
	inspect bool
	confirm bool // quit prompt (y/N) while transactions are pending
	spinOn  bool
	conn    *flows.Conn
	connGen int
	cancel  context.CancelFunc
	lastGeo geometry
	closed  bool
}

// New builds the console for cfg. No I/O happens here: the sandbox (or the
// live client) is set up by Init's command, so the first frame is immediate.
func New(cfg flows.Config, opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Theme == nil {
		t := theme.Default()
		opts.Theme = &t
	}
	if opts.Clipboard == nil {
		opts.Clipboard = clipboard.WriteAll
	}
	if opts.Output == nil {
		opts.Output = os.Stdout
	}
	parent := opts.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	sp := spinner.MiniDot
	if opts.Spinner != nil {
		sp = *opts.Spinner
	}
	if cfg.ChainID == 0 {
		cfg.ChainID = flows.DefaultChainID
	}
	c := &common{
		th:     *opts.Theme,
		st:     opts.Theme.Styles,
		cfg:    cfg,
		ctx:    ctx,
		now:    opts.Now,
		reveal: opts.Reveal || cfg.Reveal,
		log:    &exchangeLog{},
		txs:    newTxStore(),
		spin:   spinner.New(spinner.WithSpinner(sp)),
	}
	h := help.New()
	h.Styles = c.st.HelpStyles
	m := &Model{c: c, opts: opts, keys: newGlobalKeys(), banners: map[screenID]string{}, help: h, cancel: cancel}
	m.screens = [numScreens]screen{
		connectScreen:     newConnect(c),
		loginScreen:       newLogin(c),
		sessionKeyScreen:  newSessionKey(c),
		permissionsScreen: newPermissionsScreen(c),
		grantScreen:       newGrant(c),
		sendScreen:        newSend(c),
		activityScreen:    newActivity(c),
	}
	m.active = connectScreen
	if configComplete(cfg) {
		m.active = loginScreen
	}
	return m
}

// configComplete: the console may connect without asking (sandbox, or live
// with both credentials).
func configComplete(cfg flows.Config) bool {
	if cfg.Mode != flows.ModeLive {
		return true
	}
	return cfg.ClientID != "" && cfg.SecretKey != ""
}

// Close stops watchers, requests and the embedded sandbox. Safe to call twice.
func (m *Model) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	m.cancel()
	if a, ok := m.screens[activityScreen].(*activity); ok {
		a.stopAll()
	}
	return m.conn.Close()
}

// --- connection ---

// connectMsg asks the root to (re)connect with cfg (from the connect screen).
type connectMsg struct{ cfg flows.Config }

// connectedMsg is the result of connecting.
type connectedMsg struct {
	gen  int
	cfg  flows.Config
	conn *flows.Conn
	info *apiclient.SandboxInfo
	err  error
}

func (m *Model) connectCmd(cfg flows.Config) tea.Cmd {
	m.connGen++
	gen := m.connGen
	ctx := m.c.ctx
	start := m.opts.StartSandbox
	lg := m.c.log
	now := m.c.now
	m.c.sess.sbReady, m.c.sess.sbErr = false, nil
	m.c.begin()
	return func() tea.Msg {
		conn, err := flows.Connect(ctx, cfg, start, apiclient.WithOnExchange(func(e apiclient.Exchange) {
			lg.add(e)
			log.Printf("http %s %s %s → %d in %s", e.Tag, e.Method, e.Path(), e.Status, e.Duration.Round(time.Millisecond))
		}))
		if err != nil {
			return connectedMsg{gen: gen, cfg: cfg, err: err}
		}
		conn.Runner.Now = now
		var info *apiclient.SandboxInfo
		if conn.Sandbox != nil {
			info, _ = conn.SandboxInfo(ctx)
		}
		return connectedMsg{gen: gen, cfg: conn.Config, conn: conn, info: info}
	}
}

func (m *Model) onConnected(msg connectedMsg) tea.Cmd {
	m.c.end()
	if msg.gen != m.connGen {
		msg.conn.Close() // superseded
		return nil
	}
	if msg.err != nil {
		m.c.sess.sbErr = msg.err
		log.Printf("connect: %v", msg.err)
		owner := m.active
		if owner != connectScreen {
			owner = loginScreen
		}
		return errCmd(owner, fmt.Errorf("connecting: %w", msg.err))
	}
	if m.conn != nil && m.conn != msg.conn {
		m.conn.Close()
	}
	m.conn = msg.conn
	m.c.client = msg.conn.Client
	m.c.runner = msg.conn.Runner
	if msg.cfg.ChainID != 0 {
		m.c.runner.ChainID = msg.cfg.ChainID
	}
	m.c.sess.sandbox = msg.info
	m.c.sess.sbReady = true
	m.c.sess.connDone = true
	delete(m.banners, loginScreen)
	delete(m.banners, connectScreen)
	log.Printf("connected: %s", msg.cfg.String())
	return m.broadcast(readyMsg{})
}

// onConnect handles the connect screen's submit: same settings as the
// running connection → just go on; otherwise reconnect and start over.
func (m *Model) onConnect(cfg flows.Config) tea.Cmd {
	old := m.c.cfg
	same := m.conn != nil && old.Mode == cfg.Mode && old.ChainID == cfg.ChainID &&
		(cfg.Mode != flows.ModeLive || (old.APIURL == cfg.APIURL && old.ClientID == cfg.ClientID && old.SecretKey == cfg.SecretKey)) &&
		(cfg.Mode == flows.ModeLive || ((cfg.ClientID == "" || cfg.ClientID == m.conn.Config.ClientID) && (cfg.SecretKey == "" || cfg.SecretKey == m.conn.Config.SecretKey)))
	if same {
		return m.goTo(loginScreen)
	}
	m.c.cfg = cfg
	m.c.runner, m.c.client = nil, nil
	m.c.sess = session{}
	for _, id := range []screenID{loginScreen, sessionKeyScreen, grantScreen, sendScreen} {
		delete(m.banners, id)
	}
	m.screens[loginScreen] = newLogin(m.c)
	m.screens[sessionKeyScreen] = newSessionKey(m.c)
	m.screens[grantScreen] = newGrant(m.c)
	m.screens[sendScreen] = newSend(m.c)
	m.lastGeo = geometry{}
	return tea.Batch(m.connectCmd(cfg), m.goTo(loginScreen))
}

// --- tea.Model ---

// Init starts connecting (the sandbox starts in the background) and opens
// the first screen. It needs no window size.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if configComplete(m.c.cfg) {
		cmds = append(cmds, m.connectCmd(m.c.cfg))
	}
	cmds = append(cmds, m.screens[m.active].Init())
	return m.withSpinner(tea.Batch(cmds...))
}

// advanceMsg moves on from a step only if the user is still on it.
type advanceMsg struct{ from, to screenID }

func advanceCmd(from, to screenID) tea.Cmd {
	return func() tea.Msg { return advanceMsg{from, to} }
}

// copyDoneMsg reports how a copy went.
type copyDoneMsg struct{ text string }

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.layout()
	return m, m.withSpinner(cmd)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		return nil
	case tea.KeyMsg:
		return m.onKey(msg)
	case spinner.TickMsg:
		if !m.c.spinning() {
			m.spinOn = false
			return nil
		}
		var cmd tea.Cmd
		m.c.spin, cmd = m.c.spin.Update(msg)
		return cmd
	case connectMsg:
		return m.onConnect(msg.cfg)
	case connectedMsg:
		return m.onConnected(msg)
	case goToMsg:
		return m.goTo(msg.to)
	case advanceMsg:
		if m.active == msg.from {
			return m.goTo(msg.to)
		}
		return nil
	case copyDoneMsg:
		m.status = msg.text
		return nil
	case errMsg:
		text := errorText(msg.err)
		m.banners[msg.owner] = text
		log.Printf("error on %s: %s", msg.owner, text)
		return nil
	case clearErrMsg:
		delete(m.banners, msg.owner)
		return nil
	case statusMsg:
		m.status = msg.text
		return nil
	case grantRequestedMsg:
		delete(m.banners, grantScreen)
		return tea.Batch(m.goTo(grantScreen), m.screens[grantScreen].Update(msg))
	case ownedMsg:
		return m.screens[msg.ownerScreen()].Update(msg)
	case broadcastMsg:
		return m.broadcast(msg)
	}
	return m.screens[m.active].Update(msg)
}

func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.screens))
	for _, s := range m.screens {
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...)
}

// withSpinner starts the spinner's tick chain when something is pending;
// the chain stops by itself when nothing is (see spinner.TickMsg).
func (m *Model) withSpinner(cmd tea.Cmd) tea.Cmd {
	if m.spinOn || !m.c.spinning() {
		return cmd
	}
	m.spinOn = true
	return tea.Batch(cmd, m.c.spin.Tick)
}

func (m *Model) goTo(to screenID) tea.Cmd {
	if to == m.active {
		return nil
	}
	if to == activityScreen {
		m.prev = m.active
	}
	log.Printf("screen %s → %s", m.active, to)
	m.active = to
	m.status = ""
	m.lastGeo = geometry{}
	m.layout()
	return m.screens[to].Init()
}

func (m *Model) back() tea.Cmd {
	switch {
	case m.active == activityScreen:
		return m.goTo(m.prev)
	case m.active > connectScreen:
		return m.goTo(m.active - 1)
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.Close()
	return tea.Quit
}

func (m *Model) onKey(k tea.KeyMsg) tea.Cmd {
	if key.Matches(k, m.keys.ForceQ) {
		return m.quit()
	}
	if m.confirm {
		m.confirm = false
		if k.String() == "y" || k.String() == "Y" {
			return m.quit()
		}
		m.status = "quit cancelled"
		return nil
	}
	scr := m.screens[m.active]
	m.setKeyStates()
	banner := m.banners[m.active] != ""
	switch {
	case key.Matches(k, m.keys.Help):
		m.help.ShowAll = !m.help.ShowAll
		return nil
	case key.Matches(k, m.keys.Quit):
		if n := m.c.txs.pending(); n > 0 {
			m.confirm = true
			m.status = fmt.Sprintf("%d transaction(s) still pending. Quit anyway? (y/N)", n)
			return nil
		}
		return m.quit()
	case key.Matches(k, m.keys.Copy):
		if cp, ok := scr.(copier); ok {
			if label, value, ok := cp.copyTarget(); ok {
				return m.copy(label, value, onScreen)
			}
		}
		m.status = "nothing to copy here"
		return nil
	case key.Matches(k, m.keys.Curl):
		return m.copyCurl()
	case key.Matches(k, m.keys.Inspect):
		m.inspect = !m.inspect
		return nil
	case key.Matches(k, m.keys.Activity):
		return m.goTo(activityScreen)
	case banner && (key.Matches(k, m.keys.Retry) || k.String() == "ctrl+r"):
		delete(m.banners, m.active)
		m.status = "retrying…"
		if m.c.sess.sbErr != nil && m.c.runner == nil && (m.active == loginScreen || m.active == connectScreen) {
			return m.connectCmd(m.c.cfg) // the connection failed: connect again
		}
		return scr.Update(retryMsg{})
	case k.Type == tea.KeyEsc:
		if ec, ok := scr.(escConsumer); ok && ec.consumesEsc() {
			return scr.Update(k)
		}
		return m.back()
	}
	return scr.Update(k)
}

// setKeyStates disables letter shortcuts while a field has focus, so they
// type letters and leave the footer (docs/architecture.md, Conventions).
func (m *Model) setKeyStates() {
	typing := m.screens[m.active].Capturing()
	for _, b := range m.keys.letters() {
		b.SetEnabled(!typing)
	}
	m.keys.Retry.SetEnabled(!typing && m.banners[m.active] != "")
	_, isReq := m.screens[m.active].(requester)
	if isReq && !typing {
		m.keys.Curl.SetEnabled(true)
		m.keys.Inspect.SetEnabled(true)
	} else {
		m.keys.Curl.SetEnabled(false)
		m.keys.Inspect.SetEnabled(!typing)
	}
	m.keys.Activity.SetEnabled(!typing && m.active != activityScreen)
	ec, ok := m.screens[m.active].(escConsumer)
	m.keys.Back.SetEnabled(!(ok && ec.consumesEsc()))
}

// copy puts value on the clipboard, or sends it to the terminal with OSC 52
// when no clipboard is available; the status line says which. OSC 52 is
// never acknowledged, so the message also says where the value can be seen
// (seen: "it is also on screen" for what `c` copies).
func (m *Model) copy(label, value, seen string) tea.Cmd {
	clip, out := m.opts.Clipboard, m.opts.Output
	return func() tea.Msg {
		if err := clip(value); err == nil {
			return copyDoneMsg{"✓ copied " + label + " to the clipboard"}
		}
		termenv.NewOutput(out).Copy(value)
		return copyDoneMsg{"→ " + label + " sent to the terminal (OSC 52; no clipboard here) — " + seen}
	}
}

const onScreen = "it is also on screen"

// exchangeSource: a screen that knows exactly which exchange `x` and `i`
// are about (the activity screen: the request that made the selected tx).
type exchangeSource interface {
	exchange() (apiclient.Exchange, bool)
}

// exchangeOf is the exchange `x` and `i` show for a screen.
func (m *Model) exchangeOf(r requester) (apiclient.Exchange, bool) {
	if src, ok := r.(exchangeSource); ok {
		return src.exchange()
	}
	return m.c.log.last(r.exchangeTag())
}

func (m *Model) copyCurl() tea.Cmd {
	r, ok := m.screens[m.active].(requester)
	if !ok {
		m.status = "no request on this step"
		return nil
	}
	e, ok := m.exchangeOf(r)
	if !ok {
		m.status = "no request made on this step yet"
		return nil
	}
	label := "request as curl (secrets masked)"
	if m.c.reveal {
		label = "request as curl (secrets REVEALED)"
	}
	return m.copy(label, e.Curl(m.c.reveal), "i shows it")
}

// --- layout ---

const summaryWidth = 48

type geometry struct {
	w, h         int
	headerH      int
	bannerH      int
	footerH      int
	bodyH        int
	summaryW     int // 0 = no summary column
	summaryTop   int // lines of the stacked summary (narrow), 0 = none
	screenW      int
	inspectW     int // 0 = no inspector column
	inspectAlone bool
	active       screenID
}

func (m *Model) geometry() geometry {
	w, h := m.c.width, m.c.height
	if w <= 0 {
		w = 100
	}
	if h <= 0 {
		h = 30
	}
	g := geometry{w: w, h: h, headerH: 1, active: m.active}
	if b := m.banners[m.active]; b != "" {
		g.bannerH = lipgloss.Height(m.bannerView(w))
	}
	m.help.Width = w
	g.footerH = 1 + lipgloss.Height(m.help.View(m.keyMap()))
	g.bodyH = max(h-g.headerH-g.bannerH-g.footerH, 1)
	g.screenW = w
	switch {
	case m.inspect && w >= 110:
		g.inspectW = w / 2
		g.screenW = w - g.inspectW - 1
	case m.inspect:
		g.inspectAlone = true
	case w >= 110:
		g.summaryW = summaryWidth
		g.screenW = w - summaryWidth - 1
	case h >= 28:
		g.summaryTop = len(m.summaryCompact(w))
		if g.summaryTop > 0 {
			g.summaryTop++ // blank line after it
		}
	}
	return g
}

func (m *Model) layout() {
	g := m.geometry()
	if g == m.lastGeo {
		return
	}
	m.lastGeo = g
	sh := max(g.bodyH-g.summaryTop, 1)
	for _, s := range m.screens {
		s.SetSize(g.screenW, sh)
	}
}

// keyMap is the footer's help: the active screen's bindings, then globals.
type keyMap struct {
	scr screen
	g   *globalKeys
}

func (k keyMap) ShortHelp() []key.Binding {
	b := append([]key.Binding{}, k.scr.ShortHelp()...)
	return append(b, k.g.Copy, k.g.Retry, k.g.Back, k.g.Help, k.g.Quit)
}

func (k keyMap) FullHelp() [][]key.Binding {
	groups := append([][]key.Binding{}, k.scr.FullHelp()...)
	return append(groups,
		[]key.Binding{k.g.Copy, k.g.Curl, k.g.Inspect, k.g.Activity},
		[]key.Binding{k.g.Retry, k.g.Back, k.g.Help, k.g.Quit, k.g.ForceQ})
}

func (m *Model) keyMap() help.KeyMap {
	m.setKeyStates()
	return keyMap{m.screens[m.active], &m.keys}
}

// --- View ---

func (m *Model) View() string {
	if m.closed {
		return ""
	}
	g := m.geometry()
	if g != m.lastGeo {
		m.layout()
	}
	st := m.c.st
	parts := []string{m.headerView(g.w)}
	if g.bannerH > 0 {
		parts = append(parts, m.bannerView(g.w))
	}
	body := m.bodyView(g)
	parts = append(parts, fitBlock(body, g.w, g.bodyH))
	status := m.status
	if status == "" && m.c.reveal {
		status = "--reveal: curl export and inspector show secrets"
	}
	parts = append(parts, fitBlock(st.Status.Render(status), g.w, 1))
	parts = append(parts, m.help.View(m.keyMap()))
	return fitBlock(strings.Join(parts, "\n"), g.w, g.h)
}

func (m *Model) bodyView(g geometry) string {
	scr := m.screens[m.active]
	sh := max(g.bodyH-g.summaryTop, 1)
	main := fitBlock(scr.View(), g.screenW, sh)
	switch {
	case g.inspectAlone:
		return m.inspectorView(g.w, g.bodyH)
	case g.inspectW > 0:
		return lipgloss.JoinHorizontal(lipgloss.Top, padBlock(main, g.screenW, g.bodyH), " ", m.inspectorView(g.inspectW, g.bodyH))
	case g.summaryW > 0:
		sum := fitBlock(m.summaryView(g.summaryW-2), g.summaryW-1, g.bodyH)
		sep := strings.TrimSuffix(strings.Repeat(m.c.st.Subtle.Render("│")+"\n", g.bodyH), "\n")
		return lipgloss.JoinHorizontal(lipgloss.Top, padBlock(sum, g.summaryW-1, g.bodyH), sep, " ", main)
	case g.summaryTop > 0:
		return strings.Join(m.summaryCompact(g.w), "\n") + "\n\n" + main
	}
	return main
}

func (m *Model) bannerView(w int) string {
	b := m.banners[m.active]
	if b == "" {
		return ""
	}
	hint := "r: retry"
	if m.screens[m.active].Capturing() {
		hint = "ctrl+r: retry"
	}
	text := "✗ " + b + " · " + hint
	inner := max(w-2, 10)
	lines := strings.Split(ansi.Wrap(text, inner, " "), "\n")
	if len(lines) > 3 {
		lines = append(lines[:2], ansi.Truncate(lines[2], inner-1, "")+"…")
	}
	for i, l := range lines {
		lines[i] = m.c.st.ErrorBanner.Render(pad(l, inner))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) headerView(w int) string {
	st := m.c.st
	sess := m.c.sess
	cfg := m.c.cfg
	mode := "sandbox"
	switch {
	case cfg.Mode == flows.ModeLive:
		mode = "live"
		if sess.sbReady && m.c.client != nil {
			mode += " " + hostOf(m.c.client.BaseURL)
		}
	case sess.sbErr != nil:
		mode += " ✗ failed"
	case sess.sbReady:
		mode += " ✓ ready"
	case m.conn == nil && m.c.busy > 0:
		mode += " " + m.c.spin.View() + " starting…"
	default:
		mode += " (not connected)"
	}
	chain := fmt.Sprintf("chain %d", m.c.chainID())
	user, keyAddr := "—", "—"
	if sess.login.Address != "" {
		user = apiclient.Checksum(sess.login.Address)
	}
	if sess.key.Address != "" {
		keyAddr = apiclient.Checksum(sess.key.Address)
	}
	build := func(short bool) string {
		u, k := user, keyAddr
		if short {
			u, k = apiclient.ShortHex(u), apiclient.ShortHex(k)
		}
		return " walletconsole │ " + mode + " │ " + chain + " │ user " + u + " │ key " + k + " "
	}
	s := build(false)
	for _, try := range []func() string{
		func() string { return strings.Replace(build(false), " walletconsole │", "", 1) },
		func() string { return build(true) },
		func() string { return strings.Replace(build(true), " walletconsole │", "", 1) },
		func() string {
			// narrowest: "sandbox ✓ │ 84532 │ user 0x12…abcd │ key 0x56…ef01"
			mode = strings.Replace(mode, " ready", "", 1)
			mode = strings.Replace(mode, " starting…", "", 1)
			chain = fmt.Sprint(m.c.chainID())
			return strings.Replace(build(true), " walletconsole │", "", 1)
		},
	} {
		if lipgloss.Width(s) <= w {
			break
		}
		s = try()
	}
	return st.Header.Render(pad(s, w))
}

func hostOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		u = u[:i]
	}
	return u
}

func (m *Model) inspectorView(w, h int) string {
	st := m.c.st
	inner := max(w-4, 10)
	var lines []string
	title := "Inspector"
	r, ok := m.screens[m.active].(requester)
	var ex apiclient.Exchange
	var have bool
	if ok {
		ex, have = m.exchangeOf(r)
		if have && ex.Tag != "" {
			title += " · " + ex.Tag
		}
	}
	lines = append(lines, st.Title.Render(title))
	if !have {
		lines = append(lines, st.Subtle.Render("No request on this step yet."))
	} else {
		lines = append(lines, exchangeLines(m.c, ex, inner)...)
		curl := "as curl (secrets masked; x copies it)"
		if m.c.reveal {
			curl = "as curl (secrets REVEALED; x copies it)"
		}
		lines = append(lines, "", st.Label.Render(curl))
		lines = append(lines, codeLines(st.Code, []byte(ex.CurlMultiline(m.c.reveal)))...)
	}
	lines = append(lines, st.Subtle.Render("i: close"))
	body := fitBlock(strings.Join(clampLines(lines, inner), "\n"), inner, max(h-2, 1))
	return st.ActiveBox.Width(w - 2).Render(body)
}

// fitBlock cuts s to at most h lines of at most w cells.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	return strings.Join(lines, "\n")
}

// padBlock makes s exactly w wide and h high (for side-by-side joins).
func padBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		if d := w - lipgloss.Width(l); d > 0 {
			lines[i] = l + strings.Repeat(" ", d)
		}
	}
	return strings.Join(lines, "\n")
}
