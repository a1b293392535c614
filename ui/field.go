package ui

import (
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

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
	pristine bool   // the value was filled in, not typed: typing replaces it
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

// withDefault sets a filled-in default ("0") that the first typed
// character replaces, so typing 0.001 gives 0.001, not 00.001.
func (f *field) withDefault(v string) *field {
	f.in.SetValue(v)
	f.in.CursorEnd()
	f.pristine = true
	return f
}

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
	if k, ok := msg.(tea.KeyMsg); ok && f.pristine {
		f.pristine = false
		if k.Type == tea.KeyRunes && !k.Paste {
			f.in.SetValue("") // the default is replaced by what is typed
		}
	}
	var cmd tea.Cmd
	f.in, cmd = f.in.Update(msg)
	if f.in.Value() != before {
		f.pristine = false
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

// Field interface: a text field is focusable and editable.
func (f *field) Key() string             { return f.key }
func (f *field) Label() string           { return f.label }
func (f *field) Focusable() bool         { return true }
func (f *field) Editable() bool          { return true }
func (f *field) Bindings() []key.Binding { return []key.Binding{keyTextEdit, keyLeaveEdit} }

// View renders "› Label  value  ✗ message". The message goes beside the
// value when it fits, else word-wrapped below (at most three lines: the
// reason is the point). labelW aligns labels. A field that is not being
// edited and is wider than its room shows both ends ("0x1234…abcd",
// "function tra…amount)"), never a tail scrolled off its first character.
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
	w := f.width
	if w <= 0 {
		w = 80
	}
	avail := max(w-lipgloss.Width(prefix), 8)
	f.applyStyles(st)
	note, style := f.note(st)
	valW := lipgloss.Width(f.in.Value())
	if f.in.Value() == "" {
		valW = lipgloss.Width(f.in.Placeholder)
	}
	inW := avail - 1 // the cursor's cell
	if note != "" && valW+3+lipgloss.Width(note) <= avail {
		inW = valW + 1 // the note sits right after the text
	}
	f.in.Width = max(inW, 1)
	f.in.SetCursor(f.in.Position()) // re-scroll the input to the new width
	if !f.in.Focused() && f.in.Value() != "" && valW > inW {
		shown := shortMiddle(f.in.Value(), max(inW, 1))
		if f.Masked() {
			shown = strings.Repeat("•", min(len([]rune(f.in.Value())), max(inW, 1)))
		}
		return besideOrBelow(prefix+st.Input.Render(shown), note, style, w, "    ")
	}
	return besideOrBelow(prefix+f.in.View(), note, style, w, "    ")
}

// shortMiddle cuts s to width w keeping its start and end ("0x1234…abcd").
func shortMiddle(s string, w int) string {
	r := []rune(s)
	if len(r) <= w || w < 5 {
		return ansi.Truncate(s, max(w, 1), "…")
	}
	head := (w - 1) / 2
	tail := w - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}

// besideOrBelow puts note (styled with style) beside line when it fits in
// w, else wrapped whole below it, indented: at spaces when it can, inside a
// long word (an address, a signature) when it must. Nothing is cut: the
// form scrolls.
func besideOrBelow(line, note string, style func(...string) string, w int, indent string) string {
	if note == "" {
		return line
	}
	if lipgloss.Width(line)+2+lipgloss.Width(note) <= w {
		return line + "  " + style(note)
	}
	for _, p := range wrapLines(note, max(w-lipgloss.Width(indent), 10), "") {
		line += "\n" + indent + style(p)
	}
	return line
}

// reverseVideo draws the cursor when the terminal gets no colour
// (NO_COLOR, a dumb terminal): lipgloss then drops every SGR attribute,
// reverse video included, and the cursor vanished. Reverse video is not
// colour, so it is kept.
var reverseVideo = func() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	return r
}()

// applyStyles gives the text input the theme's input, placeholder and cursor styles.
func (f *field) applyStyles(st theme.Styles) {
	f.in.TextStyle = st.Input
	f.in.PlaceholderStyle = st.Placeholder
	f.in.Cursor.Style = st.Cursor
	if lipgloss.ColorProfile() == termenv.Ascii {
		f.in.Cursor.Style = reverseVideo.NewStyle()
	}
}

// note is what stands beside the field, and its style: its error once
// touched, else its hint.
func (f *field) note(st theme.Styles) (string, func(...string) string) {
	if f.err != "" && f.touched {
		return "✗ " + f.err, st.Error.Render
	}
	if f.hint != "" {
		return f.hint, st.Subtle.Render
	}
	return "", nil
}
