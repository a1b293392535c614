package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// keysDoc is docs/keys.md, so that the key map is in the binary itself
// (walletconsole --keys), the same text as the docs.
//
//go:embed docs/keys.md
var keysDoc string

// parseFlags parses a command's flags the same way for every command:
// --help prints the command's usage on the stdout given (every command
// should give one) and the command exits 0; a bad flag or value prints one line and
// a hint on the flag set's output (stderr) and the command exits 2. When
// ok is false the command returns code at once. Positional arguments are
// left to the caller.
func parseFlags(fs *flag.FlagSet, args []string, stdout ...io.Writer) (code int, ok bool) {
	errOut, usage := fs.Output(), fs.Usage
	// Silence flag's own reporting (the error plus the whole usage on
	// stderr) while parsing; report here instead.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.SetOutput(errOut)
	fs.Usage = usage
	if err == nil {
		return 0, true
	}
	if errors.Is(err, flag.ErrHelp) {
		// A command that passes no stdout keeps its usage where it was
		// (its flag set's output) until it does.
		out := errOut
		if len(stdout) > 0 && stdout[0] != nil {
			out = stdout[0]
		}
		fs.SetOutput(out)
		if usage != nil {
			usage()
		} else {
			fs.PrintDefaults()
		}
		fs.SetOutput(errOut)
		return 0, false
	}
	fmt.Fprintf(errOut, "%s: %v\nrun '%s --help' for usage\n", fs.Name(), err, fs.Name())
	return 2, false
}

// openLogFile opens a --log file for appending, readable by its owner only:
// created 0600, and an existing file with wider permissions is tightened
// (a log holds request bodies, masked but still private).
func openLogFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && st.Mode().Perm()&0o077 != 0 {
		err = f.Chmod(0o600)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("making %s private (chmod 600): %w", path, err)
	}
	return f, nil
}
