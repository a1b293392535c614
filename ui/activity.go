package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"sort"
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
type activity struct {
	c       *common
	keys    activityKeys
	w, h    int
	sel     int // selected row index
	off     int // first visible row
	detail  bool
	dOff    int // detail scroll
	watches map[string]*watch
	gen     int
}

func newActivity(c *common) *activity {
	return &activity{c: c, keys: newActivityKeys(), watches: map[string]*watch{}}
}

func (s *activity) Init() tea.Cmd       { return nil }
func (s *activity) SetSize(w, h int)    { s.w, s.h = w, h; s.clamp() }
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
		return []key.Binding{s.keys.Up, s.keys.Down, s.keys.Close}
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

// listHeight is the number of table rows that fit (minus the title and
// column header).
func (s *activity) listHeight() int { return max(s.h-2, 1) }

func (s *activity) clamp() {
	n := len(s.c.txs.rows)
	s.sel = max(min(s.sel, n-1), 0)
	lh := s.listHeight()
	if s.sel < s.off {
		s.off = s.sel
	}
	if s.sel >= s.off+lh {
		s.off = s.sel - lh + 1
	}
	s.off = max(min(s.off, n-lh), 0)
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
	ctx, cancel := context.WithCancel(s.c.ctx)
	s.watches[id] = &watch{gen: s.gen, ctx: ctx, cancel: cancel}
	// Follow the newest transaction unless the user has moved the selection.
	if s.sel >= len(s.c.txs.rows)-2 {
		s.sel = len(s.c.txs.rows) - 1
		s.clamp()
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
		row.pollErr = errorText(msg.err)
		w.fails++
		if w.ctx.Err() != nil {
			return nil // cancelled (quit or re-watch)
		}
		w.attempt++
		d, giveUp := flows.AfterFailedPoll(w.attempt, w.fails, msg.err)
		if giveUp {
			w.cancel()
			delete(s.watches, msg.id)
			err := fmt.Errorf("stopped watching %s after %d failed poll(s): %w", apiclient.ShortHex(msg.id), w.fails, msg.err)
			return func() tea.Msg { return watchFailedMsg{id: msg.id, kind: row.kind, err: err} }
		}
		return tea.Tick(d, func(time.Time) tea.Msg { return txPollMsg{msg.id, msg.gen} })
	}
	row.pollErr = ""
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
	return tea.Tick(flows.PollDelay(w.attempt, 0), func(time.Time) tea.Msg { return txPollMsg{msg.id, msg.gen} })
}

func (s *activity) onKey(msg tea.KeyMsg) tea.Cmd {
	n := len(s.c.txs.rows)
	if s.detail {
		switch {
		case key.Matches(msg, s.keys.Close):
			s.detail, s.dOff = false, 0
		case key.Matches(msg, s.keys.Up):
			s.dOff = max(s.dOff-1, 0)
		case key.Matches(msg, s.keys.Down):
			s.dOff++
		case key.Matches(msg, s.keys.PgUp):
			s.dOff = max(s.dOff-s.h, 0)
		case key.Matches(msg, s.keys.PgDn):
			s.dOff += s.h
		case key.Matches(msg, s.keys.Top):
			s.dOff = 0
		}
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
			s.detail, s.dOff = true, 0
		}
	}
	s.clamp()
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
	return c, false
}

func pad(s string, w int) string {
	sw := lipgloss.Width(s)
	if sw > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-sw)
}

func (s *activity) View() string {
	if s.detail {
		return s.detailView()
	}
	st := s.c.st
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
	head := "  " + pad("ID", c.id) + "  " + pad("KIND", c.kind) + "  " + pad("STATUS", c.status) + "  " +
		pad("HASH", c.hash) + "  " + pad("BLOCK", c.block) + "  " + pad("ELAPSED", c.elapsed)
	b.WriteString(st.Label.Render(ansi.Truncate(head, max(s.w, 1), "…")))
	now := s.c.now()
	end := min(s.off+s.listHeight(), len(rows))
	for i := s.off; i < end; i++ {
		r := rows[i]
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
		status := string(r.status())
		mark := "  "
		if i == s.sel {
			mark = "› "
		}
		line := pad(id, c.id) + "  " + pad(r.kind, c.kind) + "  " + pad(status, c.status) + "  " +
			pad(hash, c.hash) + "  " + pad(block, c.block) + "  " + pad(fmtElapsed(r.elapsed(now)), c.elapsed)
		line = ansi.Truncate(line, max(s.w-2, 1), "…")
		if i == s.sel {
			line = st.Selected.Render(line)
		} else {
			// colour only the status word; the word carries the meaning
			line = strings.Replace(line, pad(status, c.status), st.StatusWord(status)+strings.Repeat(" ", c.status-len(status)), 1)
		}
		b.WriteString("\n" + mark + line)
	}
	return b.String()
}

func (s *activity) detailView() string {
	r := s.selected()
	if r == nil {
		s.detail = false
		return s.View()
	}
	lines := txDetailLines(s.c, r, s.w)
	if s.dOff > max(len(lines)-s.h, 0) {
		s.dOff = max(len(lines)-s.h, 0)
	}
	end := min(s.dOff+s.h, len(lines))
	return strings.Join(lines[s.dOff:end], "\n")
}

// txDetailLines renders one transaction with the raw request that created
// it and its latest status response, secrets masked.
func txDetailLines(c *common, r *txRow, w int) []string {
	st := c.st
	kv := func(k, v string) string { return st.Label.Render(pad(k, 10)) + " " + v }
	out := []string{st.Title.Render("Transaction " + r.id)}
	out = append(out,
		kv("kind", r.kind),
		kv("status", st.StatusWord(string(r.status()))),
		kv("elapsed", fmtElapsed(r.elapsed(c.now()))),
	)
	if h := r.tx.Hash(); h != "" {
		out = append(out, kv("hash", st.Hash.Render(h)))
		if u := explorerTxURL(c.chainID(), h); u != "" && c.cfg.Mode == flows.ModeLive {
			out = append(out, kv("explorer", u))
		}
	}
	if b := r.tx.Block(); b != "" {
		out = append(out, kv("block", b))
	}
	if r.tx.From != "" {
		out = append(out, kv("from", st.Address.Render(r.tx.From)))
	}
	if e := r.tx.Error(); e != "" {
		out = append(out, kv("reason", st.Failed.Render("✗ "+e)))
	}
	if r.pollErr != "" {
		out = append(out, kv("polling", st.Error.Render(r.pollErr)))
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
	return clampLines(out, w)
}

// exchangeLines renders an exchange: request line, masked headers, body,
// status and response body (indented JSON).
func exchangeLines(c *common, e apiclient.Exchange, w int) []string {
	st := c.st
	var out []string
	out = append(out, st.Label.Render(e.Method)+" "+e.URL)
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
		out = append(out, st.Subtle.Render(strings.ToLower(k)+": ")+strings.Join(h[k], ", "))
	}
	body := e.MaskedRequestBody()
	if c.reveal {
		body = e.RequestBody
	}
	if len(body) > 0 {
		out = append(out, codeLines(st.Code, body)...)
	}
	status := fmt.Sprintf("→ %d", e.Status)
	if e.Status == 0 && e.Err != nil {
		status = "→ " + e.Err.Error()
	}
	status += fmt.Sprintf(" in %s", e.Duration.Round(1e6))
	if e.Status >= 400 || e.Status == 0 {
		out = append(out, st.Error.Render(status))
	} else {
		out = append(out, st.OK.Render(status))
	}
	if len(e.ResponseBody) > 0 {
		out = append(out, codeLines(st.Code, e.MaskedResponseBody())...)
	}
	return out
}

// codeLines pretty-prints JSON (or shows the text as is).
func codeLines(style lipgloss.Style, b []byte) []string {
	var buf bytes.Buffer
	if json.Indent(&buf, bytes.TrimSpace(b), "", "  ") != nil {
		buf.Reset()
		buf.Write(b)
	}
	ls := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	for i, l := range ls {
		ls[i] = style.Render(l)
	}
	return ls
}

// clampLines truncates every line to w cells.
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
