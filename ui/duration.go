package ui

import (
	"fmt"
	"time"

	"walletconsole/flows"
)

// durationEditor picks how long the session key lasts: one of
// flows.DurationPresets (left/right on the picker row) or "custom", which
// shows a text field taking anything flows.ParseSessionDuration reads
// ("90m", "36h", "2026-11-26 18:00", "18:00"). The custom text is kept when
// the user cycles back to a preset, so nothing typed is lost.
type durationEditor struct {
	idx    int    // index into flows.DurationPresets; len(presets) = custom
	custom *field // key "duration"
}

// defaultPreset is the preset the screen opens on (1 h).
const defaultPreset = 1

func newDurationEditor() *durationEditor {
	d := &durationEditor{idx: defaultPreset}
	// Validation is the screen's (revalidate), like every other field.
	d.custom = newField("duration", "Custom", "e.g. 90m, 36h, 18:00, 2026-11-26 18:00", nil)
	return d
}

// isCustom reports whether the custom field is in use.
func (d *durationEditor) isCustom() bool { return d.idx >= len(flows.DurationPresets) }

// options are the picker's choices, presets then "custom".
func (d *durationEditor) options() []string {
	o := make([]string, 0, len(flows.DurationPresets)+1)
	for _, p := range flows.DurationPresets {
		o = append(o, p.Label)
	}
	return append(o, "custom")
}

// cycle moves the picker by delta, wrapping.
func (d *durationEditor) cycle(delta int) {
	n := len(flows.DurationPresets) + 1
	d.idx = ((d.idx+delta)%n + n) % n
}

// resolve returns the chosen duration at now, or why it is invalid.
func (d *durationEditor) resolve(now time.Time) (time.Duration, error) {
	if !d.isCustom() {
		return flows.DurationPresets[d.idx].Duration, nil
	}
	return flows.ParseSessionDuration(d.custom.Value(), now)
}

// set selects the preset equal to dur, else custom with dur written as
// flows.FormatPeriod does ("90m", "1d12h").
func (d *durationEditor) set(dur time.Duration) {
	for i, p := range flows.DurationPresets {
		if p.Duration == dur {
			d.idx = i
			return
		}
	}
	d.idx = len(flows.DurationPresets)
	d.custom.SetValue(flows.FormatPeriod(dur))
}

// expiry is the note beside the picker: "expires 18:42 (in 59m)", or ""
// when the custom value is invalid (its field says why).
func (d *durationEditor) expiry(now time.Time) string {
	dur, err := d.resolve(now)
	if err != nil {
		return ""
	}
	return "expires " + flows.FormatExpiry(now, now.Add(dur))
}

// label is the picker's current choice, e.g. "‹ 1 h ›".
func (d *durationEditor) label() string {
	return fmt.Sprintf("‹ %s ›", d.options()[d.idx])
}
