package ui

import (
	"strings"
	"testing"
	"time"
)

func TestDurationEditorPresetsCustomAndSet(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	d := newDurationEditor()
	if got, err := d.resolve(now); err != nil || got != time.Hour {
		t.Fatalf("default = %v %v, want 1h", got, err)
	}
	if e := d.expiry(now); e != "expires 16:00 (in 1h)" {
		t.Errorf("expiry = %q", e)
	}
	d.cycle(-2) // 1 h → 15 min → custom (wraps)
	if !d.isCustom() || d.label() != "‹ custom ›" {
		t.Fatalf("label %q", d.label())
	}
	d.custom.SetValue("18:30")
	if got, err := d.resolve(now); err != nil || got != 3*time.Hour+30*time.Minute {
		t.Errorf("18:30 = %v %v", got, err)
	}
	d.custom.SetValue("0")
	if _, err := d.resolve(now); err == nil || d.expiry(now) != "" {
		t.Errorf("0 accepted (expiry %q)", d.expiry(now))
	}
	d.set(7 * 24 * time.Hour)
	if d.isCustom() || !strings.Contains(d.label(), "7 days") {
		t.Errorf("set(7d) → %q", d.label())
	}
	d.set(90 * time.Minute)
	if !d.isCustom() || d.custom.Value() != "1h30m" {
		t.Errorf("set(90m) → custom %q", d.custom.Value())
	}
	if got, _ := d.resolve(now); got != 90*time.Minute {
		t.Errorf("resolve after set(90m) = %v", got)
	}
}
