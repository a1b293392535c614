package apiclient

import "testing"

func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ConditionFailed: argument 0 must equal 0x4444", "ConditionFailed: argument 0 must equal 0x4444"},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"reason\r\n\x1b[32mCONFIRMED\x1b[0m", `reason\x0d\x0a\x1b[32mCONFIRMED\x1b[0m`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"del\x7f", `del\x7f`},
		{"a\tb", "a b"},
		{"abc\u202egnp.exe", `abc\u202egnp.exe`},
		{"héllo 日本 ✓", "héllo 日本 ✓"},
		{"", ""},
	} {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTransient(t *testing.T) {
	for _, c := range []struct {
		status int
		want   bool
	}{{400, false}, {401, false}, {403, false}, {404, true}, {429, true}, {500, true}, {503, true}} {
		err := &APIError{Status: c.status, Method: "GET", Path: "/transactions/x"}
		if got := Transient(err); got != c.want {
			t.Errorf("status %d: Transient = %v", c.status, got)
		}
	}
	if Transient(nil) {
		t.Error("nil error is not transient")
	}
}
