package flows

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"

	"walletconsole/apiclient"
)

// maxInputLen bounds every free-text field so pathological input costs
// nothing; no legitimate value, period, duration or signature comes close.
const maxInputLen = 4096

// ParseValue reads a native amount and returns it in wei, exactly (no
// floats). A bare number is ETH; a unit may follow, with or without a space,
// in any case: "0.01", "0.01 ETH", "0.01eth", "1.5 ether", "5 gwei",
// "1000 wei". ETH takes up to 18 decimal places, gwei up to 9, wei none.
// Signs, exponents, separators and anything else are refused.
func ParseValue(s string) (*big.Int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("value is empty: expected an amount such as 0.01 (ETH), 5 gwei or 1000 wei")
	}
	if len(s) > 120 {
		return nil, fmt.Errorf("value %s is too long to be an amount", quoteShort(s))
	}
	num, unit := splitUnit(s)
	decimals := apiclient.EtherDecimals
	unitName := "ETH"
	switch strings.ToLower(unit) {
	case "", "eth", "ether":
	case "gwei":
		decimals, unitName = 9, "gwei"
	case "wei":
		decimals, unitName = 0, "wei"
	default:
		return nil, fmt.Errorf("value %s has unknown unit %q: expected ETH, gwei or wei", quoteShort(s), unit)
	}
	if strings.HasPrefix(num, "-") {
		return nil, fmt.Errorf("value %s is negative: amounts are 0 or more", quoteShort(s))
	}
	if num == "" {
		return nil, fmt.Errorf("value %s has no number: expected e.g. 0.01 ETH", quoteShort(s))
	}
	if !isDecimalLiteral(num) {
		return nil, fmt.Errorf("value %s is not a decimal number: expected digits with at most one '.', e.g. 0.01 ETH", quoteShort(s))
	}
	if _, frac, ok := strings.Cut(num, "."); ok && len(strings.TrimRight(frac, "0")) > decimals {
		if decimals == 0 {
			return nil, fmt.Errorf("value %s: wei amounts are whole numbers", quoteShort(s))
		}
		return nil, fmt.Errorf("value %s has more than %d decimal places, the precision of %s", quoteShort(s), decimals, unitName)
	}
	v, err := apiclient.ParseUnits(trimFracZeros(num), decimals)
	if err != nil {
		return nil, fmt.Errorf("value %s: %v", quoteShort(s), err)
	}
	return v, nil
}

// splitUnit splits "0.01eth" / "0.01 ETH" into number and unit.
func splitUnit(s string) (num, unit string) {
	i := strings.IndexFunc(s, unicode.IsLetter)
	if i < 0 {
		return s, ""
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i:])
}

func isDecimalLiteral(s string) bool {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return false
	}
	if hasDot && strings.Contains(frac, ".") {
		return false
	}
	return allDigits(whole) && allDigits(frac)
}

// trimFracZeros drops trailing fractional zeros ("1.500" → "1.5", "2." → "2").
func trimFracZeros(s string) string {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok {
		return s
	}
	frac = strings.TrimRight(frac, "0")
	if whole == "" {
		whole = "0"
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatValue renders wei for people and for the editor, in a form
// ParseValue reads back exactly: "0 ETH", "0.01 ETH", "5 gwei", "1000 wei".
// ETH is used unless it would need more than 9 decimal places.
func FormatValue(wei *big.Int) string {
	if wei == nil || wei.Sign() == 0 {
		return "0 ETH"
	}
	eth := apiclient.FormatEther(wei)
	if _, frac, _ := strings.Cut(eth, "."); len(frac) <= 9 {
		return eth + " ETH"
	}
	if new(big.Int).Mod(wei, big.NewInt(1_000_000_000)).Sign() == 0 && wei.BitLen() < 200 {
		return apiclient.FormatUnits(wei, 9) + " gwei"
	}
	return wei.String() + " wei"
}

// formatDecimalValue renders a wire Decimal of wei with FormatValue, or the
// raw text when it is not a valid number.
func formatDecimalValue(d apiclient.Decimal) string {
	v, err := d.Big()
	if err != nil {
		return string(d)
	}
	return FormatValue(v)
}

// MaxPeriod is the longest allowance period ParsePeriod accepts: the
// longest session (365 days); a longer window is a lifetime limit.
const MaxPeriod = 365 * 24 * time.Hour

// ParsePeriod reads an allowance period: a whole number of seconds
// ("3600"), or whole numbers with units, combinable: "90s", "90m", "1h",
// "1h30m", "1d", "7d", "1w". Units: s, m, h, d (24 h), w (7 d), also spelt
// out (sec, min, hour, day, week and plurals). It must be more than zero
// and at most 365 days.
func ParsePeriod(s string) (time.Duration, error) {
	d, err := parseUnitDuration(s, "period")
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("period %s is zero: expected a length of time such as 1h or 1d", quoteShort(s))
	}
	if d > MaxPeriod {
		return 0, fmt.Errorf("period %s is longer than 365 days, the longest session: use a lifetime limit instead", quoteShort(s))
	}
	return d, nil
}

var durationUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "wk": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// parseUnitDuration reads "3600", "90m", "1h30m", "2 days", "1d 12h". what
// names the field in messages. Negative input is refused with its own
// message; zero is returned as 0 for the caller to judge.
func parseUnitDuration(s, what string) (time.Duration, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%s is empty: expected a length of time such as 90m, 1h or 7d", what)
	}
	if len(s) > 64 {
		return 0, fmt.Errorf("%s %s is too long", what, quoteShort(orig))
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%s %s is negative: expected a length of time more than zero", what, quoteShort(orig))
	}
	s = strings.TrimPrefix(s, "+")
	if allDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > int64(100*MaxPeriod/time.Second) {
			return 0, fmt.Errorf("%s %s is too large: at most 365 days", what, quoteShort(orig))
		}
		return time.Duration(n) * time.Second, nil
	}
	const limit = 100 * MaxPeriod // far beyond anything accepted; keeps sums from overflowing
	var total time.Duration
	rest := s
	for rest != "" {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			if rest[0] == '.' || rest[0] == ',' {
				return 0, fmt.Errorf("%s %s: use whole numbers, e.g. 1h30m instead of 1.5h", what, quoteShort(orig))
			}
			return 0, fmt.Errorf("%s %s is not a length of time: expected e.g. 90s, 90m, 1h, 1d, 1w or seconds", what, quoteShort(orig))
		}
		numStr := rest[:i]
		rest = strings.TrimLeft(rest[i:], " ")
		if rest != "" && (rest[0] == '.' || rest[0] == ',') {
			return 0, fmt.Errorf("%s %s: use whole numbers, e.g. 1h30m instead of 1.5h", what, quoteShort(orig))
		}
		j := 0
		for j < len(rest) && ((rest[j] >= 'a' && rest[j] <= 'z') || (rest[j] >= 'A' && rest[j] <= 'Z')) {
			j++
		}
		unitStr := strings.ToLower(rest[:j])
		rest = rest[j:]
		if unitStr == "" {
			return 0, fmt.Errorf("%s %s: the number %s has no unit: expected s, m, h, d or w", what, quoteShort(orig), numStr)
		}
		unit, ok := durationUnits[unitStr]
		if !ok {
			return 0, fmt.Errorf("%s %s has unknown unit %q: expected s, m, h, d or w", what, quoteShort(orig), unitStr)
		}
		n, err := strconv.ParseInt(numStr, 10, 64)
		if err != nil || n > int64(limit/unit) {
			return 0, fmt.Errorf("%s %s is too large: at most 365 days", what, quoteShort(orig))
		}
		total += time.Duration(n) * unit
		if total > limit {
			return 0, fmt.Errorf("%s %s is too large: at most 365 days", what, quoteShort(orig))
		}
	}
	return total, nil
}

// FormatPeriod renders a duration compactly in the form ParsePeriod reads:
// "7d", "1d12h", "1h30m", "90s". Sub-second parts are dropped.
func FormatPeriod(d time.Duration) string {
	if d < time.Second {
		return "0s"
	}
	secs := int64(d / time.Second)
	var b strings.Builder
	for _, u := range []struct {
		n    int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if secs >= u.n {
			fmt.Fprintf(&b, "%d%s", secs/u.n, u.name)
			secs %= u.n
		}
	}
	return b.String()
}

// formatPeriodDecimal renders a wire period (seconds) with FormatPeriod, or
// as raw seconds when it is huge or invalid.
func formatPeriodDecimal(d apiclient.Decimal) string {
	v, err := d.Big()
	if err != nil {
		return string(d)
	}
	if !v.IsInt64() || v.Int64() > int64(100*MaxPeriod/time.Second) {
		return v.String()
	}
	return FormatPeriod(time.Duration(v.Int64()) * time.Second)
}

// quoteShort quotes user input for an error message, cut to a readable length.
func quoteShort(s string) string {
	const n = 40
	r := []rune(s)
	if len(r) > n {
		return strconv.Quote(string(r[:n])) + "…"
	}
	return strconv.Quote(s)
}
