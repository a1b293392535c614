// Package ui is the console: one root model (this file) routing between one
// model per screen (connect.go, login.go, sessionkey.go, permissions.go,
// grant.go, send.go, activity.go). The root owns the header, footer, error
// banners, status line, global keys and the connection; screens own their
// state and ask the root for navigation, copies and banners by message.
package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"
	"sync"
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
	// Simulator judges the Permissions screen's dry runs (main wires the
	// scratch-chain one; nil = the Try panel says dry runs are unavailable).
	Simulator flows.PolicySimulator
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
	retry   map[screenID]bool // the banner's error may go away when asked again (r)
	status  string
	help    help.Model
	helpOn  bool     // ? : the full key list in the body
	hv      scroller // the help's viewport
	hvHead  []string // the help's head line(s), wrapped in Update
	inspect bool
	iv      scroller // the inspector's viewport
	confirm bool     // quit prompt (y/N) while transactions are pending or a request is in flight
	spinOn  bool
	conn    *flows.Conn
	connGen int
	// connecting: a connection (sandbox start, live check) is under way;
	// connCancel stops it (esc).
	connecting bool
	connCancel context.CancelFunc
	cancel     context.CancelFunc // ends the program's lifetime context
	reqCancel  context.CancelFunc // cancels the requests in flight (esc)
	lastGeo    geometry
	closed     bool
	summary    string // ExitSummary, fixed at Close
	conns      *connSet
}

// connSet holds every connection a connect command made, so Close stops
// them all, including one whose result message never arrives (the console
// quit while the sandbox was starting).
type connSet struct {
	mu     sync.Mutex
	closed bool
	all    []*flows.Conn
}

// add records c; false (and c closed) when the console is closing.
func (s *connSet) add(c *flows.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return false
	}
	s.all = append(s.all, c)
	return true
}

// drop closes c and forgets it (superseded or failed connections).
func (s *connSet) drop(c *flows.Conn) {
	if c == nil {
		return
	}
	s.mu.Lock()
	for i, x := range s.all {
		if x == c {
			s.all = append(s.all[:i], s.all[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	c.Close()
}

func (s *connSet) closeAll() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var errs []error
	for _, c := range s.all {
		errs = append(errs, c.Close())
	}
	s.all = nil
	return errors.Join(errs...)
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
	life, cancel := context.WithCancel(parent)
	ctx, reqCancel := context.WithCancel(life)
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
		life:   life,
		now:    opts.Now,
		reveal: opts.Reveal || cfg.Reveal,
		log:    &exchangeLog{},
		txs:    newTxStore(),
		spin:   spinner.New(spinner.WithSpinner(sp)),
	}
	h := help.New()
	h.Styles = c.st.HelpStyles
	m := &Model{c: c, opts: opts, keys: newGlobalKeys(), banners: map[screenID]string{}, retry: map[screenID]bool{},
		help: h, cancel: cancel, reqCancel: reqCancel, hv: newScroller(), iv: newScroller(), conns: &connSet{}}
	m.screens = [numScreens]screen{
		connectScreen:     newConnect(c),
		loginScreen:       newLogin(c),
		sessionKeyScreen:  newSessionKey(c),
		permissionsScreen: newPermissionsScreen(c),
		grantScreen:       newGrant(c),
		sendScreen:        newSend(c),
		activityScreen:    newActivity(c),
		sessionsScreen:    newSessions(c),
	}
	m.screens[permissionsScreen].(*permissionsModel).sim = opts.Simulator
	m.active = connectScreen
	if configComplete(cfg) {
		m.active = loginScreen
	}
	m.syncKeys() // the first frame may come before any Update
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
	m.summary = m.exitSummary()
	m.closed = true
	m.cancel()
	if a, ok := m.screens[activityScreen].(*activity); ok {
		a.stopAll()
	}
	return m.conns.closeAll()
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
	if m.connCancel != nil {
		m.connCancel()
	}
	ctx, cancel := context.WithCancel(m.c.life)
	m.connCancel = cancel
	m.connecting = true
	start := m.opts.StartSandbox
	lg := m.c.log
	now := m.c.now
	conns := m.conns
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
		if !conns.add(conn) {
			return nil // the console is closing
		}
		conn.Runner.Now = now
		// Live: prove the URL answers and takes the secret key before
		// saying "connected"; and ask whether it is a sandbox (no
		// explorer links for a sandbox's chain).
		if cfg.Mode == flows.ModeLive {
			if err := conn.Check(ctx); err != nil {
				conns.drop(conn)
				return connectedMsg{gen: gen, cfg: cfg, err: err}
			}
		}
		info, _ := conn.IsSandbox(ctx) // after the check: an unreachable host is waited for once
		return connectedMsg{gen: gen, cfg: conn.Config, conn: conn, info: info}
	}
}

func (m *Model) onConnected(msg connectedMsg) tea.Cmd {
	m.c.end()
	if msg.gen != m.connGen {
		m.conns.drop(msg.conn) // superseded
		return nil
	}
	m.connecting = false
	if msg.err != nil {
		m.c.sess.sbErr = msg.err
		log.Printf("connect: %v", msg.err)
		owner := m.active
		if owner != connectScreen {
			owner = loginScreen
		}
		err := fmt.Errorf("connecting: %w", msg.err)
		if m.c.cfg.Mode != flows.ModeLive && !errors.Is(msg.err, context.Canceled) {
			err = retryableError{err} // the embedded sandbox may start next time
		}
		return errCmd(owner, err)
	}
	if m.conn != nil && m.conn != msg.conn {
		m.conns.drop(m.conn)
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
	login, key := m.c.sess.login.Address, m.c.sess.key.Address
	cmd := m.update(msg)
	m.forgetStale(login, key)
	m.syncKeys()
	m.layout()
	m.refresh()
	return m, m.withSpinner(cmd)
}

// keySyncer: a screen whose key states (enabled, help text) follow its
// state; the root sets them after every Update so views only read them.
type keySyncer interface{ syncKeys() }

// syncKeys sets every key's enabled state for the next frame and the next
// key: the screens' own, then the root's.
func (m *Model) syncKeys() {
	for _, s := range m.screens {
		if ks, ok := s.(keySyncer); ok {
			ks.syncKeys()
		}
	}
	m.setKeyStates()
}

// forgetStale keeps the steps honest: a new guest (n) clears the session
// key, grant and sends of the previous user; another key clears the grant
// and sends of the previous key. Their transactions stay in Activity (they
// happened), but no step shows them as the current user's.
func (m *Model) forgetStale(login, key string) {
	sess := &m.c.sess
	switch {
	case login != "" && !apiclient.SameAddress(login, sess.login.Address):
		sess.key = flows.SessionKey{}
		m.screens[sessionKeyScreen].Update(keyClearedMsg{})
	case key != "" && !apiclient.SameAddress(key, sess.key.Address):
	default:
		return
	}
	sess.grant, sess.grantOK, sess.sendIDs = flows.Grant{}, false, nil
	for _, id := range []screenID{grantScreen, sendScreen} {
		delete(m.banners, id)
	}
	m.screens[grantScreen] = newGrant(m.c)
	m.screens[sendScreen] = newSend(m.c)
	m.lastGeo = geometry{}
}

// keyClearedMsg tells the session-key screen that the current key was
// forgotten (a new guest logged in).
type keyClearedMsg struct{}

// refresher: a screen whose view content is computed after Update (scroll
// offsets, viewport content), never inside View.
type refresher interface{ refresh() }

// refresh sets the content of the scrolled panes from the current state.
func (m *Model) refresh() {
	g := m.lastGeo
	if r, ok := m.screens[m.active].(refresher); ok {
		r.refresh()
	}
	if m.inspect {
		w, h := g.inspectW, g.bodyH
		if g.inspectAlone {
			w = g.w
		}
		inner := max(w-4, 10)
		m.iv.setSize(inner, max(h-4, 1)) // box borders, title, footer
		m.iv.setLines(m.inspectorLines(inner))
	}
	if m.helpOn {
		m.hv.setLines(m.helpLines(g.w))
		m.hvHead = m.hv.headed(m.c, func(pos string) string {
			if pos == "" {
				return "Help: esc or ? closes"
			}
			return "Help: esc or ? closes · " + pos + " · ↑/↓ pgup/pgdn scroll"
		}, g.w, g.bodyH)
	}
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
		if hint := m.c.authHint(msg.err); hint != "" {
			text = hint + " · " + text
		}
		m.banners[msg.owner] = text
		m.retry[msg.owner] = retryable(msg.err)
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
	if (to == activityScreen || to == sessionsScreen) && m.active != activityScreen && m.active != sessionsScreen {
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
	case m.active == activityScreen || m.active == sessionsScreen:
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

// inFlight counts the step requests waiting for an answer (connecting
// excluded).
func (m *Model) inFlight() int {
	n := m.c.busy
	if m.connecting {
		n--
	}
	return max(n, 0)
}

// cancelRequests cancels every step request in flight; later requests get
// a fresh context. Watchers and typed values are untouched.
func (m *Model) cancelRequests() {
	m.reqCancel()
	m.c.ctx, m.reqCancel = context.WithCancel(m.c.life)
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
	if m.helpOn {
		switch {
		case k.Type == tea.KeyEsc, key.Matches(k, m.keys.Help):
			m.helpOn = false
		case key.Matches(k, m.keys.Quit):
			return m.askQuit()
		default:
			m.hv.scrollKey(k, false)
		}
		return nil
	}
	scr := m.screens[m.active]
	banner := m.banners[m.active] != ""
	if m.inspect && m.iv.scrollKey(k, !m.lastGeo.inspectAlone) {
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Help):
		m.helpOn = true
		m.hv.top()
		return nil
	case key.Matches(k, m.keys.Quit):
		return m.askQuit()
	case key.Matches(k, m.keys.Copy):
		if cp, ok := scr.(copier); ok {
			if label, value, ok := cp.copyTarget(); ok {
				return m.copy(label, value, onScreen)
			}
		}
		m.status = "nothing to copy here"
		return nil
	case key.Matches(k, m.keys.Curl), !scr.Capturing() && slices.Contains(m.keys.Curl.Keys(), k.String()):
		// off in the footer where the step makes no request; pressed
		// anyway, it says so
		return m.copyCurl()
	case key.Matches(k, m.keys.Inspect):
		m.inspect = !m.inspect
		m.iv.top()
		return nil
	case key.Matches(k, m.keys.Activity):
		return m.goTo(activityScreen)
	case key.Matches(k, m.keys.Sessions):
		return m.goTo(sessionsScreen)
	case key.Matches(k, m.keys.RawWei):
		m.c.rawWei = !m.c.rawWei
		if m.c.rawWei {
			m.status = "amounts in raw base units (wei); w for token/ETH units"
		} else {
			m.status = "amounts in token/ETH units; w for raw base units"
		}
		return nil
	case banner && m.retry[m.active] && (key.Matches(k, m.keys.Retry) || k.String() == "ctrl+r"):
		delete(m.banners, m.active)
		m.status = "retrying…"
		if m.c.sess.sbErr != nil && m.c.runner == nil && (m.active == loginScreen || m.active == connectScreen) {
			return m.connectCmd(m.c.cfg) // the connection failed: connect again
		}
		return scr.Update(retryMsg{})
	case k.Type == tea.KeyEsc && m.connecting && m.c.cfg.Mode == flows.ModeLive && m.active == loginScreen:
		m.connCancel()
		m.status = "stopped connecting (esc); r or enter tries again"
		return nil
	case k.Type == tea.KeyEsc && m.inFlight() > 0:
		// The status line says "esc cancels" while waiting: that comes
		// before leaving a field (the field keeps its text either way).
		m.cancelRequests()
		m.status = "stopped waiting (esc); typed text and results stay"
		return nil
	case k.Type == tea.KeyEsc:
		if ec, ok := scr.(escConsumer); ok && ec.consumesEsc() {
			return scr.Update(k)
		}
		return m.back()
	}
	return scr.Update(k)
}

// askQuit quits, or asks first while something would be lost: a
// transaction still pending, or a request sent and not yet answered (a
// ctrl+s just pressed).
func (m *Model) askQuit() tea.Cmd {
	n, req := m.c.txs.pending(), m.inFlight()
	if n == 0 && req == 0 {
		return m.quit()
	}
	m.confirm = true
	var what []string
	if n > 0 {
		what = append(what, fmt.Sprintf("%d transaction(s) still pending", n))
	}
	if req > 0 {
		what = append(what, fmt.Sprintf("%d request(s) not answered yet", req))
	}
	m.status = strings.Join(what, ", ") + ". Quit anyway? (y/N)"
	return nil
}

// setKeyStates disables letter shortcuts while a field has focus, so they
// type letters and leave the footer (docs/architecture.md, Conventions).
func (m *Model) setKeyStates() {
	typing := m.screens[m.active].Capturing()
	for _, b := range m.keys.letters() {
		b.SetEnabled(!typing)
	}
	m.keys.Retry.SetEnabled(!typing && m.banners[m.active] != "" && m.retry[m.active])
	_, isReq := m.screens[m.active].(requester)
	if isReq && !typing {
		m.keys.Curl.SetEnabled(true)
		m.keys.Inspect.SetEnabled(true)
	} else {
		m.keys.Curl.SetEnabled(false)
		m.keys.Inspect.SetEnabled(!typing)
	}
	m.keys.Activity.SetEnabled(!typing && m.active != activityScreen)
	m.keys.Sessions.SetEnabled(!typing && m.active != sessionsScreen)
	as, shows := m.screens[m.active].(amountShower)
	m.keys.RawWei.SetEnabled(!typing && (m.c.anyRawAmounts() || shows && as.showsAmounts()))
	ec, ok := m.screens[m.active].(escConsumer)
	m.keys.Back.SetEnabled(!(ok && ec.consumesEsc()))
}

// anyRawAmounts: some failure reason of the run has amounts w can show raw.
func (c *common) anyRawAmounts() bool {
	for _, r := range c.txs.rows {
		if c.hasRawAmounts(r) {
			return true
		}
	}
	return false
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

// curlOf is the curl command of an exchange: credentials as environment
// references ($THIRDWEB_SECRET_KEY…) so it runs as pasted, or literal with
// --reveal; --fail so an error exits non-zero.
func (m *Model) curlOf(e apiclient.Exchange, multiline bool) string {
	return e.CurlCommand(apiclient.CurlOptions{Reveal: m.c.reveal, Multiline: multiline})
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
	label := "request as curl (credentials from $" + strings.Join(apiclient.CurlEnvNames(e), ", $") + ")"
	if len(apiclient.CurlEnvNames(e)) == 0 {
		label = "request as curl"
	}
	if m.c.reveal {
		label = "request as curl (secrets REVEALED)"
	}
	return m.copy(label, m.curlOf(e, false), "i shows it")
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
		g.bannerH = len(m.bannerLines(w))
	}
	g.footerH = len(m.statusLines(w)) + 1 // status (wrapped whole) + key line
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

// keyMap is the help's view of the keys: the active screen's bindings,
// then the globals.
type keyMap struct {
	scr screen
	g   *globalKeys
}

func (k keyMap) ShortHelp() []key.Binding {
	return append([]key.Binding{}, k.scr.ShortHelp()...)
}

func (k keyMap) FullHelp() [][]key.Binding {
	groups := append([][]key.Binding{}, k.scr.FullHelp()...)
	return append(groups,
		[]key.Binding{k.g.Copy, k.g.Curl, k.g.Inspect, k.g.Activity, k.g.RawWei},
		[]key.Binding{k.g.Retry, k.g.Back, k.g.Help, k.g.Quit, k.g.ForceQ})
}

// keyMap reads the key states Update set (syncKeys); it changes nothing.
func (m *Model) keyMap() keyMap {
	return keyMap{m.screens[m.active], &m.keys}
}

// --- View ---

func (m *Model) View() string {
	if m.closed {
		return ""
	}
	g := m.lastGeo
	if g != m.geometry() {
		g = m.geometry() // before the first Update: same layout, computed here
	}
	parts := []string{m.headerView(g.w)}
	if g.bannerH > 0 {
		parts = append(parts, strings.Join(m.bannerLines(g.w), "\n"))
	}
	var body string
	if m.helpOn {
		body = m.helpView()
	} else {
		body = m.bodyView(g)
	}
	// the body always fills its height: the footer sits at the bottom
	parts = append(parts, padBlock(fitBlock(body, g.w, g.bodyH), 0, g.bodyH))
	parts = append(parts, strings.Join(m.statusLines(g.w), "\n"))
	parts = append(parts, m.footerView(g.w))
	return fitBlock(strings.Join(parts, "\n"), g.w, g.h)
}

// statusLines is the status line wrapped whole: a message is read in full
// at 60 columns too. At most a third of the terminal (the end is on the
// step itself or in the log); always one line, so the footer keeps its place.
func (m *Model) statusLines(w int) []string {
	t := m.statusText()
	if t == "" {
		return []string{""}
	}
	ls := m.c.para(m.c.st.Status, t, w)
	if limit := max(m.c.height/3, 2); len(ls) > limit {
		ls = append(ls[:limit-1], m.c.st.Status.Render(ansi.Truncate(ansi.Strip(ls[limit-1]), w-1, "")+"…"))
	}
	return ls
}

// statusText is the status line: the last message, else what is being
// waited for and for how long (esc cancels), else the --reveal reminder.
func (m *Model) statusText() string {
	if m.status != "" {
		return m.status
	}
	if m.c.busy > 0 && !m.c.busySince.IsZero() {
		what, esc := "waiting for the API", " · esc cancels"
		if m.connecting {
			what = "connecting"
			if m.c.cfg.Mode != flows.ModeLive {
				what, esc = "starting the sandbox", ""
			}
		}
		return fmt.Sprintf("%s %s · %s%s", m.c.spinner(), what, fmtElapsed(m.c.now().Sub(m.c.busySince)), esc)
	}
	if m.c.reveal {
		return "--reveal: curl export and inspector show secrets"
	}
	return ""
}

// footerView is the key line: the screen's keys, then esc, ? and q, which
// are always there (the screen's keys give way when the line is full).
func (m *Model) footerView(w int) string {
	km := m.keyMap()
	var fixed []key.Binding
	if m.helpOn {
		fixed = []key.Binding{keyScrollDown, keyCloseHelp, m.keys.Help, m.keys.Quit}
	} else {
		fixed = []key.Binding{m.keys.Copy, m.keys.Retry, m.keys.Back, m.keys.Help, m.keys.Quit}
		if !m.keys.Back.Enabled() { // the screen's own esc (close a detail, cancel) stays in view
			for _, b := range km.ShortHelp() {
				if b.Enabled() && strings.Contains(b.Help().Key, "esc") {
					fixed[2] = b
				}
			}
		}
	}
	st := m.c.st.HelpStyles
	sep := st.ShortSeparator.Render(" • ")
	item := func(b key.Binding) string {
		return st.ShortKey.Render(b.Help().Key) + " " + st.ShortDesc.Render(b.Help().Desc)
	}
	var tail []string
	for _, b := range fixed {
		if b.Enabled() {
			tail = append(tail, item(b))
		}
	}
	// esc, ? and q first: drop optional globals (c, r) before them
	right := strings.Join(tail, sep)
	for len(tail) > 3 && lipgloss.Width(right) > w {
		tail = tail[1:]
		right = strings.Join(tail, sep)
	}
	if m.helpOn {
		return fitBlock(right, w, 1)
	}
	var left []string
	used := lipgloss.Width(right)
	for _, b := range km.ShortHelp() {
		if !b.Enabled() || (!m.keys.Back.Enabled() && strings.Contains(b.Help().Key, "esc")) {
			continue
		}
		it := item(b)
		if used+lipgloss.Width(it)+lipgloss.Width(sep) > w {
			break
		}
		left = append(left, it)
		used += lipgloss.Width(it) + lipgloss.Width(sep)
	}
	if right != "" {
		left = append(left, right)
	}
	line := strings.Join(left, sep)
	return fitBlock(line, w, 1)
}

// helpLines is the full key list, one "key  what" per line, grouped: the
// current step's keys, then the global ones; esc, ? and q come first.
func (m *Model) helpLines(w int) []string {
	st := m.c.st
	// a description wraps under itself, never cut
	line := func(b key.Binding) []string {
		desc := m.c.styledWrap(st.HelpStyles.FullDesc.Render, b.Help().Desc, max(w-15, 10), "")
		k := b.Help().Key
		if lipgloss.Width(k) > 12 { // a long key gets its own line, whole
			out := []string{"  " + st.HelpStyles.FullKey.Render(k)}
			for _, d := range desc {
				out = append(out, strings.Repeat(" ", 15)+d)
			}
			return out
		}
		out := []string{"  " + st.HelpStyles.FullKey.Render(pad(k, 12)) + " " + desc[0]}
		for _, d := range desc[1:] {
			out = append(out, strings.Repeat(" ", 15)+d)
		}
		return out
	}
	out := m.c.para(st.Title, "Keys · "+m.active.String(), w)
	for _, b := range []key.Binding{m.keys.Back, m.keys.Help, m.keys.Quit, m.keys.ForceQ} {
		out = append(out, line(b)...)
	}
	seen := map[string]bool{"esc": true, "?": true, "q": true, "ctrl+c": true}
	add := func(title string, bs []key.Binding) {
		var ls []string
		for _, b := range bs {
			h := b.Help()
			if !b.Enabled() || h.Key == "" || seen[h.Key+"|"+h.Desc] || seen[h.Key] {
				continue
			}
			seen[h.Key+"|"+h.Desc] = true
			ls = append(ls, line(b)...)
		}
		if len(ls) > 0 {
			out = append(out, "")
			out = append(out, m.c.para(st.Label, title, w)...)
			out = append(out, ls...)
		}
	}
	var scr []key.Binding
	for _, g := range m.screens[m.active].FullHelp() {
		scr = append(scr, g...)
	}
	add("This step", scr)
	add("Everywhere (when no field has focus)", []key.Binding{m.keys.Copy, m.keys.Curl, m.keys.Inspect, m.keys.Activity, m.keys.RawWei, m.keys.Retry})
	if m.inspect {
		add("Inspector", []key.Binding{keyPageUp, keyPageDown})
	}
	return out
}

func (m *Model) helpView() string {
	return strings.Join(append(append([]string{}, m.hvHead...), m.hv.view()), "\n")
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

// bannerLines is the error banner, whole (wrapped; at most a third of the
// terminal, the rest is on the Activity screen and in the log). "r: retry"
// only when asking again can help.
func (m *Model) bannerLines(w int) []string {
	b := m.banners[m.active]
	if b == "" {
		return nil
	}
	text := "✗ " + b
	if m.retry[m.active] {
		hint := "r: retry"
		if m.screens[m.active].Capturing() {
			hint = "ctrl+r: retry"
		}
		text += " · " + hint
	}
	inner := max(w-2, 10)
	lines := wrapLines(text, inner, "  ")
	if limit := max(m.c.height/3, 3); m.c.height > 0 && len(lines) > limit {
		lines = append(lines[:limit-1], ansi.Truncate(lines[limit-1], inner-1, "")+"…")
	}
	for i, l := range lines {
		lines[i] = m.c.st.ErrorBanner.Render(pad(l, inner))
	}
	return lines
}

func (m *Model) headerView(w int) string {
	st := m.c.st
	sess := m.c.sess
	cfg := m.c.cfg
	mode := "sandbox"
	switch {
	case cfg.Mode == flows.ModeLive && sess.sbReady && m.c.client != nil:
		mode = "live " + hostOf(m.c.client.BaseURL)
	case cfg.Mode == flows.ModeLive && m.connecting:
		mode = "live " + m.c.spin.View() + " connecting…"
	case cfg.Mode == flows.ModeLive && sess.sbErr != nil:
		mode = "live ✗ not connected"
	case cfg.Mode == flows.ModeLive:
		mode = "live (not connected)"
	case sess.sbErr != nil:
		mode += " ✗ failed"
	case sess.sbReady:
		mode += " ✓ ready"
	case m.connecting:
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

// inspectorLines is the inspector's content, wrapped to w: the step's
// exchange and the curl command, whole.
func (m *Model) inspectorLines(w int) []string {
	st := m.c.st
	var lines []string
	r, ok := m.screens[m.active].(requester)
	var ex apiclient.Exchange
	var have bool
	if ok {
		ex, have = m.exchangeOf(r)
	}
	if !have {
		return []string{st.Subtle.Render("No request on this step yet.")}
	}
	lines = append(lines, exchangeLines(m.c, ex, w)...)
	curl := "as curl (x copies it; it runs as pasted"
	if names := apiclient.CurlEnvNames(ex); len(names) > 0 && !m.c.reveal {
		curl += " with $" + strings.Join(names, ", $") + " set"
	}
	curl += ")"
	if m.c.reveal {
		curl = "as curl (secrets REVEALED; x copies it)"
	}
	lines = append(lines, "")
	lines = append(lines, m.c.styledWrap(st.Label.Render, curl, w, "")...)
	for _, l := range strings.Split(m.curlOf(ex, true), "\n") {
		lines = append(lines, m.c.styledWrap(st.Code.Render, l, w, "    ")...)
	}
	return lines
}

func (m *Model) inspectorView(w, h int) string {
	st := m.c.st
	inner := max(w-4, 10)
	title := "Inspector"
	if r, ok := m.screens[m.active].(requester); ok {
		if ex, have := m.exchangeOf(r); have && ex.Tag != "" {
			title += " · " + ex.Tag
		}
	}
	foot := "i: close"
	if pos := m.iv.position(); pos != "" {
		keys := "pgup/pgdn"
		if m.lastGeo.inspectAlone {
			keys = "↑/↓ pgup/pgdn"
		}
		foot = pos + " · " + keys + " scroll · " + foot
	}
	body := st.Title.Render(ansi.Truncate(title, inner, "…")) + "\n" + m.iv.view() + "\n" + st.Subtle.Render(ansi.Truncate(foot, inner, "…"))
	return st.ActiveBox.Width(w - 2).Render(fitBlock(body, inner, max(h-2, 1)))
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

// padBlock makes s exactly w wide (0: keep widths) and h high.
func padBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		if d := w - lipgloss.Width(l); w > 0 && d > 0 {
			lines[i] = l + strings.Repeat(" ", d)
		}
	}
	return strings.Join(lines, "\n")
}

// clampLines truncates every line to w cells (single-line summaries only;
// anything a person must read whole is wrapped instead).
func clampLines(ls []string, w int) []string {
	if w <= 0 {
		return ls
	}
	for i, l := range ls {
		if lipgloss.Width(l) > w {
			ls[i] = ansi.Truncate(l, w, "…")
		}
	}
	return ls
}
