package apiclient

import (
	"fmt"
	"strings"
	"unicode"
)

// Printable makes a string from a server or the chain safe to print on a
// terminal: control characters (C0 including ESC, DEL, C1) and the Unicode
// bidirectional overrides are shown escaped (\x1b, \u202e) instead of
// acting, so a revert reason or a wallet label cannot move the cursor, set
// the window title or print a fake "CONFIRMED". Newlines are escaped too:
// every such string is one field, and a line break would let it forge the
// line after it.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == unicode.ReplacementChar:
			b.WriteRune(r)
		case needsEscape(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool {
	switch {
	case r == '\t':
		return true // becomes a space: tabs break column layouts
	case unicode.IsControl(r): // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidi embeddings, overrides, isolates and marks
	}
	return false
}
