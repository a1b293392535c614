// Package theme holds every colour of the console. Screens ask for a role
// (st.Error, st.Address), never for a colour: colour literals live only here.
//
// Three palettes:
//   - Default: adaptive light/dark colours taken from the ANSI 16-colour
//     palette, so the user's terminal scheme still applies. Resolving an
//     AdaptiveColor reads lipgloss.HasDarkBackground(), which bubbletea
//     already queried once at init; nothing here queries the terminal again.
//   - Projector: high contrast for beamers and screen recordings. Text uses
//     the terminal's own foreground (always the furthest from its own
//     background), statuses are explicit foreground-on-background pairs, so
//     the result does not depend on the background at all; addresses and
//     hashes are bold; nothing meaningful is faint or grey.
//   - Plain: no colour at all (NO_COLOR). Meaning is carried by characters
//     (› focus, [x] selection, ✓/✗ outcomes) and words (PENDING, CONFIRMED,
//     FAILED), which every palette prints anyway.
package theme

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// Palette names colours by role.
type Palette struct {
	Name string

	Text      lipgloss.TerminalColor // body text
	Muted     lipgloss.TerminalColor // secondary text; never the only carrier of meaning
	Primary   lipgloss.TerminalColor // titles, focus
	Accent    lipgloss.TerminalColor // selection, keys in help
	Success   lipgloss.TerminalColor
	Warning   lipgloss.TerminalColor // pending work
	Danger    lipgloss.TerminalColor
	Address   lipgloss.TerminalColor
	Hash      lipgloss.TerminalColor
	Border    lipgloss.TerminalColor
	BannerFg  lipgloss.TerminalColor // error banner text on BannerBg
	BannerBg  lipgloss.TerminalColor
	HeaderFg  lipgloss.TerminalColor
	HeaderBg  lipgloss.TerminalColor
	SelectFg  lipgloss.TerminalColor // selected row
	SelectBg  lipgloss.TerminalColor
	BadgeOKFg lipgloss.TerminalColor // status words as badges (projector); nil = coloured text
	BadgeOKBg lipgloss.TerminalColor
	BadgePdFg lipgloss.TerminalColor
	BadgePdBg lipgloss.TerminalColor
	BadgeErFg lipgloss.TerminalColor
	BadgeErBg lipgloss.TerminalColor

	BoldAddresses bool // projector: addresses and hashes bold
	Plain         bool // no colour, no attributes beyond what NO_COLOR keeps
}

// Styles are the rendered roles every screen uses.
type Styles struct {
	Title       lipgloss.Style // screen and section titles
	Subtle      lipgloss.Style // hints, secondary text
	Label       lipgloss.Style // field and key/value labels
	Value       lipgloss.Style // plain values beside labels
	Focused     lipgloss.Style // label of the focused field (with the › marker)
	Blurred     lipgloss.Style // label of an unfocused field
	Input       lipgloss.Style // text inside inputs
	Placeholder lipgloss.Style // input placeholders
	Cursor      lipgloss.Style
	Error       lipgloss.Style // validation messages beside fields
	ErrorBanner lipgloss.Style // API/network error banner on a step
	Warn        lipgloss.Style // confirmations, caution text
	OK          lipgloss.Style // CONFIRMED, ✓
	Pending     lipgloss.Style // QUEUED/SUBMITTED, spinner
	Failed      lipgloss.Style // FAILED, ✗
	Address     lipgloss.Style
	Hash        lipgloss.Style // tx hashes, tx IDs, selectors
	Code        lipgloss.Style // JSON preview, curl
	Box         lipgloss.Style // bordered panel (summary, inspector)
	ActiveBox   lipgloss.Style // bordered panel with focus
	Selected    lipgloss.Style // selected list row
	Key         lipgloss.Style // a key name in prose ("press enter")
	Help        lipgloss.Style // footer help text
	Header      lipgloss.Style // header bar
	Footer      lipgloss.Style // footer bar (status line + help)
	Status      lipgloss.Style // status line messages ("copied …")

	// Help styles for bubbles/help, built from the palette (the bubbles
	// defaults are faint grey, unreadable on a projector).
	HelpStyles help.Styles
}

// Theme is a palette and the styles built from it.
type Theme struct {
	Name    string
	Palette Palette
	Styles  Styles
}

// Names lists the theme names accepted by ByName.
var Names = []string{"default", "projector", "plain"}

func ac(light, dark string) lipgloss.AdaptiveColor {
	return lipgloss.AdaptiveColor{Light: light, Dark: dark}
}

// DefaultPalette is adaptive: ANSI colour numbers picked per background.
func DefaultPalette() Palette {
	return Palette{
		Name:     "default",
		Text:     lipgloss.NoColor{},
		Muted:    ac("8", "7"),
		Primary:  ac("4", "12"),
		Accent:   ac("5", "13"),
		Success:  ac("2", "10"),
		Warning:  ac("3", "11"),
		Danger:   ac("1", "9"),
		Address:  ac("6", "14"),
		Hash:     ac("5", "13"),
		Border:   ac("8", "8"),
		BannerFg: ac("15", "15"),
		BannerBg: ac("1", "1"),
		HeaderFg: ac("15", "0"),
		HeaderBg: ac("4", "12"),
		SelectFg: ac("15", "0"),
		SelectBg: ac("5", "13"),
	}
}

// ProjectorPalette is high contrast and independent of the background.
func ProjectorPalette() Palette {
	return Palette{
		Name:          "projector",
		Text:          lipgloss.NoColor{},
		Muted:         lipgloss.NoColor{}, // no faint grey: secondary text is plain text
		Primary:       lipgloss.NoColor{},
		Accent:        lipgloss.NoColor{},
		Success:       lipgloss.NoColor{},
		Warning:       lipgloss.NoColor{},
		Danger:        lipgloss.NoColor{},
		Address:       lipgloss.NoColor{},
		Hash:          lipgloss.NoColor{},
		Border:        lipgloss.NoColor{},
		BannerFg:      lipgloss.Color("15"),
		BannerBg:      lipgloss.Color("1"),
		HeaderFg:      lipgloss.Color("15"),
		HeaderBg:      lipgloss.Color("4"),
		SelectFg:      lipgloss.Color("0"),
		SelectBg:      lipgloss.Color("11"),
		BadgeOKFg:     lipgloss.Color("0"),
		BadgeOKBg:     lipgloss.Color("10"),
		BadgePdFg:     lipgloss.Color("0"),
		BadgePdBg:     lipgloss.Color("11"),
		BadgeErFg:     lipgloss.Color("15"),
		BadgeErBg:     lipgloss.Color("1"),
		BoldAddresses: true,
	}
}

// PlainPalette has no colour (NO_COLOR, --theme plain).
func PlainPalette() Palette {
	n := lipgloss.NoColor{}
	return Palette{
		Name: "plain", Text: n, Muted: n, Primary: n, Accent: n, Success: n, Warning: n,
		Danger: n, Address: n, Hash: n, Border: n, BannerFg: n, BannerBg: n,
		HeaderFg: n, HeaderBg: n, SelectFg: n, SelectBg: n, Plain: true,
	}
}

// Default is the adaptive theme.
func Default() Theme { return New(DefaultPalette()) }

// Projector is the high-contrast theme.
func Projector() Theme { return New(ProjectorPalette()) }

// Plain is the colourless theme.
func Plain() Theme { return New(PlainPalette()) }

// ByName returns the theme called name ("" = default).
func ByName(name string) (Theme, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "default":
		return Default(), nil
	case "projector":
		return Projector(), nil
	case "plain", "none", "no-color":
		return Plain(), nil
	}
	return Theme{}, fmt.Errorf("unknown theme %q (want %s)", name, strings.Join(Names, ", "))
}

// Select picks the theme for a run: NO_COLOR (any non-empty value) forces
// Plain, as https://no-color.org asks; otherwise the named theme.
func Select(name string, getenv func(string) string) (Theme, error) {
	t, err := ByName(name)
	if err != nil {
		return t, err
	}
	if getenv != nil && getenv("NO_COLOR") != "" {
		return Plain(), nil
	}
	return t, nil
}

// New builds the styles of a palette.
func New(p Palette) Theme {
	s := lipgloss.NewStyle
	fg := func(c lipgloss.TerminalColor) lipgloss.Style { return s().Foreground(c) }
	badge := func(f, b, fall lipgloss.TerminalColor) lipgloss.Style {
		if f != nil && b != nil {
			return s().Foreground(f).Background(b).Bold(true)
		}
		return fg(fall).Bold(true)
	}
	var st Styles
	if p.Plain {
		plain := s()
		st = Styles{
			Title: plain, Subtle: plain, Label: plain, Value: plain, Focused: plain, Blurred: plain,
			// a placeholder must never look like a typed value (beside an
			// error above all): faint italic are attributes, not colours
			Input: plain, Placeholder: s().Faint(true).Italic(true), Cursor: plain, Error: plain, ErrorBanner: plain, Warn: plain,
			OK: plain, Pending: plain, Failed: plain, Address: plain, Hash: plain, Code: plain,
			Box:       s().Border(lipgloss.NormalBorder()).Padding(0, 1),
			ActiveBox: s().Border(lipgloss.DoubleBorder()).Padding(0, 1),
			Selected:  plain, Key: plain, Help: plain, Header: plain, Footer: plain, Status: plain,
		}
		st.HelpStyles = help.Styles{Ellipsis: plain, ShortKey: plain, ShortDesc: plain, ShortSeparator: plain,
			FullKey: plain, FullDesc: plain, FullSeparator: plain}
		return Theme{Name: p.Name, Palette: p, Styles: st}
	}
	st = Styles{
		Title:       fg(p.Primary).Bold(true),
		Subtle:      fg(p.Muted),
		Label:       fg(p.Text).Bold(true),
		Value:       fg(p.Text),
		Focused:     fg(p.Primary).Bold(true),
		Blurred:     fg(p.Text),
		Input:       fg(p.Text),
		Placeholder: fg(p.Muted),
		Cursor:      fg(p.Primary),
		Error:       fg(p.Danger).Bold(true),
		ErrorBanner: s().Foreground(p.BannerFg).Background(p.BannerBg).Bold(true).Padding(0, 1),
		Warn:        fg(p.Warning).Bold(true),
		OK:          badge(p.BadgeOKFg, p.BadgeOKBg, p.Success),
		Pending:     badge(p.BadgePdFg, p.BadgePdBg, p.Warning),
		Failed:      badge(p.BadgeErFg, p.BadgeErBg, p.Danger),
		Address:     fg(p.Address).Bold(p.BoldAddresses),
		Hash:        fg(p.Hash).Bold(p.BoldAddresses),
		Code:        fg(p.Text),
		Box:         s().Border(lipgloss.RoundedBorder()).BorderForeground(p.Border).Padding(0, 1),
		ActiveBox:   s().Border(lipgloss.RoundedBorder()).BorderForeground(p.Primary).Padding(0, 1),
		Selected:    s().Foreground(p.SelectFg).Background(p.SelectBg).Bold(true),
		Key:         fg(p.Accent).Bold(true),
		Help:        fg(p.Muted),
		Header:      s().Foreground(p.HeaderFg).Background(p.HeaderBg).Bold(true),
		Footer:      fg(p.Muted),
		Status:      fg(p.Success).Bold(true),
	}
	if p.Name == "projector" {
		st.Focused = st.Focused.Underline(true)
		st.ActiveBox = st.ActiveBox.Border(lipgloss.ThickBorder())
		st.Box = st.Box.Border(lipgloss.NormalBorder())
	}
	st.HelpStyles = help.Styles{
		Ellipsis:       fg(p.Muted),
		ShortKey:       fg(p.Accent).Bold(true),
		ShortDesc:      fg(p.Muted),
		ShortSeparator: fg(p.Muted),
		FullKey:        fg(p.Accent).Bold(true),
		FullDesc:       fg(p.Muted),
		FullSeparator:  fg(p.Muted),
	}
	return Theme{Name: p.Name, Palette: p, Styles: st}
}

// StatusWord renders a transaction status word in its style: CONFIRMED ok,
// FAILED failed, UNKNOWN (the API does not know the ID) a warning,
// anything else pending. The word itself carries the meaning.
func (s Styles) StatusWord(status string) string {
	switch strings.ToUpper(status) {
	case "CONFIRMED":
		return s.OK.Render(status)
	case "FAILED", "CANCELLED":
		return s.Failed.Render(status)
	case "UNKNOWN":
		return s.Warn.Render(status)
	default:
		return s.Pending.Render(status)
	}
}
