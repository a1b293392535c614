package ui

import "github.com/charmbracelet/bubbles/key"

// globalKeys are the root's bindings; every screen's own bindings live in
// its file. Keep them stable: docs/keys.md, workshop scripts and the VHS
// tape depend on them.
type globalKeys struct {
	Quit     key.Binding // q, outside text fields
	ForceQ   key.Binding // ctrl+c, always
	Help     key.Binding // ?
	Copy     key.Binding // c: copy focused address/ID/hash
	Curl     key.Binding // x: copy the step's request as curl
	Inspect  key.Binding // i: request/response inspector
	Retry    key.Binding // r: retry after an error banner
	Back     key.Binding // esc
	Activity key.Binding // a: activity screen
	Sessions key.Binding // s: sessions screen
	RawWei   key.Binding // w: failure reasons in raw wei / in units
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:     key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQ:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Curl:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "copy as curl")),
		Inspect:  key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "inspector")),
		Retry:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "retry"), key.WithDisabled()),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Activity: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "activity")),
		Sessions: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sessions")),
		RawWei:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "raw wei amounts")),
	}
}

// letters are the bindings that must not fire while a field has focus.
func (k *globalKeys) letters() []*key.Binding {
	return []*key.Binding{&k.Quit, &k.Help, &k.Copy, &k.Curl, &k.Inspect, &k.Activity, &k.Sessions, &k.RawWei}
}

// Common screen bindings, shared so their help reads the same everywhere.
var (
	keyNext = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field"))
	keyPrev = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev field"))
	keyUp   = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
	keyDown = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
	// esc while the key list is open
	keyCloseHelp = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close"))
)
