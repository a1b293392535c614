package flows

import (
	"strings"
	"testing"
	"time"
)

var testLoc = time.FixedZone("TST", 2*3600)

// now is Wed 2026-11-25 17:43:20.5 local.
var testNow = time.Date(2026, 11, 25, 17, 43, 20, 500_000_000, testLoc)

func TestParseSessionDuration(t *testing.T) {
	ok := map[string]time.Duration{
		"15 min": 15 * time.Minute, "15m": 15 * time.Minute, "1 h": time.Hour, "1h": time.Hour,
		"1 day": 24 * time.Hour, "1d": 24 * time.Hour, "7 days": 7 * 24 * time.Hour, "7D": 7 * 24 * time.Hour,
		"90m": 90 * time.Minute, "36h": 36 * time.Hour, "2d": 48 * time.Hour, "3600": time.Hour, "365d": 365 * 24 * time.Hour,
		// absolute: rounded up to whole seconds
		"18:00":                     16*time.Minute + 40*time.Second,
		"17:00":                     23*time.Hour + 16*time.Minute + 40*time.Second, // tomorrow
		"2026-11-26 18:00":          24*time.Hour + 16*time.Minute + 40*time.Second,
		"2026-11-26T18:00:00+02:00": 24*time.Hour + 16*time.Minute + 40*time.Second,
		"2026-11-26T16:00:00Z":      24*time.Hour + 16*time.Minute + 40*time.Second,
		"2026-11-26":                6*time.Hour + 16*time.Minute + 40*time.Second,
	}
	for in, want := range ok {
		got, err := ParseSessionDuration(in, testNow)
		if err != nil || got != want {
			t.Errorf("ParseSessionDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                 "empty",
		"0":                "zero",
		"0m":               "zero",
		"-1h":              "negative",
		"366d":             "365 days",
		"31536001":         "365 days",
		"2026-11-25 10:00": "in the past",
		"2027-12-01 10:00": "365 days",
		"7000-01-01":       "365 days",
		"2026-11-25 17:43": "in the past",
		"2026-13-01 10:00": "not a valid date",
		"25:00":            "not a valid time",
		"soon":             "not a length of time",
		"1.5h":             "whole numbers",
	}
	for in, want := range bad {
		_, err := ParseSessionDuration(in, testNow)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSessionDuration(%q) error = %v, want %q", in, err, want)
		}
	}
}

func TestFormatExpiry(t *testing.T) {
	now := time.Date(2026, 11, 25, 17, 43, 0, 0, testLoc)
	cases := []struct {
		exp  time.Time
		want string
	}{
		{now.Add(59*time.Minute + 30*time.Second), "18:42 (in 59m)"},
		{now.Add(42 * time.Second), "17:43 (in 42s)"},
		{now.Add(3*time.Hour + 5*time.Minute), "20:48 (in 3h 5m)"},
		{now.Add(26*time.Hour + 59*time.Minute), "Nov 26 20:42 (in 1d 2h)"},
		{now.Add(7 * 24 * time.Hour), "Dec 2 17:43 (in 7d)"},
		{now.Add(60 * 24 * time.Hour), "Jan 24 2027 17:43 (in 60d)"},
		{now.Add(-5 * time.Minute), "17:38 (expired 5m ago)"},
		{now, "17:43 (expired just now)"},
		{now.Add(time.Hour).UTC(), "18:43 (in 1h)"}, // shown in now's zone
	}
	for _, c := range cases {
		if got := FormatExpiry(now, c.exp); got != c.want {
			t.Errorf("FormatExpiry(%v) = %q, want %q", c.exp, got, c.want)
		}
	}
}

func TestDurationPresets(t *testing.T) {
	want := []time.Duration{15 * time.Minute, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}
	if len(DurationPresets) != len(want) {
		t.Fatalf("%d presets", len(DurationPresets))
	}
	for i, p := range DurationPresets {
		if p.Duration != want[i] {
			t.Errorf("preset %d = %v", i, p.Duration)
		}
		for _, s := range []string{p.Label, p.Short} {
			if d, err := ParseSessionDuration(s, testNow); err != nil || d != p.Duration {
				t.Errorf("ParseSessionDuration(%q) = %v, %v", s, d, err)
			}
		}
	}
}
