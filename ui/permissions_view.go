package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/apiclient"
	"walletconsole/flows"
)

// --- View ---

// permLayout is where things go at the current size.
type permLayout struct {
	formW, formH  int
	pvW, pvH      int
	side          bool // preview beside the form
	below         bool // preview below the form
	previewToggle bool // preview hidden behind ctrl+p
	bottomH       int
	showForm      bool // false: the body replaces the form (ctrl+p)
}

const (
	sideMinW   = 120 // at least this wide: preview beside the form
	belowMinH  = 20  // at least this tall (when narrow): preview below
	labelWidth = 13
)

func (m *permissionsModel) layout() permLayout {
	if m.mode != modeForm && m.mode != modeTry {
		return m.layoutFor(2)
	}
	return m.layoutFor(1)
}

// layoutFor places things above a bottom block of bottomH lines.
func (m *permissionsModel) layoutFor(bottomH int) permLayout {
	w, h := max(m.w, 20), max(m.h, 3)
	l := permLayout{bottomH: bottomH, showForm: true}
	body := max(h-l.bottomH, 1)
	switch {
	case w >= sideMinW:
		l.side = true
		l.pvW = min(max(w-72, 44), 90)
		l.formW = w - l.pvW - 3
		l.formH, l.pvH = body, body
	case h >= belowMinH:
		l.below = true
		l.formW, l.pvW = w, w
		l.pvH = body * 2 / 5
		l.formH = body - l.pvH - 1
	default:
		l.previewToggle = true
		l.formW, l.pvW = w, w
		l.formH, l.pvH = body, body
		if m.pvOnly {
			l.showForm = false
		}
	}
	return l
}

func (m *permissionsModel) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	bottom := m.viewBottom(m.w)
	l := m.layoutFor(len(bottom))
	var out []string
	switch {
	case m.mode == modeTry:
		// The panel takes the form's and the body's room at every size.
		h := max(m.h-len(bottom), 1)
		out = append(out, m.viewTry(m.w, h)...)
		for len(out) < h {
			out = append(out, "")
		}
	case l.side:
		form := m.viewForm(l.formW, l.formH)
		pv := m.viewPreview(l.pvW, l.pvH)
		sep := m.c.st.Subtle.Render(" │ ")
		for i := 0; i < l.formH; i++ {
			a, b := "", ""
			if i < len(form) {
				a = form[i]
			}
			if i < len(pv) {
				b = pv[i]
			}
			out = append(out, padRight(a, l.formW)+sep+b)
		}
	case l.below:
		formH, pvH := m.heights(l)
		out = append(out, m.viewForm(l.formW, formH)...)
		for len(out) < formH {
			out = append(out, "")
		}
		out = append(out, m.c.st.Subtle.Render(strings.Repeat("─", l.pvW)))
		out = append(out, m.viewPreview(l.pvW, pvH)...)
		for len(out) < formH+1+pvH {
			out = append(out, "")
		}
	case !l.showForm:
		out = append(out, m.viewPreview(l.pvW, l.pvH)...)
		for len(out) < l.pvH {
			out = append(out, "")
		}
	default:
		out = append(out, m.viewForm(l.formW, l.formH)...)
		for len(out) < l.formH {
			out = append(out, "")
		}
	}
	out = append(out, bottom...)
	for i := range out {
		out[i] = ansi.Truncate(out[i], m.w, "…")
	}
	if len(out) > m.h {
		out = out[:m.h]
	}
	return strings.Join(out, "\n")
}

// previewHidden: the terminal is too small for the body pane beside or
// below the form (it hides behind ctrl+p); layoutFor decides the same way.
func (m *permissionsModel) previewHidden() bool {
	return max(m.w, 20) < sideMinW && max(m.h, 3) < belowMinH
}

// viewBottom is the summary/status line and the prompt. Every message is
// wrapped whole (a path, a reason, a field's help): nothing is cut at 60
// columns; the form above gets what is left.
func (m *permissionsModel) viewBottom(w int) []string {
	st := m.c.st
	w = max(w, 10)
	// At spaces, so a path stays on one line when it fits; a word wider than
	// the screen breaks, never ends in "…". An error's path may break at a
	// "/" (the line then ends where the path goes on).
	wrapAt := func(style func(...string) string, s, breaks string) []string {
		lines := strings.Split(ansi.Wrap(apiclient.Printable(s), w, breaks), "\n")
		for i := range lines {
			lines[i] = style(lines[i])
		}
		return lines
	}
	wrap := func(style func(...string) string, s string) []string { return wrapAt(style, s, "") }
	var lines []string
	switch {
	case m.mode == modeTry:
		// The panel's ctrl+s is a dry run: the grant's line would contradict it.
		lines = wrap(st.Subtle.Render, m.tryWhat())
	case m.summary != "":
		lines = wrap(st.Error.Render, "✗ "+m.summary+" (ctrl+s again when fixed)")
	case m.status != "" && m.statusErr:
		lines = wrapAt(st.Error.Render, m.status, " /")
	case m.status != "":
		lines = wrap(st.Status.Render, m.status)
	default:
		text := m.what()
		if help := m.focusHelp(); help != "" {
			text = help // what the focused field takes, from flows
		}
		lines = wrap(st.Subtle.Render, text)
	}
	// Only a message longer than the screen is cut: the prompt stays.
	if room := max(m.h-3, 2); len(lines) > room {
		lines = append(lines[:room-1], st.Subtle.Render("…"))
	}
	if m.mode == modeForm && !m.pvOnly && m.previewHidden() {
		if ls := m.lintShort(); ls != "" {
			style := st.Warn.Render
			if m.lintErrors() > 0 {
				style = st.Error.Render
			}
			lines = append(wrap(style, ls), lines...)
		}
	}
	switch m.mode {
	case modeConfirm:
		lines = append(lines, wrap(st.Warn.Render, fmt.Sprintf("Grant FULL permissions on live chain %d? (y/N)", m.c.chainID()))...)
	case modeOverwrite:
		lines = append(lines, wrap(st.Warn.Render, m.lastPath+" exists. Overwrite it? (y/N)")...)
	case modeLoad, modeSave:
		m.path.label = "Load from"
		if m.mode == modeSave {
			m.path.label = "Save to"
		}
		m.path.SetWidth(w)
		v := m.path.View(st, 0)
		lines = append(lines, strings.Split(v, "\n")[0])
	}
	return lines
}

// focusHelp is what the focused field takes (flows.FieldHelp), "" for
// rows without help.
func (m *permissionsModel) focusHelp() string {
	r := m.cur()
	if r == nil {
		return ""
	}
	switch r.id {
	case "duration":
		return "How long the key lasts: 90m, 36h, 2d, 1w or seconds; or when it ends: 18:00 (next), 2026-11-26 18:00. At most 365 days."
	case "full":
		return "space: on = the key may make any call with any value; off = only what the policies below allow."
	}
	if r.ctx.policy < 0 || (r.kind != rowField && r.kind != rowPicker) {
		return ""
	}
	_, k, _ := strings.Cut(r.id, ".")
	if r.ctx.sect == sectTransfer && k == "target" {
		return "Address the key may send native value (ETH) to: 0x + 40 hex (EIP-55 checked when mixed case)."
	}
	return flows.FieldHelp(k)
}

// what says what ctrl+s will do.
func (m *permissionsModel) what() string {
	d, err := m.dur.resolve(m.now())
	if err != nil {
		return "ctrl+s grants once the duration is valid"
	}
	dur := flows.FormatPeriod(d)
	if m.full {
		return "ctrl+s grants full access for " + dur
	}
	return fmt.Sprintf("ctrl+s grants %s and %s for %s", pePlural(len(m.calls), "call policy", "call policies"),
		pePlural(len(m.transfers), "transfer policy", "transfer policies"), dur)
}

// heights splits the body between form and request body when the body
// sits below the form: the form takes what it needs, the body the rest, and
// at least 2/5 (or all it needs, if less) when both do not fit.
func (m *permissionsModel) heights(l permLayout) (formH, pvH int) {
	if !l.below {
		return l.formH, l.pvH
	}
	total := l.formH + l.pvH
	fl, _, _ := m.formLines(l.formW)
	pvNeed := len(m.previewBody(l.pvW)) + 1
	pvH = total - len(fl)
	if pvH < pvNeed {
		pvH = max(pvH, min(pvNeed, total*2/5))
	}
	pvH = min(max(pvH, 2), total-1)
	return total - pvH, pvH
}

// viewForm shows the rows from the offset sync chose (the focus in view).
func (m *permissionsModel) viewForm(w, h int) []string {
	lines, start, end := m.formLines(w)
	if h <= 0 {
		return nil
	}
	if len(lines) <= h {
		return lines
	}
	// The offset was chosen and kept within the content in Update (sync,
	// follow); here it is only read. min keeps a slice in range.
	off := min(m.scroll.offset(), len(lines))
	// Say that there is more, in the lines the focus does not need.
	vis := append([]string(nil), lines[off:min(off+h, len(lines))]...)
	if off > 0 && start > off {
		vis[0] = m.c.st.Subtle.Render(fmt.Sprintf("  ↑ %d more", off))
	}
	if rest := len(lines) - off - h; rest > 0 && end < off+h {
		vis[h-1] = m.c.st.Subtle.Render(fmt.Sprintf("  ↓ %d more", rest+1))
	}
	return vis
}

// formLines renders every row at width w; [start, end) are the focused
// row's lines (a section title just above the focus counts with it).
func (m *permissionsModel) formLines(w int) (lines []string, start, end int) {
	raw, start, end := m.form.Lines(m.c.st)
	for _, ln := range raw {
		lines = append(lines, ansi.Truncate(ln, w, "…"))
	}
	if fi := m.form.Index(); fi > 0 && start > 0 {
		if r, ok := m.form.Fields()[fi-1].(*formRow); ok && r.kind == rowSection {
			start--
		}
	}
	return lines, start, end
}

func (m *permissionsModel) viewRow(r *formRow, focused bool, w int) string {
	st := m.c.st
	ind := strings.Repeat(" ", r.indent)
	iw := max(w-r.indent, 10)
	mark, ls := "  ", st.Blurred
	if focused {
		mark, ls = "› ", st.Focused
	}
	errMsg := m.errs[r.id]
	switch r.kind {
	case rowField:
		r.f.SetWidth(iw)
		return ind + strings.ReplaceAll(r.f.View(st, labelWidth), "\n", "\n"+ind)
	case rowSection:
		return st.Title.Render(r.label)
	case rowHeader:
		// The summary wraps under itself rather than ending in "…".
		head := ind + mark + ls.Render(r.label) + "  "
		hw := lipgloss.Width(head)
		parts := strings.Split(ansi.Wrap(apiclient.Printable(r.value), max(w-hw, 10), ""), "\n")
		s := head + st.Subtle.Render(parts[0])
		for _, p := range parts[1:] {
			s += "\n" + strings.Repeat(" ", hw) + st.Subtle.Render(p)
		}
		if errMsg != "" {
			for _, l := range m.c.WrapText(st.Error.Render, "✗ "+errMsg, max(w-r.indent-4, 10), "  ") {
				s += "\n" + ind + "    " + l
			}
		}
		return s
	case rowAction:
		s := ind + mark + st.Key.Render(r.value)
		if focused {
			s += "  " + st.Subtle.Render("enter")
		}
		return s
	}
	// picker, toggle
	label := r.label + strings.Repeat(" ", max(0, labelWidth-lipgloss.Width(r.label)))
	s := ind + mark + ls.Render(label) + " " + st.Value.Render(r.value)
	note, style := r.note, st.Subtle.Render
	if errMsg != "" {
		note, style = "✗ "+errMsg, st.Error.Render
	}
	return m.noteBesideOrBelow(s, note, style, w, ind+"    ")
}

// noteBesideOrBelow is besideOrBelow for a row's note, made terminal-safe
// (a reason may quote what was typed or loaded).
func (m *permissionsModel) noteBesideOrBelow(line, note string, style func(...string) string, w int, indent string) string {
	return besideOrBelow(line, apiclient.Printable(note), style, w, indent)
}

// viewPreview renders the lint findings and the request body that ctrl+s
// will send: the count stays on the first line, the rest scrolls (pgup/pgdn).
func (m *permissionsModel) viewPreview(w, h int) []string {
	st := m.c.st
	if h <= 0 {
		return nil
	}
	lines := []string{ansi.Truncate(m.lintTitle(), w, "…")}
	body := m.previewBody(w)
	room := h - 1
	off := min(m.pv.offset(), len(body)) // chosen and kept in range in Update (sync)
	end := min(len(body), off+room)
	for i := off; i < end; i++ {
		ln := body[i]
		if i == end-1 && end < len(body) {
			ln = fmt.Sprintf("… %d more lines (pgdn)", len(body)-end+1)
			lines = append(lines, st.Subtle.Render(ansi.Truncate(ln, w, "…")))
			break
		}
		lines = append(lines, ansi.Truncate(ln, w, "…"))
	}
	return lines
}

// previewBody is the pane's scrolling part at width w: the lint findings
// (wrapped whole), then the request body's title and lines. Long body lines
// (refValue words) wrap rather than hide, since this is the exact body;
// continuation lines start with ↪.
func (m *permissionsModel) previewBody(w int) []string {
	st := m.c.st
	body := m.lintLines(w)
	if len(body) > 0 {
		body = append(body, "")
	}
	title := st.Title.Render("Request body") + st.Subtle.Render(" POST /wallets/create-session-key")
	if m.stale {
		title = st.Title.Render("Request body") + " " + st.Warn.Render("STALE: "+attention(m.blocking)+", last valid shown")
	}
	body = append(body, title)
	if m.body == nil {
		return append(body, st.Subtle.Render("(no valid body yet)"))
	}
	for _, ln := range strings.Split(string(m.body), "\n") {
		if lipgloss.Width(ln) <= w {
			body = append(body, st.Code.Render(ln))
			continue
		}
		for i, part := range strings.Split(ansi.Hardwrap(ln, max(w-2, 4), false), "\n") {
			if i > 0 {
				part = "↪ " + part
			}
			body = append(body, st.Code.Render(part))
		}
	}
	return body
}

// padRight pads s with spaces to width w (measured, ANSI-aware).
func padRight(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return ansi.Truncate(s, w, "…")
}

// consumesEsc: esc cancels the prompt instead of going back a step.
func (m *permissionsModel) consumesEsc() bool {
	return m.mode != modeForm || (m.pvOnly && m.layout().previewToggle)
}

// copyTarget: `c` (outside text fields) copies the request body, only
// while it matches the form (a stale body is not what ctrl+s would send).
func (m *permissionsModel) copyTarget() (label, value string, ok bool) {
	if m.body == nil || m.stale {
		return "", "", false
	}
	return "request body", string(m.body), true
}
