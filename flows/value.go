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

// Unit is a named scale of an amount: one of it is 10^Decimals base units
// (ETH = 18, gwei = 9, wei = 0; an 18-decimal token's symbol = 18).
type Unit struct {
	Name     string
	Decimals int
}

// Native units, the ones ParseValue takes.
var (
	UnitETH    = Unit{"ETH", apiclient.EtherDecimals}
	UnitGwei   = Unit{"gwei", 9}
	UnitWei    = Unit{"wei", 0}
	unitEther  = Unit{"ether", apiclient.EtherDecimals}
	UnitBase   = Unit{"", 0} // an argument's own base units
	nativeUnit = []Unit{UnitETH, unitEther, UnitGwei, UnitWei}
)

// ParseAmount reads the one amount grammar every form of the console
// takes: a number, then optionally a unit, with or without a space, in any
// case. The number is digits with at most one '.', optionally followed by
// an exponent: "0.01", ".5", "1e18", "1.5e18". Without a unit the amount is
// in def. Hex ("0x3e8") is read only for base-unit amounts (def has no
// decimals) and takes no unit. The result is exact (no floats): it must be
// a whole number of base units and fit in 256 bits. what names the field in
// errors ("value", "amount").
func ParseAmount(s, what string, def Unit, units ...Unit) (*big.Int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%s is empty: expected %s", what, amountExample(def, units))
	}
	if len(s) > 120 {
		return nil, fmt.Errorf("%s %s is too long to be an amount", what, quoteShort(s))
	}
	if strings.HasPrefix(s, "-") {
		return nil, fmt.Errorf("%s %s is negative: amounts are 0 or more", what, quoteShort(s))
	}
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok && def.Decimals == 0 {
		v, ok := new(big.Int).SetString(h, 16)
		if !ok || h == "" || strings.ContainsAny(h, "+-_") {
			return nil, fmt.Errorf("%s %s is not hexadecimal", what, quoteShort(s))
		}
		if v.BitLen() > 256 {
			return nil, fmt.Errorf("%s %s does not fit in 256 bits", what, quoteShort(s))
		}
		return v, nil
	}
	num, exp, unitText := splitAmount(s)
	u := def
	if unitText != "" {
		found := false
		for _, x := range units {
			if x.Name != "" && strings.EqualFold(x.Name, unitText) {
				u, found = x, true
				break
			}
		}
		if !found && unitNames(units) == "no unit" {
			return nil, fmt.Errorf("%s %s is not a whole number: expected %s", what, quoteShort(s), amountExample(def, units))
		}
		if !found {
			return nil, fmt.Errorf("%s %s has unknown unit %q: expected %s", what, quoteShort(s), unitText, unitNames(units))
		}
	}
	if num == "" {
		return nil, fmt.Errorf("%s %s has no number: expected %s", what, quoteShort(s), amountExample(def, units))
	}
	if !isDecimalLiteral(num) {
		return nil, fmt.Errorf("%s %s is not a decimal number: expected digits with at most one '.' and an optional exponent, e.g. %s", what, quoteShort(s), amountExample(def, units))
	}
	e := 0
	if exp != "" {
		x := strings.TrimPrefix(exp[1:], "+")
		if x == "" || !allDigits(x) || len(x) > 2 {
			return nil, fmt.Errorf("%s %s has a bad exponent: expected e.g. 1e18 (exponent 0 to 77)", what, quoteShort(s))
		}
		e, _ = strconv.Atoi(x)
	}
	whole, frac, _ := strings.Cut(num, ".")
	frac = strings.TrimRight(frac, "0")
	scale := e + u.Decimals
	if len(frac) > scale {
		switch {
		case u.Decimals == 0 && exp == "" && u.Name == "wei":
			return nil, fmt.Errorf("%s %s: wei amounts are whole numbers", what, quoteShort(s))
		case u.Decimals == 0 && exp == "":
			return nil, fmt.Errorf("%s %s is not a whole number: it is in base units (write 1.5e18 for 1.5 tokens of 18 decimals)", what, quoteShort(s))
		case exp == "":
			return nil, fmt.Errorf("%s %s has more than %d decimal places, the precision of %s", what, quoteShort(s), u.Decimals, u.Name)
		}
		return nil, fmt.Errorf("%s %s is not a whole number: %s has more decimal places than the exponent %d allows", what, quoteShort(s), num, scale)
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", scale-len(frac)), "0")
	if digits == "" {
		return new(big.Int), nil
	}
	if len(digits) > 78 {
		return nil, fmt.Errorf("%s %s is too large: it does not fit in 256 bits", what, quoteShort(s))
	}
	v, _ := new(big.Int).SetString(digits, 10)
	if v.BitLen() > 256 {
		return nil, fmt.Errorf("%s %s does not fit in 256 bits", what, quoteShort(s))
	}
	return v, nil
}

// ParseValue reads a native amount (ParseAmount's grammar) and returns it
// in wei: a bare number is ETH; "0.01 ETH", "1.5 ether", "5 gwei",
// "1000 wei", "1e18 wei" ("1e-3" is refused: exponents are whole).
func ParseValue(s string) (*big.Int, error) {
	return ParseAmount(s, "value", UnitETH, nativeUnit...)
}

// ParseTokenAmount reads a token amount: a bare number (or hex) is in base
// units, "100 TST" in whole tokens of the given symbol and decimals.
func ParseTokenAmount(s, symbol string, decimals int) (*big.Int, error) {
	return ParseAmount(s, "amount", UnitBase, Unit{symbol, decimals})
}

// splitAmount splits "1.5e18 wei" / "0.01eth" into number, exponent
// ("e18", "" when none) and unit. An 'e' starts an exponent only when a
// digit or sign follows it, so "0.01eth" keeps its unit.
func splitAmount(s string) (num, exp, unit string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == ',') {
		i++
	}
	num = s[:i]
	if i+1 < len(s) && (s[i] == 'e' || s[i] == 'E') && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '+' || s[i+1] == '-') {
		j := i + 1
		for j < len(s) && !unicode.IsSpace(rune(s[j])) && !unicode.IsLetter(rune(s[j])) {
			j++
		}
		exp, i = s[i:j], j
	}
	rest := strings.TrimSpace(s[i:])
	if rest != "" && !unicode.IsLetter([]rune(rest)[0]) {
		// "1 1", "1.2.3x", "١٢": not a number followed by a unit
		return s, "", ""
	}
	return num, exp, rest
}

func unitNames(units []Unit) string {
	var names []string
	for _, u := range units {
		if u.Name != "" && u.Name != "ether" {
			names = append(names, u.Name)
		}
	}
	switch len(names) {
	case 0:
		return "no unit"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func amountExample(def Unit, units []Unit) string {
	if def.Decimals == 18 && def.Name == "ETH" {
		return "an amount such as 0.01 (ETH), 5 gwei, 1000 wei or 1e18 wei"
	}
	ex := "a whole number such as 1000 or 100e18"
	for _, u := range units {
		if u.Name != "" {
			ex += ", or 100 " + u.Name
		}
	}
	return ex
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
