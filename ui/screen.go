package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
	"walletconsole/theme"
)

// screen is one step of the console. The root (app.go) sizes every screen,
// routes messages to the active one and owns the header, footer, banners,
// status line and global keys. Screens ask (goToMsg, copyMsg, errMsg…), the
// root acts.
type screen interface {
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd // mutates in place
	View() string
	SetSize(w, h int)
	help.KeyMap
	Capturing() bool // a text field has focus: letter shortcuts off
}

// screenID names the screens; the order is the walkthrough's.
type screenID int

const (
	connectScreen screenID = iota
	loginScreen
	sessionKeyScreen
	permissionsScreen
	grantScreen
	sendScreen
	activityScreen
	numScreens
)

var screenNames = [...]string{"Connect", "Guest login", "Session key", "Permissions", "Grant", "Send", "Activity"}

func (id screenID) String() string {
	if id >= 0 && int(id) < len(screenNames) {
		return screenNames[id]
	}
	return fmt.Sprintf("screen(%d)", int(id))
}

// --- Messages screens emit for the root ---

// goToMsg opens another screen (its Init runs).
type goToMsg struct{ to screenID }

// errMsg puts an error banner on the owner screen. `r` on that screen sends
// it a retryMsg; nothing typed is lost.
type errMsg struct {
	owner screenID
	err   error
}

// retryMsg is sent by the root to the screen whose banner the user retried.
type retryMsg struct{}

// clearErrMsg removes the owner's banner (e.g. after a success).
type clearErrMsg struct{ owner screenID }

// statusMsg shows a transient line in the footer.
type statusMsg struct{ text string }

// grantRequestedMsg is what the permissions screen emits on ctrl+s: the
// grant screen sends it and the root opens the grant screen.
type grantRequestedMsg struct{ in flows.GrantInput }

// goToCmd, errCmd, statusCmd wrap the messages above.
func goToCmd(to screenID) tea.Cmd { return func() tea.Msg { return goToMsg{to} } }
func errCmd(owner screenID, err error) tea.Cmd {
	return func() tea.Msg { return errMsg{owner, err} }
}
func statusCmd(text string) tea.Cmd { return func() tea.Msg { return statusMsg{text} } }

// --- State shared with every screen ---

// session is what the walkthrough has produced so far. Each screen writes
// its own step's result (in Update, never in a command); all read it.
type session struct {
	login    flows.Login
	key      flows.SessionKey
	grant    flows.Grant
	grantOK  bool // grant confirmed
	sandbox  *apiclient.SandboxInfo
	sbReady  bool  // sandbox (or live API) usable
	sbErr    error // sandbox failed to start
	sendIDs  []string
	connDone bool
}

// common is handed to every screen: styles, config, runner, clock.
type common struct {
	th     theme.Theme
	st     theme.Styles
	cfg    flows.Config
	runner *flows.Runner // nil until connected; replaced on reconnect
	client *apiclient.Client
	ctx    context.Context // cancelled when the program ends
	now    func() time.Time
	reveal bool
	log    *exchangeLog
	txs    *txStore // every transaction of the run (the activity screen watches them)
	spin   spinner.Model
	busy   int // requests in flight (spinner runs while busy > 0 or a tx is pending)
	sess   session
	width  int // whole terminal
	height int
}

// begin/end count requests in flight, for the spinner.
func (c *common) begin() { c.busy++ }
func (c *common) end() {
	if c.busy > 0 {
		c.busy--
	}
}

// spinning reports whether anything is pending.
func (c *common) spinning() bool { return c.busy > 0 || c.txs.pending() > 0 }

// spinner renders the current spinner frame.
func (c *common) spinner() string { return c.st.Pending.Render(c.spin.View()) }

// ownedMsg is a result for one screen; the root delivers it to that screen
// whichever screen is active (late replies still find their owner).
type ownedMsg interface{ ownerScreen() screenID }

// broadcastMsg goes to every screen.
type broadcastMsg interface{ broadcast() }

// readyMsg is broadcast when the API is usable (sandbox started or live
// client built): screens waiting for it may start their request.
type readyMsg struct{}

func (readyMsg) broadcast()   {}
func (txFinalMsg) broadcast() {}

func (watchTxMsg) ownerScreen() screenID  { return activityScreen }
func (txPollMsg) ownerScreen() screenID   { return activityScreen }
func (txStatusMsg) ownerScreen() screenID { return activityScreen }

// chainID is the chain every call uses.
func (c *common) chainID() uint64 {
	if c.runner != nil && c.runner.ChainID != 0 {
		return c.runner.ChainID
	}
	return c.cfg.ChainID
}

// hex shortens long hex when the area is narrow.
func (c *common) hex(s string, width int) string {
	if width >= len(s)+2 {
		return s
	}
	return apiclient.ShortHex(s)
}

// exchangeLog keeps every HTTP exchange of the run; the apiclient hook
// writes it from command goroutines, Update and View read it.
type exchangeLog struct {
	mu  sync.Mutex
	all []apiclient.Exchange
}

func (l *exchangeLog) add(e apiclient.Exchange) {
	l.mu.Lock()
	l.all = append(l.all, e)
	l.mu.Unlock()
}

// last returns the newest exchange with the tag ("" = any).
func (l *exchangeLog) last(tag string) (apiclient.Exchange, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.all) - 1; i >= 0; i-- {
		if tag == "" || l.all[i].Tag == tag {
			return l.all[i], true
		}
	}
	return apiclient.Exchange{}, false
}

// find returns the newest exchange whose request or response mentions s
// (a transaction ID), preferring writes over polls.
func (l *exchangeLog) find(tag, s string) (apiclient.Exchange, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.all) - 1; i >= 0; i-- {
		e := l.all[i]
		if (tag == "" || e.Tag == tag) && strings.Contains(string(e.ResponseBody), s) {
			return e, true
		}
	}
	return apiclient.Exchange{}, false
}

func (l *exchangeLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.all)
}

// Optional interfaces a screen may implement; the root checks for them.

// requester: the screen's step made requests tagged with exchangeTag()
// (apiclient.WithTag): `x` copies the newest as curl, `i` shows it in the
// inspector. Tags: "login", "session-key", "grant", "send", "watch".
type requester interface {
	exchangeTag() string
}

// copier: `c` copies what the screen has highlighted (address, ID, hash).
// ok=false: nothing to copy (the root says so on the status line).
type copier interface {
	copyTarget() (label, value string, ok bool)
}

// escConsumer: while consumesEsc() is true the root hands esc to the screen
// (e.g. to close a nested editor) instead of going back a step.
type escConsumer interface {
	consumesEsc() bool
}

// Constructors (one per screen file). The permissions screen (owned by the
// ui-permissions helper) provides:
//
//	func newPermissionsScreen(c *common) screen
//
// It reads c.sess.key.Address and c.chainID() for its JSON preview
// (flows.BuildGrantRequest), uses c.st for styles and c.now for expiry, and
// on ctrl+s emits grantRequestedMsg{in}. The root then opens the grant
// screen, which sends it; an API error shows there, esc returns to the form
// with everything kept.

// errorText is the banner text for an error: API status, code and message.
func errorText(err error) string {
	var ae *apiclient.APIError
	if errors.As(err, &ae) {
		// keep the context a wrapper added ("connecting: …")
		s := strings.TrimSuffix(err.Error(), ae.Error())
		s += fmt.Sprintf("API %d", ae.Status)
		if ae.Code != "" {
			s += " " + ae.Code
		}
		if ae.Message != "" {
			s += ": " + ae.Message
		}
		if ae.Method != "" {
			s += " (" + ae.Method + " " + ae.Path + ")"
		}
		return s
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	return err.Error()
}
