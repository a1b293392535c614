package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// activityKeys are the activity screen's bindings.
type activityKeys struct {
	Up, Down, PgUp, PgDn, Top, Bottom, Open, Close key.Binding
}

func newActivityKeys() activityKeys {
	return activityKeys{
		Up:     keyUp,
		Down:   keyDown,
		PgUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PgDn:   key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:    key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom: key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Close:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to list")),
	}
}

// activity lists every transaction of the run and owns their watchers.
// Rows have variable height: a failed or troubled row carries its reason,
// wrapped, never cut. The list scrolls by line, keeping the selected row
// (with its reason) in view; the detail is a viewport.
type activity struct {
	c       *common
	keys    activityKeys
	w, h    int
	sel     int // selected row index
	off     int // first visible list line (set in Update, never in View)
	detail  bool
	dv      scroller
	dvHead  []string // the detail's head line(s), wrapped (set in refresh)
	watches map[string]*watch
	gen     int
}

func newActivity(c *common) *activity {
	return &activity{c: c, keys: newActivityKeys(), watches: map[string]*watch{}, dv: newScroller()}
}

func (s *activity) Init() tea.Cmd { return nil }
func (s *activity) SetSize(w, h int) {
	s.w, s.h = w, h
	s.dv.setSize(w, max(h-1, 1))
	s.refresh()
}
func (s *activity) Capturing() bool     { return false }
func (s *activity) consumesEsc() bool   { return s.detail }
func (s *activity) exchangeTag() string { return flows.TagWatch }

// exchange is the request that created the selected transaction (else its
// latest status poll).
func (s *activity) exchange() (apiclient.Exchange, bool) {
	r := s.selected()
	if r == nil {
		return apiclient.Exchange{}, false
	}
	q := `"` + r.id + `"`
	for _, tag := range []string{flows.TagGrant, flows.TagSend, flows.TagCall} {
		if e, ok := s.c.log.find(tag, q); ok {
			return e, true
		}
	}
	return s.c.log.find(flows.TagWatch, q)
}

func (s *activity) ShortHelp() []key.Binding {
	if s.detail {
		return []key.Binding{keyScrollUp, keyScrollDown, s.keys.Close}
	}
	return []key.Binding{s.keys.Up, s.keys.Down, s.keys.Open}
}

func (s *activity) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.keys.Up, s.keys.Down, s.keys.PgUp, s.keys.PgDn}, {s.keys.Top, s.keys.Bottom, s.keys.Open, s.keys.Close}}
}

func (s *activity) selected() *txRow {
	rows := s.c.txs.rows
	if s.sel < 0 || s.sel >= len(rows) {
		return nil
	}
	return rows[s.sel]
}

func (s *activity) copyTarget() (string, string, bool) {
	r := s.selected()
	if r == nil {
		return "", "", false
	}
	if s.detail && r.tx.Hash() != "" {
		return "transaction hash", r.tx.Hash(), true
	}
	return "transaction ID", r.id, true
}

// listHeight is the number of list lines that fit under the title and the
// column header.
func (s *activity) listHeight() int { return max(s.h-2, 1) }

// refresh recomputes what the views show from the current state: the
// selection's scroll offset and the detail's content. The root calls it
// after every Update (refresher), so View has no side effects.
func (s *activity) refresh() {
	n := len(s.c.txs.rows)
	s.sel = max(min(s.sel, n-1), 0)
	if s.detail && s.selected() == nil {
		s.detail = false
	}
	if s.detail {
		s.dv.setLines(txDetailLines(s.c, s.selected(), s.w))
		s.dvHead = s.dv.headed(s.c, func(pos string) string {
			if pos == "" {
				return "esc: back to the list"
			}
			return "esc: back to the list · " + pos + " · ↑/↓ pgup/pgdn scroll"
		}, s.w, s.h)
		return
	}
	counts := make([]int, n)
	total, selStart := 0, 0
	for i, r := range s.c.txs.rows {
		counts[i] = len(s.rowLines(r, i, false))
		if i == s.sel {
			selStart = total
		}
		total += counts[i]
	}
	if n == 0 {
		s.off = 0
		return
	}
	lh := s.listHeight()
	selEnd := selStart + counts[s.sel]
	if selEnd > s.off+lh {
		s.off = selEnd - lh
	}
	if selStart < s.off {
		s.off = selStart
	}
	s.off = max(min(s.off, total-lh), 0)
}

func (s *activity) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case watchTxMsg:
		return s.startWatch(msg.id, msg.kind)
	case txPollMsg:
		w, ok := s.watches[msg.id]
		if !ok || w.gen != msg.gen || s.c.runner == nil {
			return nil // cancelled or superseded
		}
		return pollTxCmd(w.ctx, s.c.runner, msg.id, msg.gen)
	case txStatusMsg:
		return s.onStatus(msg)
	case tea.KeyMsg:
		return s.onKey(msg)
	}
	return nil
}

func (s *activity) startWatch(id, kind string) tea.Cmd {
	s.c.txs.add(id, kind, s.c.now())
	if old, ok := s.watches[id]; ok {
		old.cancel() // re-watching bumps the generation and cancels the poll in flight
	}
	if s.c.runner == nil {
		return nil
	}
	s.gen++
	ctx, cancel := context.WithCancel(s.c.life)
	s.watches[id] = &watch{gen: s.gen, ctx: ctx, cancel: cancel}
	// Follow the newest transaction unless the user has moved the selection.
	if s.sel >= len(s.c.txs.rows)-2 {
		s.sel = len(s.c.txs.rows) - 1
	}
	return pollTxCmd(ctx, s.c.runner, id, s.gen)
}

// stopAll cancels every watch (quit).
func (s *activity) stopAll() {
	for id, w := range s.watches {
		w.cancel()
		delete(s.watches, id)
	}
}

func (s *activity) onStatus(msg txStatusMsg) tea.Cmd {
	w, ok := s.watches[msg.id]
	if !ok || w.gen != msg.gen {
		return nil
	}
	row := s.c.txs.get(msg.id)
	if row == nil {
		return nil
	}
	if msg.err != nil {
		if w.ctx.Err() != nil {
			return nil // cancelled (quit or re-watch)
		}
		row.pollErr = errorText(msg.err)
		if apiclient.StatusOf(msg.err) == http.StatusNotFound {
			row.unknown = true
		}
		w.fails++
		w.attempt++
		d, giveUp := flows.AfterFailedPoll(w.attempt, w.fails, msg.err)
		if giveUp {
			w.cancel()
			delete(s.watches, msg.id)
			row.nextPoll = time.Time{}
			row.stopped = true
			err := error(fmt.Errorf("stopped watching %s after %d failed poll(s): %w", apiclient.ShortHex(msg.id), w.fails, msg.err))
			if retryable(msg.err) {
				err = retryableError{err}
			}
			return func() tea.Msg { return watchFailedMsg{id: msg.id, kind: row.kind, err: err} }
		}
		row.nextPoll = s.c.now().Add(d)
		return waitCmd(w.ctx, d, txPollMsg{msg.id, msg.gen})
	}
	row.pollErr, row.unknown, row.stopped, row.nextPoll = "", false, false, time.Time{}
	w.fails = 0
	tx := msg.tx
	if tx.ID == "" {
		tx.ID = msg.id
	}
	row.tx = tx
	if tx.Final() {
		log.Printf("tx %s (%s) %s hash=%s block=%s error=%q", msg.id, row.kind, tx.Status, tx.Hash(), tx.Block(), tx.Error())
		row.ended = s.c.now()
		w.cancel()
		delete(s.watches, msg.id)
		return func() tea.Msg { return txFinalMsg{msg.id, tx} }
	}
	w.attempt++
	return waitCmd(w.ctx, flows.PollDelay(w.attempt, 0), txPollMsg{msg.id, msg.gen})
}

func (s *activity) onKey(msg tea.KeyMsg) tea.Cmd {
	n := len(s.c.txs.rows)
	if s.detail {
		if key.Matches(msg, s.keys.Close) {
			s.detail = false
			return nil
		}
		s.dv.scrollKey(msg, false)
		return nil
	}
	switch {
	case key.Matches(msg, s.keys.Up):
		s.sel--
	case key.Matches(msg, s.keys.Down):
		s.sel++
	case key.Matches(msg, s.keys.PgUp):
		s.sel -= s.listHeight()
	case key.Matches(msg, s.keys.PgDn):
		s.sel += s.listHeight()
	case key.Matches(msg, s.keys.Top):
		s.sel = 0
	case key.Matches(msg, s.keys.Bottom):
		s.sel = n - 1
	case key.Matches(msg, s.keys.Open):
		if n > 0 {
			s.detail = true
			s.dv.top()
		}
	}
	s.sel = max(min(s.sel, n-1), 0)
	return nil
}

// --- View ---

type actCols struct{ id, kind, status, hash, block, elapsed int }

func (s *activity) cols() (actCols, bool) {
	c := actCols{id: 36, kind: 5, status: 9, hash: 66, block: 7, elapsed: 7}
	gaps := 5 * 2
	full := c.id + c.kind + c.status + c.hash + c.block + c.elapsed + gaps
	if s.w >= full+2 {
		return c, true
	}
	c.hash = 13
	if s.w >= c.id+c.kind+c.status+c.hash+c.block+c.elapsed+gaps+2 {
		return c, false
	}
	c.id = 13
	if s.w >= c.id+c.kind+c.status+c.hash+c.block+c.elapsed+gaps+2 {
		return c, false
	}
	c.hash = 0 // narrow: the hash is in the detail (enter)
	return c, false
}

// cell is a padded column followed by its gap; nothing for a hidden one.
func cell(s string, w int) string {
	if w == 0 {
		return ""
	}
	return pad(s, w) + "  "
}

func pad(s string, w int) string {
	sw := lipgloss.Width(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func (s *activity) View() string {
	st := s.c.st
	if s.detail && s.selected() != nil {
		return strings.Join(append(append([]string{}, s.dvHead...), s.dv.view()), "\n")
	}
	rows := s.c.txs.rows
	var b strings.Builder
	pend := s.c.txs.pending()
	title := fmt.Sprintf("Activity · %d transaction(s)", len(rows))
	if pend > 0 {
		title += fmt.Sprintf(" · %d pending %s", pend, s.c.spinner())
	}
	b.WriteString(st.Title.Render(title) + "\n")
	if len(rows) == 0 {
		b.WriteString(st.Subtle.Render("No transactions yet. The grant and sends of this run appear here, live."))
		return b.String()
	}
	c, _ := s.cols()
	head := "  " + cell("ID", c.id) + cell("KIND", c.kind) + cell("STATUS", c.status) +
		cell("HASH", c.hash) + cell("BLOCK", c.block) + pad("ELAPSED", c.elapsed)
	b.WriteString(st.Label.Render(ansi.Truncate(head, max(s.w, 1), "")))
	var lines []string
	for i, r := range rows {
		lines = append(lines, s.rowLines(r, i, true)...)
	}
	end := min(s.off+s.listHeight(), len(lines))
	for _, l := range lines[min(s.off, end):end] {
		b.WriteString("\n" + l)
	}
	return b.String()
}

// rowLines is one transaction in the list: its table row, then what went
// wrong, whole (reason, unknown ID, polling trouble and the wait). styled
// false only counts lines.
func (s *activity) rowLines(r *txRow, i int, styled bool) []string {
	st := s.c.st
	c, _ := s.cols()
	id := r.id
	if c.id < len(id) {
		id = apiclient.ShortHex(id)
	}
	hash := r.tx.Hash()
	if hash == "" {
		hash = "—"
	} else if c.hash < len(hash) {
		hash = apiclient.ShortHex(hash)
	}
	block := r.tx.Block()
	if block == "" {
		block = "—"
	}
	status := r.statusText()
	mark := "  "
	if i == s.sel {
		mark = "› "
	}
	line := cell(apiclient.Printable(id), c.id) + cell(r.kind, c.kind) + cell(status, c.status) +
		cell(apiclient.Printable(hash), c.hash) + cell(apiclient.Printable(block), c.block) + pad(fmtElapsed(r.elapsed(s.c.now())), c.elapsed)
	line = ansi.Truncate(line, max(s.w-2, 1), "")
	if styled {
		if i == s.sel {
			line = st.Selected.Render(line)
		} else {
			// colour only the status word; the word carries the meaning
			line = strings.Replace(line, pad(status, c.status), st.StatusWord(status)+strings.Repeat(" ", max(c.status-len(status), 0)), 1)
		}
	}
	out := []string{mark + line}
	out = append(out, s.c.ReasonLines(r, s.w-4, "  ")...)
	if note := s.c.pollNote(r); note != "" {
		out = append(out, s.c.styledWrap(st.Warn.Render, "! "+note, s.w-4, "  ")...)
	}
	for j := 1; j < len(out); j++ {
		out[j] = "    " + out[j]
	}
	return out
}

// pollNote says what is wrong with watching a transaction, and when the
// next poll goes: "the API does not know this ID (404)", "rate limited
// (429): waiting 2s as the API asked". "" when polling is fine.
func (c *common) pollNote(r *txRow) string {
	if r.final() {
		return ""
	}
	var note string
	switch {
	case r.unknown:
		note = "the API does not know this transaction ID (404)"
	case r.pollErr != "":
		note = "polling failed: " + r.pollErr
	}
	if e, ok := c.log.lastFor("/transactions/" + r.id); ok && e.Status == http.StatusTooManyRequests {
		wait := retryAfterHeader(e.ResponseHeader)
		note = "rate limited (429)"
		if wait > 0 {
			note += fmt.Sprintf(": waiting %s as the API asked (Retry-After)", fmtWait(wait))
		}
	}
	switch {
	case r.stopped:
		if note != "" {
			note += " · "
		}
		note += "no longer watched: r on its step watches again"
	case !r.nextPoll.IsZero() && note != "":
		if d := r.nextPoll.Sub(c.now()); d > 0 {
			note += fmt.Sprintf(" · next try in %s", fmtWait(d))
		} else {
			note += " · trying again"
		}
	}
	return note
}

// fmtWait renders a wait: "2s", "1.5s", "1m30s".
func fmtWait(d time.Duration) string {
	if d < 10*time.Second {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", d.Seconds()), ".0") + "s"
	}
	return d.Round(time.Second).String()
}

// retryAfterHeader reads Retry-After in seconds (0 when absent or a date).
func retryAfterHeader(h http.Header) time.Duration {
	n, err := strconv.ParseFloat(strings.TrimSpace(h.Get("Retry-After")), 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 86400) * float64(time.Second))
}

// txDetailLines renders one transaction, wrapped to w, with the raw
// request that created it and its latest status response, secrets masked.
// Nothing is cut: the detail scrolls.
func txDetailLines(c *common, r *txRow, w int) []string {
	st := c.st
	const kw = 10
	indent := strings.Repeat(" ", kw+1)
	var out []string
	kv := func(k, v string, style func(...string) string) {
		ls := c.styledWrap(style, v, w-kw-1, "")
		out = append(out, st.Label.Render(pad(k, kw))+" "+ls[0])
		for _, l := range ls[1:] {
			out = append(out, indent+l)
		}
	}
	plain := func(s ...string) string { return strings.Join(s, " ") }
	out = append(out, c.styledWrap(st.Title.Render, "Transaction "+apiclient.Printable(r.id), w, "  ")...)
	kv("kind", r.kind, plain)
	status := st.StatusWord(r.statusText())
	if b := r.failedIn(); b != "" {
		status += " in block " + b
	}
	out = append(out, st.Label.Render(pad("status", kw))+" "+status)
	kv("elapsed", fmtElapsed(r.elapsed(c.now())), plain)
	if h := r.tx.Hash(); h != "" {
		kv("hash", apiclient.Printable(h), st.Hash.Render)
		if u := c.explorerTxURL(h); u != "" {
			kv("explorer", u, plain)
		}
	}
	switch b := r.tx.Block(); {
	case b != "":
		kv("block", apiclient.Printable(b), plain)
	case r.tx.Status == apiclient.StatusFailed && r.tx.Hash() == "":
		kv("block", "none: it failed before it was sent to the chain", st.Subtle.Render)
	case r.tx.Status == apiclient.StatusFailed:
		kv("block", "not given by the API", st.Subtle.Render)
	}
	if r.tx.From != "" {
		kv("from", apiclient.Printable(r.tx.From), st.Address.Render)
	}
	if e := c.reasonText(r); e != "" {
		kv("reason", "✗ "+e, st.Failed.Render)
		if c.hasRawAmounts(r) {
			hint := "w: amounts in raw base units (wei)"
			if c.rawWei {
				hint = "w: amounts in token/ETH units"
			}
			out = append(out, indent+st.Subtle.Render(hint))
		}
	}
	if note := c.pollNote(r); note != "" {
		kv("polling", note, st.Warn.Render)
	}
	q := `"` + r.id + `"`
	for _, tag := range []string{flows.TagGrant, flows.TagSend, flows.TagCall} {
		if ex, ok := c.log.find(tag, q); ok {
			out = append(out, "", st.Title.Render("Request that created it"))
			out = append(out, exchangeLines(c, ex, w)...)
			break
		}
	}
	if ex, ok := c.log.find(flows.TagWatch, q); ok {
		out = append(out, "", st.Title.Render("Latest status poll"))
		out = append(out, exchangeLines(c, ex, w)...)
	}
	return out
}

// exchangeLines renders an exchange, wrapped to w: request line, masked
// headers, body, status and response body (indented JSON). Server text is
// made terminal-safe; nothing is cut.
func exchangeLines(c *common, e apiclient.Exchange, w int) []string {
	st := c.st
	var out []string
	out = append(out, c.styledWrap(st.Label.Render, e.Method+" "+apiclient.Printable(e.URL), w, "    ")...)
	h := e.MaskedRequestHeader()
	if c.reveal {
		h = e.RequestHeader
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		if k != "User-Agent" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, wrapLines(st.Subtle.Render(strings.ToLower(k)+": ")+apiclient.Printable(strings.Join(h[k], ", ")), w, "    ")...)
	}
	body := e.MaskedRequestBody()
	if c.reveal {
		body = e.RequestBody
	}
	if len(body) > 0 {
		out = append(out, codeLines(st.Code, body, w)...)
	}
	status := fmt.Sprintf("→ %d", e.Status)
	if e.Status == 0 && e.Err != nil {
		status = "→ " + errorText(e.Err)
	}
	status += fmt.Sprintf(" in %s", e.Duration.Round(time.Millisecond))
	if e.Status >= 400 || e.Status == 0 {
		out = append(out, c.styledWrap(st.Error.Render, status, w, "  ")...)
	} else {
		out = append(out, c.styledWrap(st.OK.Render, status, w, "  ")...)
	}
	if len(e.ResponseBody) > 0 {
		out = append(out, codeLines(st.Code, e.MaskedResponseBody(), w)...)
	}
	return out
}

// codeLines pretty-prints JSON (or shows the text as is), terminal-safe,
// each line wrapped to w (0: no wrapping) with continuation lines indented
// under their own line's indentation.
func codeLines(style lipgloss.Style, b []byte, w int) []string {
	var buf bytes.Buffer
	if json.Indent(&buf, bytes.TrimSpace(b), "", "  ") != nil {
		buf.Reset()
		buf.Write(b)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		l = apiclient.Printable(l)
		if w <= 0 {
			out = append(out, style.Render(l))
			continue
		}
		lead := len(l) - len(strings.TrimLeft(l, " "))
		indent := strings.Repeat(" ", min(lead+2, max(w/3, 0)))
		for _, wl := range wrapLines(l, w, indent) {
			out = append(out, style.Render(wl))
		}
	}
	return out
}
