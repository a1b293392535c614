package flows

import (
	"fmt"
	"strings"
	"time"
)

// MaxSessionDuration is the API's longest session: 365 days (31,536,000 s).
const MaxSessionDuration = 365 * 24 * time.Hour

// Preset is a ready-made session duration.
type Preset struct {
	Label    string // "15 min"
	Short    string // "15m"
	Duration time.Duration
}

// DurationPresets are the durations offered first: 15 min, 1 h, 1 day, 7 days.
var DurationPresets = []Preset{
	{"15 min", "15m", 15 * time.Minute},
	{"1 h", "1h", time.Hour},
	{"1 day", "1d", 24 * time.Hour},
	{"7 days", "7d", 7 * 24 * time.Hour},
}

// absolute time layouts, read in now's location.
var absLayouts = []string{
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// ParseSessionDuration reads how long a session key lasts and returns the
// duration from now:
//   - a preset, by label ("1 day") or shorthand ("1d");
//   - a length: "90m", "36h", "2d", "1d12h", "1w", plain seconds "3600";
//   - an absolute local time (in now's location): "2026-11-26 18:00",
//     "2026-11-26T18:00:00", "2026-11-26" (midnight), RFC 3339 with a zone
//     ("2026-11-26T18:00:00Z"), or a time of day "18:00"/"18:00:30" = its
//     next occurrence (today if still ahead, else tomorrow). The result is
//     rounded up to whole seconds, so the key lasts until at least then.
//
// Zero, negative, past and longer than 365 days (the API's maximum,
// 31,536,000 s) are refused with the reason.
func ParseSessionDuration(s string, now time.Time) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("duration is empty: expected a preset (15m, 1h, 1d, 7d), a length such as 90m or 36h, or a time such as 18:00")
	}
	if len(in) > 64 {
		return 0, fmt.Errorf("duration %s is too long", quoteShort(in))
	}
	for _, p := range DurationPresets {
		if strings.EqualFold(in, p.Label) || strings.EqualFold(in, p.Short) {
			return p.Duration, nil
		}
	}
	if t, ok, err := parseAbsolute(in, now); ok {
		if err != nil {
			return 0, err
		}
		// Compare times, not t.Sub(now): a far date overflows a Duration.
		if !t.After(now) {
			return 0, fmt.Errorf("time %s is in the past (now %s): the session must end in the future", quoteShort(in), now.Format("2006-01-02 15:04"))
		}
		if t.After(now.Add(MaxSessionDuration)) {
			return 0, fmt.Errorf("time %s is more than 365 days away, beyond the API's maximum session (31,536,000 s)", quoteShort(in))
		}
		d := t.Sub(now)
		if r := d % time.Second; r != 0 {
			d += time.Second - r
		}
		if d > MaxSessionDuration {
			return 0, fmt.Errorf("time %s is more than 365 days away, beyond the API's maximum session (31,536,000 s)", quoteShort(in))
		}
		return d, nil
	}
	d, err := parseUnitDuration(in, "duration")
	if err != nil {
		return 0, fmt.Errorf("%v, or a time such as 18:00 or 2026-11-26 18:00", err)
	}
	if d == 0 {
		return 0, fmt.Errorf("duration %s is zero: a session must last more than zero seconds", quoteShort(in))
	}
	if d > MaxSessionDuration {
		return 0, fmt.Errorf("duration %s is longer than the API's maximum session of 365 days (31,536,000 s)", quoteShort(in))
	}
	return d, nil
}

// parseAbsolute recognises absolute times; ok says the input looked like
// one (then err explains what is wrong with it).
func parseAbsolute(s string, now time.Time) (time.Time, bool, error) {
	loc := now.Location()
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true, nil
	}
	for _, l := range absLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true, nil
		}
	}
	for _, l := range []string{"15:04", "15:04:05"} {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			y, m, d := now.Date()
			at := time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), 0, loc)
			if !at.After(now) {
				at = time.Date(y, m, d+1, t.Hour(), t.Minute(), t.Second(), 0, loc)
			}
			return at, true, nil
		}
	}
	// Looks like a date or a clock time but did not parse: say so.
	if strings.Count(s, "-") >= 2 && len(s) >= 8 && s[0] >= '0' && s[0] <= '9' && !strings.HasPrefix(s, "-") {
		return time.Time{}, true, fmt.Errorf("time %s is not a valid date: expected YYYY-MM-DD HH:MM (local) or RFC 3339", quoteShort(s))
	}
	if strings.Contains(s, ":") {
		return time.Time{}, true, fmt.Errorf("time %s is not a valid time: expected HH:MM (24-hour, local) or YYYY-MM-DD HH:MM", quoteShort(s))
	}
	return time.Time{}, false, nil
}

// FormatExpiry shows when a session ends, in now's location, with the time
// left: "18:42 (in 59m)" the same day, "Nov 27 18:42 (in 1d 2h)" another
// day, "Nov 27 2027 18:42 (…)" another year, "18:42 (expired 5m ago)" past.
func FormatExpiry(now, expires time.Time) string {
	e := expires.In(now.Location())
	var at string
	switch {
	case e.Year() != now.Year():
		at = e.Format("Jan 2 2006 15:04")
	case e.YearDay() != now.YearDay():
		at = e.Format("Jan 2 15:04")
	default:
		at = e.Format("15:04")
	}
	d := e.Sub(now)
	if d <= 0 {
		if -d < time.Second {
			return at + " (expired just now)"
		}
		return at + " (expired " + humanDuration(-d) + " ago)"
	}
	return at + " (in " + humanDuration(d) + ")"
}

// humanDuration renders a positive duration with its two largest units:
// "42s", "59m", "3h 5m", "1d 2h", "364d".
func humanDuration(d time.Duration) string {
	if d < time.Minute {
		s := int64(d / time.Second)
		if d%time.Second != 0 {
			s++
		}
		return fmt.Sprintf("%ds", s)
	}
	// Round to the minute so that "in 59m59.9s" reads "in 1h" only when it is.
	mins := int64(d / time.Minute)
	days, hours, m := mins/(24*60), (mins/60)%24, mins%60
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	case hours > 0 && m > 0:
		return fmt.Sprintf("%dh %dm", hours, m)
	case hours > 0:
		return fmt.Sprintf("%dh", hours)
	}
	return fmt.Sprintf("%dm", m)
}
