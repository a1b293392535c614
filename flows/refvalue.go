package flows

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"walletconsole/apiclient"
)

// rawWordType is the pseudo-type of a constrained word whose argument type
// is unknown (raw selector, or a word that is not an argument's head): the
// value is 0x + 64 hex digits, or a whole number (see ParseArgAmount).
const rawWordType = "word"

// EncodeRefValue encodes a constraint's reference value, written in the
// argument's type, as the 32-byte ABI word the contract compares against
// (0x + 64 lowercase hex):
//   - address: 0x + 40 hex, EIP-55 checked when mixed case; left-padded;
//   - uintN: a whole number (see ParseArgAmount: 1000, 100e18, 1.5e18,
//     0x3e8), at most 2^N-1;
//   - intN: a whole number with optional '-' (decimal or NNNeK), from
//     -2^(N-1) to 2^(N-1)-1, two's complement over 256 bits;
//   - bool: true/false (or 1/0);
//   - bytesN: 0x + exactly 2N hex digits, left-aligned (zero bytes after).
//
// Dynamic types (string, bytes, T[]) and static tuples and fixed arrays
// cannot be constrained by value: the word at their index is an offset or
// only their first member.
func EncodeRefValue(argType, s string) (string, error) {
	w, err := encodeWord(argType, s)
	if err != nil {
		return "", err
	}
	return "0x" + hex.EncodeToString(w[:]), nil
}

func encodeWord(argType, s string) ([32]byte, error) {
	var w [32]byte
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return w, fmt.Errorf("value %s is too long", quoteShort(s))
	}
	kind, bits, err := classifyType(argType)
	if err != nil {
		return w, err
	}
	if s == "" {
		return w, fmt.Errorf("value is empty: expected %s", expectFor(argType))
	}
	switch kind {
	case "address":
		a, err := apiclient.ParseAddress(s)
		if err != nil {
			return w, err
		}
		copy(w[12:], a[:])
	case "bool":
		switch strings.ToLower(s) {
		case "true", "1":
			w[31] = 1
		case "false", "0":
		default:
			return w, fmt.Errorf("value %s is not a bool: expected true or false", quoteShort(s))
		}
	case "uint":
		v, err := ParseArgAmount(s)
		if err != nil {
			return w, err
		}
		if v.BitLen() > bits {
			return w, fmt.Errorf("value %s does not fit in %s (at most 2^%d-1)", quoteShort(s), argType, bits)
		}
		v.FillBytes(w[:])
	case "int":
		neg := strings.HasPrefix(s, "-")
		v, err := ParseArgAmount(strings.TrimPrefix(s, "-"))
		if err != nil {
			return w, err
		}
		if neg {
			v.Neg(v)
		}
		lo := new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), uint(bits-1)))
		hi := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(bits-1)), big.NewInt(1))
		if v.Cmp(lo) < 0 || v.Cmp(hi) > 0 {
			return w, fmt.Errorf("value %s is out of range for %s (-2^%d to 2^%d-1)", quoteShort(s), argType, bits-1, bits-1)
		}
		if v.Sign() < 0 {
			v.Add(v, new(big.Int).Lsh(big.NewInt(1), 256))
		}
		v.FillBytes(w[:])
	case "bytes":
		h, ok := strings.CutPrefix(strings.ToLower(s), "0x")
		if !ok {
			return w, fmt.Errorf("value %s must start with 0x: expected 0x + %d hex digits for %s", quoteShort(s), 2*bits, argType)
		}
		if len(h) != 2*bits {
			return w, fmt.Errorf("value %s has %d hex digits: %s takes exactly %d", quoteShort(s), len(h), argType, 2*bits)
		}
		b, err := hex.DecodeString(h)
		if err != nil {
			return w, fmt.Errorf("value %s is not hexadecimal", quoteShort(s))
		}
		copy(w[:], b)
	case rawWordType:
		if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok && len(h) == 64 {
			b, err := hex.DecodeString(h)
			if err != nil {
				return w, fmt.Errorf("value %s is not hexadecimal", quoteShort(s))
			}
			copy(w[:], b)
			return w, nil
		}
		v, err := ParseArgAmount(s)
		if err != nil {
			return w, fmt.Errorf("%v (or 0x + 64 hex digits for a raw word)", err)
		}
		v.FillBytes(w[:])
	}
	return w, nil
}

// classifyType splits a canonical type into a kind (address, bool, uint,
// int, bytes, word) and its size (bits for ints, bytes for bytesN).
func classifyType(t string) (kind string, size int, err error) {
	t = strings.TrimSpace(t)
	switch t {
	case "address", "bool":
		return t, 0, nil
	case rawWordType, "":
		return rawWordType, 256, nil
	case "uint", "int":
		return t, 256, nil
	case "string", "bytes":
		return "", 0, fmt.Errorf("a %s argument is dynamic (its word is an offset): it cannot be constrained by value", t)
	case "function":
		return "", 0, fmt.Errorf("a function-type argument cannot be constrained by value")
	}
	if strings.HasSuffix(t, "]") {
		if strings.HasSuffix(t, "[]") {
			return "", 0, fmt.Errorf("an array argument (%s) is dynamic (its word is an offset): it cannot be constrained by value", t)
		}
		return "", 0, fmt.Errorf("a fixed array argument (%s) spans several words: it cannot be constrained as one value", t)
	}
	if strings.HasPrefix(t, "(") {
		return "", 0, fmt.Errorf("a tuple argument (%s) cannot be constrained as one value", t)
	}
	for _, pre := range []string{"uint", "int", "bytes"} {
		if rest, ok := strings.CutPrefix(t, pre); ok && allDigits(rest) && rest != "" && len(rest) <= 3 {
			n, _ := strconv.Atoi(rest)
			if pre == "bytes" && n >= 1 && n <= 32 {
				return "bytes", n, nil
			}
			if pre != "bytes" && n >= 8 && n <= 256 && n%8 == 0 {
				return pre, n, nil
			}
		}
	}
	return "", 0, fmt.Errorf("type %q cannot be constrained: expected address, bool, uintN, intN or bytesN", t)
}

// expectFor describes the expected value for a type, for messages and help.
func expectFor(argType string) string {
	kind, n, err := classifyType(argType)
	if err != nil {
		return "a value"
	}
	switch kind {
	case "address":
		return "an address (0x + 40 hex)"
	case "bool":
		return "true or false"
	case "uint":
		return "a whole number such as 1000 or 100e18"
	case "int":
		return "a whole number such as -5 or 100e18"
	case "bytes":
		return fmt.Sprintf("0x + %d hex digits", 2*n)
	}
	return "0x + 64 hex digits or a whole number"
}

// ParseArgAmount reads a whole number in an argument's own units (token
// base units for ERC-20 amounts): plain digits "1000", hex "0x3e8", or
// scientific "100e18" / "1.5e18" (exact: the result must be whole; handy
// for 18-decimal tokens, 100e18 = 100 tokens). At most 2^256-1.
func ParseArgAmount(s string) (*big.Int, error) {
	return ParseAmount(s, "amount", UnitBase)
}

// FormatArgAmount renders an argument amount the way ParseArgAmount reads
// it, compactly: numbers that are whole of 10^17 or more with at
// most 4 significant decimals at 18 are shown as "150e18"/"1.5e18",
// others in plain digits.
func FormatArgAmount(v *big.Int) string {
	if v == nil {
		return "0"
	}
	if v.Sign() > 0 && v.Cmp(big.NewInt(1e17)) >= 0 {
		s := apiclient.FormatUnits(v, 18)
		if _, frac, _ := strings.Cut(s, "."); len(frac) <= 4 {
			return s + "e18"
		}
	}
	return v.String()
}

// DecodeRefValue renders a 32-byte word back in the argument's type, the way
// EncodeRefValue reads it. ok is false when the word is not a value of that
// type (e.g. dirty padding); the text is then the raw word.
func DecodeRefValue(argType, word string) (string, bool) {
	h, okPrefix := strings.CutPrefix(strings.ToLower(strings.TrimSpace(word)), "0x")
	b, err := hex.DecodeString(h)
	if !okPrefix || err != nil || len(b) != 32 {
		return word, false
	}
	raw := "0x" + h
	kind, n, err := classifyType(argType)
	if err != nil {
		return raw, false
	}
	v := new(big.Int).SetBytes(b)
	switch kind {
	case "address":
		if v.BitLen() > 160 {
			return raw, false
		}
		return apiclient.Checksum("0x" + hex.EncodeToString(b[12:])), true
	case "bool":
		switch {
		case v.Sign() == 0:
			return "false", true
		case v.Cmp(big.NewInt(1)) == 0:
			return "true", true
		}
		return raw, false
	case "uint":
		if v.BitLen() > n {
			return raw, false
		}
		return FormatArgAmount(v), true
	case "int":
		if b[0]&0x80 != 0 {
			v.Sub(v, new(big.Int).Lsh(big.NewInt(1), 256))
		}
		lim := new(big.Int).Lsh(big.NewInt(1), uint(n-1))
		if v.Cmp(new(big.Int).Neg(lim)) < 0 || v.Cmp(lim) >= 0 {
			return raw, false
		}
		if v.Sign() < 0 {
			return "-" + FormatArgAmount(new(big.Int).Neg(v)), true
		}
		return FormatArgAmount(v), true
	case "bytes":
		for _, c := range b[n:] {
			if c != 0 {
				return raw, false
			}
		}
		return "0x" + hex.EncodeToString(b[:n]), true
	}
	return raw, true
}
