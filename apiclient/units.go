package apiclient

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// EtherDecimals is the number of decimals of ETH (and of most ERC-20s).
const EtherDecimals = 18

// ParseEther turns a decimal ETH amount such as "0.01" into wei, exactly:
// no floats, at most 18 fractional digits, no sign, no exponent.
func ParseEther(s string) (*big.Int, error) { return ParseUnits(s, EtherDecimals) }

// ParseUnits turns a decimal amount with up to decimals fractional digits
// into base units, exactly.
func ParseUnits(s string, decimals int) (*big.Int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("amount is empty")
	}
	if strings.HasPrefix(s, "-") {
		return nil, fmt.Errorf("amount %q is negative", s)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if hasDot && whole == "" && frac == "" {
		return nil, fmt.Errorf("amount %q has no digits", s)
	}
	if !allDigits(whole) || !allDigits(frac) {
		return nil, fmt.Errorf("amount %q is not a decimal number (digits and one '.')", s)
	}
	if len(frac) > decimals {
		return nil, fmt.Errorf("amount %q has more than %d decimal places", s, decimals)
	}
	if len(whole)+decimals > 80 {
		return nil, fmt.Errorf("amount %q is too large", s)
	}
	digits := whole + frac + strings.Repeat("0", decimals-len(frac))
	v, ok := new(big.Int).SetString(strings.TrimLeft(digits, "0")+"0", 10)
	if !ok {
		return nil, fmt.Errorf("amount %q is not a decimal number", s)
	}
	v.Div(v, big.NewInt(10)) // undo the guard digit that keeps SetString off an empty string
	if v.BitLen() > 256 {
		return nil, fmt.Errorf("amount %q does not fit in 256 bits", s)
	}
	return v, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// FormatEther renders wei as ETH without trailing zeros ("0.01", "1", "0").
func FormatEther(wei *big.Int) string { return FormatUnits(wei, EtherDecimals) }

// FormatUnits renders base units with the given decimals, trimmed.
func FormatUnits(v *big.Int, decimals int) string {
	if v == nil {
		return "0"
	}
	neg := v.Sign() < 0
	s := new(big.Int).Abs(v).String()
	if len(s) <= decimals {
		s = strings.Repeat("0", decimals-len(s)+1) + s
	}
	whole, frac := s[:len(s)-decimals], strings.TrimRight(s[len(s)-decimals:], "0")
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// ParseAddress checks a hex address: 0x + 40 hex digits, and when the
// letters are mixed case, a valid EIP-55 checksum (a wrong checksum usually
// means a typo). It returns the address; Hex() gives the EIP-55 form.
func ParseAddress(s string) (common.Address, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return common.Address{}, fmt.Errorf("address is empty")
	}
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return common.Address{}, fmt.Errorf("address %s must start with 0x", ShortHex(s))
	}
	if len(s) != 42 {
		return common.Address{}, fmt.Errorf("address %s has %d hex digits, want 40", ShortHex(s), len(s)-2)
	}
	if !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("address %s is not hexadecimal", ShortHex(s))
	}
	a := common.HexToAddress(s)
	body := s[2:]
	if body != strings.ToLower(body) && body != strings.ToUpper(body) && a.Hex() != "0x"+body {
		return common.Address{}, fmt.Errorf("address %s has a bad EIP-55 checksum (expected %s)", ShortHex(s), a.Hex())
	}
	return a, nil
}

// Checksum returns the EIP-55 form of a valid address, or s unchanged.
func Checksum(s string) string {
	if common.IsHexAddress(s) {
		return common.HexToAddress(s).Hex()
	}
	return s
}

// SameAddress compares two addresses case-insensitively (both must be valid).
func SameAddress(a, b string) bool {
	return common.IsHexAddress(a) && common.IsHexAddress(b) && common.HexToAddress(a) == common.HexToAddress(b)
}

// ShortHex shortens a long hex string in the middle, keeping the prefix and
// both ends: 0x1234…abcd. Short strings are returned as they are.
func ShortHex(s string) string {
	if len(s) <= 14 {
		return s
	}
	return s[:6] + "…" + s[len(s)-4:]
}
