package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

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

// amountShower is a screen that may show amounts w switches to raw base
// units (a dry run's meters, a session's meters): w is offered while it
// does, as while a failure reason of the run has amounts.
type amountShower interface {
	showsAmounts() bool
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
	sessionsScreen // off the walkthrough's path: key s
	numScreens
)

var screenNames = [...]string{"Connect", "Guest login", "Session key", "Permissions", "Grant", "Send", "Activity", "Sessions"}

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
	ctx    context.Context // requests of the steps: esc cancels the ones in flight (a new ctx follows)
	life   context.Context // cancelled when the program ends (watchers, connecting)
	now    func() time.Time
	reveal bool
	rawWei bool // failure reasons with raw base units (w)
	log    *exchangeLog
	txs    *txStore // every transaction of the run (the activity screen watches them)
	spin   spinner.Model
	busy   int // requests in flight (spinner runs while busy > 0 or a tx is pending)
	// busySince is when the oldest request in flight was sent (the status
	// line shows the elapsed time).
	busySince time.Time
	sess      session
	width     int // whole terminal
	height    int
}

// begin/end count requests in flight, for the spinner.
func (c *common) begin() {
	if c.busy == 0 {
		c.busySince = c.now()
	}
	c.busy++
}
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

// lastFor returns the newest exchange whose URL path contains part.
func (l *exchangeLog) lastFor(part string) (apiclient.Exchange, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.all) - 1; i >= 0; i-- {
		if strings.Contains(l.all[i].Path(), part) {
			return l.all[i], true
		}
	}
	return apiclient.Exchange{}, false
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

// errorText is the banner text for an error, in plain language: the API's
// status, code and message, or what happened on the network, naming the
// endpoint; never Go internals ("dial tcp", "context deadline exceeded").
// Server text is made terminal-safe.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	if ae, ok := apiclient.AsAPIError(err); ok {
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
		return apiclient.Printable(s)
	}
	full := err.Error()
	// Network trouble is worded once, by apiclient (NetError), for the
	// console, the CLI and the log alike; the console keeps the context a
	// wrapper added ("connecting: …").
	if ne, ok := apiclient.NetErrorOf(err); ok {
		return apiclient.Printable(wrapperPrefix(err) + ne.Error())
	}
	prefix, endpoint := splitEndpoint(full)
	on := ""
	if endpoint != "" {
		on = " (" + endpoint + ")"
	}
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%sthe API's answer%s is not valid JSON (byte %d): cannot read it", prefix, on, se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%sthe API's answer%s has %s where a %s was expected: cannot read it", prefix, on, te.Value, te.Type)
	}
	return apiclient.Printable(full)
}

// wrapperPrefix is the context wrappers put before a network error
// ("connecting: "), without the transport's own text ("dial tcp …: "):
// everything before the first error of err's chain that is a *NetError or
// comes from the transport.
func wrapperPrefix(err error) string {
	full := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch e.(type) {
		case *apiclient.NetError, *net.OpError, *net.DNSError, *url.Error, *os.SyscallError, syscall.Errno:
			return strings.TrimSuffix(full, e.Error())
		}
		if e == context.Canceled || e == context.DeadlineExceeded || e == io.EOF || e == io.ErrUnexpectedEOF {
			return strings.TrimSuffix(full, e.Error())
		}
	}
	return ""
}

// endpointRe finds the "METHOD /path: " the API client puts before errors.
var endpointRe = regexp.MustCompile(`(GET|POST|PUT|PATCH|DELETE) (/\S*): `)

// splitEndpoint returns the context before the client's "METHOD /path: "
// (e.g. "connecting: ") and the endpoint itself.
func splitEndpoint(s string) (prefix, endpoint string) {
	loc := endpointRe.FindStringSubmatchIndex(s)
	if loc == nil {
		return "", ""
	}
	return apiclient.Printable(s[:loc[0]]), s[loc[2]:loc[3]] + " " + apiclient.Printable(s[loc[4]:loc[5]])
}

// retryable reports whether asking again can help: not after 400, 401,
// 403 or other refusals of the request itself, nor after a local error
// (such as "log in first") that needs another step. Network trouble, 404
// (a just-created ID), 429 and 5xx can.
func retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return err != nil // a cancelled request may be sent again
	}
	if ae, ok := apiclient.AsAPIError(err); ok {
		switch {
		case ae.Status == 404, ae.Status == 408, ae.Status == 429, ae.Status >= 500:
			return true
		}
		return false
	}
	var (
		ne net.Error
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &se), errors.As(err, &te):
		return true // a broken answer may be whole next time
	case errors.As(err, &ne), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, new(retryableError)):
		return true
	}
	return false
}

// retryableError marks a local error whose retry does help (the embedded
// sandbox failed to start, a watch gave up after transient failures).
type retryableError struct{ error }

func (e retryableError) Unwrap() error { return e.error }

// authHint says which credential the API refused and where to set it;
// "" when err is not a 401/403.
func (c *common) authHint(err error) string {
	ae, ok := apiclient.AsAPIError(err)
	if !ok || !apiclient.AuthFailed(err) {
		return ""
	}
	what := fmt.Sprintf("%d", ae.Status)
	switch {
	case ae.Path == "/auth/complete":
		return "the client ID was refused (" + what + "): set it with --" + flows.FlagClientID + ", " + flows.EnvClientID +
			" or clientId in the config file, or on the Connect step" + c.sourceNote(flows.FlagClientID)
	case ae.Path == "/wallets/create-session-key":
		return "the user's token or the client ID was refused (" + what + "): log in again (Guest login, n); if it persists, check the client ID (--" +
			flows.FlagClientID + ", " + flows.EnvClientID + ", clientId in the config file)" + c.sourceNote(flows.FlagClientID)
	}
	return "the secret key was refused or may not do this (" + what + "): set it with " + flows.EnvSecretKey +
		", secretKey in the config file, --" + flows.FlagSecretKey + ", or on the Connect step" + c.sourceNote(flows.FlagSecretKey)
}

// sourceNote says where the current value of a setting came from.
func (c *common) sourceNote(name string) string {
	switch src := c.cfg.Source(name); src {
	case flows.SourceDefault, "":
		return ""
	default:
		return " (the current one came from: " + string(src) + ")"
	}
}

// wrapLines wraps s (plain or styled) to w cells: at spaces when it can,
// inside long words (hashes, hex, URLs) when it must. Every line after the
// first starts with indent. Nothing is cut.
func wrapLines(s string, w int, indent string) []string {
	iw := lipgloss.Width(indent)
	w = max(w, iw+8)
	var out []string
	for n, para := range strings.Split(s, "\n") {
		limit := w - iw
		if n == 0 && lipgloss.Width(para) <= w {
			out = append(out, para) // fits whole on the first line
			continue
		}
		for _, l := range strings.Split(ansi.Wrap(para, limit, "/,"), "\n") {
			if len(out) > 0 {
				l = strings.TrimLeft(l, " ")
			}
			out = append(out, l)
		}
	}
	for i := 1; i < len(out); i++ {
		out[i] = indent + out[i]
	}
	return out
}

// styledWrap wraps plain text, then styles each line on its own (a style
// never spans a line break).
func (c *common) styledWrap(style func(...string) string, text string, w int, indent string) []string {
	ls := wrapLines(text, w, indent)
	for i, l := range ls {
		lead := ""
		if i > 0 {
			lead, l = indent, strings.TrimPrefix(l, indent)
		}
		ls[i] = lead + style(l)
	}
	return ls
}

// WrapText is the wrap helper every screen uses for text that must be
// shown whole (failure reasons, server messages): terminal-safe, wrapped
// to w cells, continuation lines indented.
func (c *common) WrapText(style func(...string) string, text string, w int, indent string) []string {
	return c.styledWrap(style, apiclient.Printable(text), w, indent)
}

// para is a hint, note or status a person must read whole: wrapped to w
// cells in one style (continuation lines keep the first line's indent),
// never cut at the screen's edge.
func (c *common) para(style lipgloss.Style, text string, w int) []string {
	indent := text[:len(text)-len(strings.TrimLeft(text, " "))]
	return c.styledWrap(style.Render, text, w, indent)
}

// paraText is para joined into one block.
func (c *common) paraText(style lipgloss.Style, text string, w int) string {
	return strings.Join(c.para(style, text, w), "\n")
}
