package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runT(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// --help of every command goes to stdout and exits 0.
func TestHelpGoesToStdout(t *testing.T) {
	isolateEnv(t)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"--theme", "plain", "--help"}, {"flow", "--help"}, {"flow", "-h"}} {
		code, stdout, stderr := runT(t, args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "Usage") || !strings.Contains(stdout, "walletconsole") {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", args, code, stdout, stderr)
		}
	}
	// The console's and flow's help list their flags.
	_, out, _ := runT(t, "--theme", "plain", "--help")
	if !strings.Contains(out, "-insecure") || !strings.Contains(out, "walletconsole --keys") {
		t.Errorf("console help:\n%s", out)
	}
	_, out, _ = runT(t, "flow", "--help")
	for _, f := range []string{"-contract", "-call", "-args", "-insecure", "-chain ID"} {
		if !strings.Contains(out, f) {
			t.Errorf("flow help lacks %s", f)
		}
	}
}

// An unknown flag: one line, the hint, exit 2, nothing on stdout.
func TestUnknownFlagOneLineAndHint(t *testing.T) {
	isolateEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"flow", "--nope"}, "walletconsole flow: flag provided but not defined: -nope\nrun 'walletconsole flow --help' for usage\n"},
		{[]string{"--nope"}, "walletconsole: flag provided but not defined: -nope\nrun 'walletconsole --help' for usage\n"},
		{[]string{"flow", "--chain", "abc"}, "walletconsole flow: invalid value \"abc\" for flag -chain: \"abc\" is not a chain ID: a chain ID is a positive whole number, such as 84532 (Base Sepolia) or 1 (Ethereum)\nrun 'walletconsole flow --help' for usage\n"},
		{[]string{"--chain", "0"}, "walletconsole: invalid value \"0\" for flag -chain: \"0\" is not a chain ID: a chain ID is a positive whole number, such as 84532 (Base Sepolia) or 1 (Ethereum)\nrun 'walletconsole --help' for usage\n"},
	} {
		code, stdout, stderr := runT(t, tc.args...)
		if code != 2 || stdout != "" || stderr != tc.want {
			t.Errorf("%v: exit %d stdout %q\nstderr %q\nwant   %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}

// The key map is in the binary, the same text as docs/keys.md.
func TestKeysFlagPrintsTheKeyMap(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("docs", "keys.md"))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runT(t, "--keys")
	if code != 0 || stderr != "" || stdout != string(want) || !strings.Contains(stdout, "ctrl+c") {
		t.Errorf("exit %d stderr %q, stdout differs from docs/keys.md: %v", code, stderr, stdout != string(want))
	}
	if _, out, _ := runT(t, "--help"); !strings.Contains(out, "--keys") {
		t.Error("usage does not mention --keys")
	}
}

// --log files are private: created 0600, an existing one tightened.
func TestOpenLogFilePrivate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "new.log")
	f, err := openLogFile(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	old := filepath.Join(dir, "old.log")
	os.WriteFile(old, []byte("before\n"), 0o644)
	os.Chmod(old, 0o644) // whatever the umask
	f, err = openLogFile(old)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("after\n")
	f.Close()
	for _, q := range []string{p, old} {
		st, err := os.Stat(q)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", q, st.Mode().Perm(), err)
		}
	}
	if b, _ := os.ReadFile(old); string(b) != "before\nafter\n" {
		t.Errorf("existing log not appended to: %q", b)
	}
}
