package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"strings"
	"sync"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
	"walletconsole/flows"
	"walletconsole/theme"
	"walletconsole/ui"
)

// isTerminal is replaced in tests.
var isTerminal = func(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// runConsole opens the console (walletconsole with no subcommand).
func runConsole(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("walletconsole", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flows.RegisterFlags(fs, flows.ConsoleFlags...)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: walletconsole [flags]   (the console; 'walletconsole flow' for scripts)")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nKeys: see docs/keys.md (enter, ctrl+s, tab, esc, c, x, i, ?, q, ctrl+c).")
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "walletconsole: unknown command %q; see walletconsole --help\n", fs.Arg(0))
		return 2
	}
	// No terminal: never start the TUI (it would fail or garble a pipe).
	if !isTerminal(stdin) || !isTerminal(stdout) {
		fmt.Fprintln(stderr, "walletconsole: no terminal; use 'walletconsole flow' for scripts")
		return 2
	}
	cfg, err := flows.LoadConfig(fs, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "walletconsole:", err)
		return 2
	}
	th, err := theme.Select(cfg.Theme, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "walletconsole:", err)
		return 2
	}
	if cfg.NoColor {
		th = theme.Plain()
	}

	// Logging: never to the terminal while the TUI runs.
	log.SetOutput(io.Discard)
	if cfg.LogFile != "" {
		setter := &maskingLog{secrets: []string{cfg.SecretKey}}
		f, err := tea.LogToFileWith(cfg.LogFile, "walletconsole", setter)
		if err != nil {
			fmt.Fprintln(stderr, "walletconsole:", err)
			return 2
		}
		defer f.Close()
		log.Printf("start: %s", cfg)
	}

	m := ui.New(cfg, ui.Options{Theme: &th, Reveal: cfg.Reveal, Context: ctx, Output: stdout, StartSandbox: embeddedSandbox(sandbox.Options{})})
	defer m.Close()
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx)}
	if r, ok := stdin.(*os.File); ok {
		opts = append(opts, tea.WithInput(r))
	}
	if w, ok := stdout.(*os.File); ok {
		opts = append(opts, tea.WithOutput(w))
	}
	if cfg.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	_, err = tea.NewProgram(m, opts...).Run()
	m.Close()
	fmt.Fprint(stdout, m.ExitSummary()) // after the alternate screen: the run's IDs stay visible
	switch {
	case ctx.Err() != nil:
		return 130 // interrupted (SIGINT/SIGTERM from outside; ctrl+c in the TUI is a key)
	case err != nil:
		fmt.Fprintln(stderr, "walletconsole:", err)
		return 1
	}
	return 0
}

// maskingLog is the log.Default() setter for tea.LogToFileWith that masks
// secrets on their way to the file: the configured secret key, anything
// after x-secret-key / Bearer, and JWTs.
type maskingLog struct {
	secrets []string
}

func (l *maskingLog) SetOutput(w io.Writer) { log.SetOutput(&maskingWriter{w: w, secrets: l.secrets}) }
func (l *maskingLog) SetPrefix(p string)    { log.SetPrefix(p) }

type maskingWriter struct {
	mu      sync.Mutex
	w       io.Writer
	secrets []string
}

var (
	logJWTRe    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)
	logHeaderRe = regexp.MustCompile(`(?i)((?:x-secret-key|authorization)["']?\s*[:=]\s*["']?(?:bearer\s+)?)([^\s"',}]+)`)
)

func maskLogLine(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, apiclient.MaskSecret(sec))
		}
	}
	s = logHeaderRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := logHeaderRe.FindStringSubmatch(m)
		return sub[1] + apiclient.MaskSecret(sub[2])
	})
	return logJWTRe.ReplaceAllStringFunc(s, apiclient.MaskSecret)
}

func (m *maskingWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := io.WriteString(m.w, maskLogLine(string(p), m.secrets)); err != nil {
		return 0, err
	}
	return len(p), nil
}
