package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestConsoleNoTerminal(t *testing.T) {
	var out, errb bytes.Buffer
	code := runConsole(context.Background(), nil, strings.NewReader(""), &out, &errb)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	want := "walletconsole: no terminal; use 'walletconsole flow' for scripts\n"
	if errb.String() != want || out.Len() != 0 {
		t.Fatalf("stderr %q stdout %q; want stderr %q", errb.String(), out.String(), want)
	}
}

func TestConsoleBadFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runConsole(context.Background(), []string{"--theme-x"}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}

func TestMaskLogLine(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIweDEyMyJ9.c2lnbmF0dXJlX2hlcmU"
	in := `start secret=sk_live_abcdefghijklmnop x-secret-key: sk_other_1234567890abc Authorization: Bearer ` + jwt + ` token=` + jwt
	got := maskLogLine(in, []string{"sk_live_abcdefghijklmnop"})
	for _, leak := range []string{"sk_live_abcdefghijklmnop", "sk_other_1234567890abc", jwt} {
		if strings.Contains(got, leak) {
			t.Errorf("log line leaks %q: %s", leak, got)
		}
	}
	if !strings.Contains(got, "eyJhbGci…") {
		t.Errorf("JWT not masked prefix…suffix style: %s", got)
	}
}
