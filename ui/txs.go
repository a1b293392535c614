package ui

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// txRow is one transaction of this run, as the console last saw it.
type txRow struct {
	id       string
	kind     string // grant | send | call
	tx       apiclient.Transaction
	started  time.Time // when the write returned its ID
	ended    time.Time // when a final state was seen (zero while pending)
	pollErr  string    // last polling error, "" when the last poll worked
	unknown  bool      // the API answered 404 for the ID (and nothing since)
	stopped  bool      // the watch gave up (r on the owner step watches again)
	nextPoll time.Time // when the next poll goes after a failure (zero: none due)
}

// statusText is the status word shown: the API's, or UNKNOWN while the API
// answers 404 for the ID.
func (r *txRow) statusText() string {
	if r.unknown && !r.final() {
		return "UNKNOWN"
	}
	return string(r.status())
}

// failedIn is the block a FAILED transaction was mined (and reverted) in,
// "" when it failed before reaching the chain or the API does not say.
func (r *txRow) failedIn() string {
	if r.tx.Status != apiclient.StatusFailed {
		return ""
	}
	return apiclient.Printable(r.tx.Block())
}

func (r *txRow) status() apiclient.TxStatus {
	if r.tx.Status == "" {
		return apiclient.StatusQueued
	}
	return r.tx.Status
}

func (r *txRow) final() bool { return r.tx.Final() }

// elapsed is the time from submission to the final state (or to now).
func (r *txRow) elapsed(now time.Time) time.Duration {
	end := r.ended
	if end.IsZero() {
		end = now
	}
	if end.Before(r.started) {
		return 0
	}
	return end.Sub(r.started)
}

// txStore holds every transaction of the run in submission order.
type txStore struct {
	rows []*txRow
	byID map[string]*txRow
}

func newTxStore() *txStore { return &txStore{byID: map[string]*txRow{}} }

func (s *txStore) get(id string) *txRow { return s.byID[id] }

func (s *txStore) add(id, kind string, now time.Time) *txRow {
	if r, ok := s.byID[id]; ok {
		return r
	}
	r := &txRow{id: id, kind: kind, started: now, tx: apiclient.Transaction{ID: id, Status: apiclient.StatusQueued}}
	s.rows = append(s.rows, r)
	s.byID[id] = r
	return r
}

func (s *txStore) pending() int {
	n := 0
	for _, r := range s.rows {
		if !r.final() {
			n++
		}
	}
	return n
}

// --- watching: one cancellable tick chain per transaction (docs/architecture.md, Conventions) ---

// watchTxMsg asks the activity screen to record and watch a transaction.
type watchTxMsg struct{ id, kind string }

// txPollMsg is the tick that starts the next poll of a watch.
type txPollMsg struct {
	id  string
	gen int
}

// txStatusMsg is the result of one poll.
type txStatusMsg struct {
	id  string
	gen int
	tx  apiclient.Transaction
	err error
}

// txFinalMsg is broadcast to every screen when a transaction reaches a
// final state.
type txFinalMsg struct {
	id string
	tx apiclient.Transaction
}

// watchFailedMsg goes to the screen that made the transaction (grant or
// send): its banner offers r, which watches again.
type watchFailedMsg struct {
	id, kind string
	err      error
}

func (m watchFailedMsg) ownerScreen() screenID {
	if m.kind == "grant" {
		return grantScreen
	}
	return sendScreen
}

// explorerTxURL is the explorer page of a transaction, only on a real
// chain: live mode, and the API did not announce itself as a sandbox
// (/v1/sandbox/info) — a sandbox's chain 84532 is not Base Sepolia.
func (c *common) explorerTxURL(hash string) string {
	if c.cfg.Mode != flows.ModeLive || c.sess.sandbox != nil || !c.sess.sbReady {
		return ""
	}
	return explorerTxURL(c.chainID(), hash)
}

// explorerTxURL is a block explorer page for a transaction on a known
// public chain ("" otherwise). Printed as plain text: lipgloss v1 miscounts
// OSC 8 links.
func explorerTxURL(chainID uint64, hash string) string {
	base := map[uint64]string{
		1:        "https://etherscan.io/tx/",
		11155111: "https://sepolia.etherscan.io/tx/",
		8453:     "https://basescan.org/tx/",
		84532:    "https://sepolia.basescan.org/tx/",
		10:       "https://optimistic.etherscan.io/tx/",
		42161:    "https://arbiscan.io/tx/",
		137:      "https://polygonscan.com/tx/",
	}[chainID]
	if base == "" || hash == "" {
		return ""
	}
	return base + hash
}

func watchTxCmd(id, kind string) tea.Cmd {
	return func() tea.Msg { return watchTxMsg{id, kind} }
}

type watch struct {
	gen     int
	attempt int
	fails   int
	ctx     context.Context
	cancel  context.CancelFunc
}

// waitCmd delivers msg after d, or nothing once ctx ends: unlike tea.Tick
// it leaves no goroutine behind when the watch stops or the console quits
// (a Retry-After may be a minute).
func waitCmd(ctx context.Context, d time.Duration, msg tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			return msg
		}
	}
}

func pollTxCmd(ctx context.Context, r *flows.Runner, id string, gen int) tea.Cmd {
	return func() tea.Msg {
		tx, err := r.TxStatus(apiclient.WithTag(ctx, "watch"), id)
		return txStatusMsg{id, gen, tx, err}
	}
}

// fmtElapsed renders a duration as 0.4s, 12s, 3m05s.
func fmtElapsed(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// fmtUntil renders the time left until t: "6d 23h", "59m", "expired".
func fmtUntil(now, t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	d := t.Sub(now)
	if d <= 0 {
		return "expired"
	}
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
