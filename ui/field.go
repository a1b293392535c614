package ui

import (
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"walletconsole/theme"
)

// field is a labelled one-line text input with its validation message
// beside it, focused and blurred the way huh's fields are: validation runs
// as you type and on leaving the field, the message stays next to the field
// and the typed text is never dropped.
type field struct {
	key      string // stable name, e.g. for flows.FieldErrors keys ("target")
	label    string
	hint     string // shown dimmed after the input when there is no error
	in       textinput.Model
	validate func(string) error
	err      string // validation or external error ("" = fine)
	extErr   bool   // err was set by SetError, not by validate
	touched  bool   // the user changed or left the field
	width    int    // whole line width available
}

// newField makes a field; validate may be nil.
func newField(key, label, placeholder string, validate func(string) error) *field {
	in := textinput.New()
	in.Prompt = ""
	in.Placeholder = placeholder
	in.CharLimit = 512
	return &field{key: key, label: label, in: in, validate: validate}
}

// withValue sets the initial value (not marked as touched).
func (f *field) withValue(v string) *field { f.in.SetValue(v); f.in.CursorEnd(); return f }

// withHint sets a hint shown when there is no error.
func (f *field) withHint(h string) *field { f.hint = h; return f }

// SetMasked switches password echo on or off (secret keys).
func (f *field) SetMasked(on bool) {
	if on {
		f.in.EchoMode = textinput.EchoPassword
		f.in.EchoCharacter = '•'
	} else {
		f.in.EchoMode = textinput.EchoNormal
	}
}

// Masked reports whether the value is hidden.
func (f *field) Masked() bool { return f.in.EchoMode != textinput.EchoNormal }

// Focus gives the field the keyboard.
func (f *field) Focus() tea.Cmd { return f.in.Focus() }

// Blur leaves the field and validates it.
func (f *field) Blur() {
	f.in.Blur()
	f.touched = true
	f.runValidate()
}

// Focused reports whether the field has the keyboard.
func (f *field) Focused() bool { return f.in.Focused() }

// Value is the text as typed (not trimmed).
func (f *field) Value() string { return f.in.Value() }

// SetValue replaces the text and revalidates.
func (f *field) SetValue(s string) {
	f.in.SetValue(s)
	f.in.CursorEnd()
	f.runValidate()
}

// SetError sets a message from outside (e.g. flows.FieldErrors); "" clears it.
func (f *field) SetError(msg string) {
	f.err, f.extErr = msg, msg != ""
	if msg != "" {
		f.touched = true
	}
}

// Error is the current message ("" = valid as far as known).
func (f *field) Error() string { return f.err }

// Validate runs the validation now and shows its result even if the field
// was never touched (on submit). It reports whether the field is valid.
func (f *field) Validate() bool {
	f.touched = true
	f.runValidate()
	return f.err == ""
}

func (f *field) runValidate() {
	if f.extErr {
		return // an external message stays until the value changes
	}
	f.err = ""
	if f.validate != nil {
		if err := f.validate(f.in.Value()); err != nil {
			f.err = err.Error()
		}
	}
}

// Update handles typing when focused; it revalidates on every change.
func (f *field) Update(msg tea.Msg) tea.Cmd {
	if !f.in.Focused() {
		return nil
	}
	before := f.in.Value()
	var cmd tea.Cmd
	f.in, cmd = f.in.Update(msg)
	if f.in.Value() != before {
		f.touched = true
		f.extErr = false
		f.runValidate()
	}
	return cmd
}

// SetWidth sets the width of the whole line (label + input + message).
func (f *field) SetWidth(w int) {
	f.width = w
	if w > 0 {
		// an estimate until View knows the label width; View refines it
		f.in.Width = max(w-16, 8)
	}
}

// View renders "› Label  value  ✗ message" (the message goes on the next
// line when it does not fit beside the input). labelW aligns labels.
func (f *field) View(st theme.Styles, labelW int) string {
	mark, ls := "  ", st.Blurred
	if f.in.Focused() {
		mark, ls = "› ", st.Focused
	}
	label := f.label
	if labelW < lipgloss.Width(label) {
		labelW = lipgloss.Width(label)
	}
	label += strings.Repeat(" ", labelW-lipgloss.Width(label))
	prefix := mark + ls.Render(label) + " "
	pw := lipgloss.Width(prefix)

	// Input width: what is left, at least 8, at most the value + room.
	avail := f.width - pw
	if f.width <= 0 {
		avail = 60
	}
	if avail < 8 {
		avail = 8
	}
	f.applyStyles(st)
	msg := f.note(st)
	f.in.Width = max(avail-1, 1) // one cell for the cursor
	inView := f.in.View()
	valW := lipgloss.Width(f.in.Value())
	if f.in.Value() == "" {
		valW = lipgloss.Width(f.in.Placeholder)
	}
	beside := msg != "" && valW+3+lipgloss.Width(msg) <= avail
	if beside {
		// drop the input's padding so the message sits beside the text
		inView = ansi.Truncate(inView, valW+1, "")
	}
	line := prefix + inView
	if msg == "" {
		return line
	}
	if beside {
		return line + " " + msg
	}
	indent := strings.Repeat(" ", min(pw, 6))
	w := f.width - len(indent)
	if f.width <= 0 {
		w = 80
	}
	return line + "\n" + indent + ansi.Truncate(msg, max(w, 10), "…")
}

// fieldGroup moves focus through a list of fields (tab/shift+tab/enter).
type fieldGroup struct {
	fields []*field
	focus  int // index of the focused field; -1 = none
}

func newFieldGroup(fs ...*field) *fieldGroup { return &fieldGroup{fields: fs, focus: -1} }

// FocusAt focuses field i (blurring the current one).
func (g *fieldGroup) FocusAt(i int) tea.Cmd {
	if g.focus >= 0 && g.focus < len(g.fields) {
		g.fields[g.focus].Blur()
	}
	if i < 0 || i >= len(g.fields) {
		g.focus = -1
		return nil
	}
	g.focus = i
	return g.fields[i].Focus()
}

// BlurAll removes focus from every field.
func (g *fieldGroup) BlurAll() { g.FocusAt(-1) }

// Next focuses the next field; it reports false at the last one.
func (g *fieldGroup) Next() (tea.Cmd, bool) {
	if g.focus+1 >= len(g.fields) {
		return nil, false
	}
	return g.FocusAt(g.focus + 1), true
}

// Prev focuses the previous field; it reports false at the first one.
func (g *fieldGroup) Prev() (tea.Cmd, bool) {
	if g.focus <= 0 {
		return nil, false
	}
	return g.FocusAt(g.focus - 1), true
}

// Focused returns the focused field or nil.
func (g *fieldGroup) Focused() *field {
	if g.focus >= 0 && g.focus < len(g.fields) {
		return g.fields[g.focus]
	}
	return nil
}

// Update passes a message to the focused field.
func (g *fieldGroup) Update(msg tea.Msg) tea.Cmd {
	if f := g.Focused(); f != nil {
		return f.Update(msg)
	}
	return nil
}

// ValidateAll validates every field and returns the index of the first
// invalid one (-1 when all are valid).
func (g *fieldGroup) ValidateAll() int {
	first := -1
	for i, f := range g.fields {
		if !f.Validate() && first < 0 {
			first = i
		}
	}
	return first
}

// SetWidth sets every field's width.
func (g *fieldGroup) SetWidth(w int) {
	for _, f := range g.fields {
		f.SetWidth(w)
	}
}

// LabelWidth is the widest label, for alignment.
func (g *fieldGroup) LabelWidth() int {
	w := 0
	for _, f := range g.fields {
		w = max(w, lipgloss.Width(f.label))
	}
	return w
}

// View renders every field, one per line (plus wrapped messages).
func (g *fieldGroup) View(st theme.Styles) string {
	lw := g.LabelWidth()
	lines := make([]string, len(g.fields))
	for i, f := range g.fields {
		lines[i] = f.View(st, lw)
	}
	return strings.Join(lines, "\n")
}

// applyStyles gives the text input the theme's input, placeholder and cursor styles.
func (f *field) applyStyles(st theme.Styles) {
	f.in.TextStyle = st.Input
	f.in.PlaceholderStyle = st.Placeholder
	f.in.Cursor.Style = st.Cursor
}

// note is what stands beside the field: its error once touched, else its hint.
func (f *field) note(st theme.Styles) string {
	if f.err != "" && f.touched {
		return st.Error.Render("✗ " + f.err)
	}
	if f.hint != "" {
		return st.Subtle.Render(f.hint)
	}
	return ""
}
