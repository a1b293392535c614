package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"walletconsole/apiclient"
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
	embedded := registerSandboxFlags(fs, " (embedded sandbox only)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: walletconsole [flags]   (the console; 'walletconsole flow' for scripts)")
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nKeys: enter, ctrl+s, tab, esc, c, x, i, ?, q, ctrl+c; 'walletconsole --keys' prints them all.")
	}
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "walletconsole: unknown command %q; see walletconsole --help\n", fs.Arg(0))
		return 2
	}
	sbOpts, err := embedded.options()
	if err != nil {
		fmt.Fprintln(stderr, "walletconsole:", err)
		return 2
	}
	sbOpts.RPCAddr = freeRPCAddr()
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
	// Before the TUI takes the screen; the alternate screen leaves them
	// readable after quitting.
	for _, w := range cfg.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}

	// Logging: never to the terminal while the TUI runs.
	log.SetOutput(io.Discard)
	if cfg.LogFile != "" {
		f, err := openLogFile(cfg.LogFile)
		if err != nil {
			fmt.Fprintln(stderr, "walletconsole: --log:", err)
			return 2
		}
		defer f.Close()
		log.SetOutput(&maskingWriter{w: f, secrets: []string{cfg.SecretKey}})
		log.SetPrefix("walletconsole ")
		defer log.SetOutput(io.Discard)
		log.Printf("start: %s", cfg)
	}

	var sandboxes startedSandboxes
	defer sandboxes.closeAll()
	// Simulator: the Permissions screen's dry runs, on the same scratch
	// chains as 'policy test' (in live mode too: a local simulation).
	m := ui.New(cfg, ui.Options{Theme: &th, Reveal: cfg.Reveal, Context: ctx, Output: stdout, StartSandbox: sandboxes.track(embeddedSandbox(sbOpts)),
		Simulator: policySimulator(cfg.ChainID)})
	defer m.Close()
	// Signals reach the program one way only: ctx, which ends on SIGINT or
	// SIGTERM (main's signal.NotifyContext). bubbletea's own handler is
	// off: it gets the same SIGTERM, and when the event loop has already
	// ended its blocking send of QuitMsg is never received, so Run waits
	// for it forever with the terminal still raw. Nor is ctx given to the
	// program: a cancelled context kills it, and a killed program leaves
	// its input reader blocked. Instead ctx's end asks the program to quit
	// (which restores the terminal: raw mode, alternate screen, cursor,
	// bracketed paste, mouse), and kills it only if that takes over 2 s.
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithInput(stdin), tea.WithOutput(stdout), tea.WithoutSignalHandler()}
	if cfg.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	p := tea.NewProgram(m, opts...)
	ended := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			p.Quit()
			select {
			case <-ended:
			case <-time.After(2 * time.Second):
				p.Kill()
			}
		case <-ended:
		}
	}()
	_, err = p.Run()
	close(ended)
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

// startedSandboxes remembers every sandbox the console starts, so that
// runConsole stops them all, and waits for them, before it returns. The ui
// stops its sandbox by cancelling its context, which closes it in the
// background; a start still in flight when the program is killed (SIGTERM
// during "starting the sandbox") would outlive the command.
type startedSandboxes struct {
	mu       sync.Mutex
	list     []flows.EmbeddedSandbox
	inflight int
	closing  bool
}

var errConsoleClosing = errors.New("the console is closing")

func (s *startedSandboxes) track(start flows.SandboxStarter) flows.SandboxStarter {
	return func(ctx context.Context, clientID, secretKey string) (flows.EmbeddedSandbox, error) {
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			return nil, errConsoleClosing
		}
		s.inflight++
		s.mu.Unlock()
		sb, err := start(ctx, clientID, secretKey)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.inflight--
		if err == nil {
			s.list = append(s.list, sb)
		}
		return sb, err
	}
}

// closeAll waits (up to 10 s) for starts in flight, then closes every
// sandbox; Close also waits for a close already under way.
func (s *startedSandboxes) closeAll() {
	deadline := time.Now().Add(10 * time.Second)
	s.mu.Lock()
	s.closing = true
	for s.inflight > 0 && time.Now().Before(deadline) {
		s.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		s.mu.Lock()
	}
	list := s.list
	s.list = nil
	s.mu.Unlock()
	for _, sb := range list {
		sb.Close()
	}
}

// maskingWriter is the debug log's output: it masks secrets on their way
// to the file (the configured secret key, anything after x-secret-key /
// Bearer, JWTs, guest session IDs) and escapes control characters, since
// server text logged raw would act when the log is read in a terminal.
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
	s = logJWTRe.ReplaceAllStringFunc(s, apiclient.MaskSecret)
	return printableLines(apiclient.MaskText(s))
}

// printableLines is apiclient.Printable for each line, keeping the line
// breaks themselves.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = apiclient.Printable(l)
	}
	return strings.Join(lines, "\n")
}

func (m *maskingWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := io.WriteString(m.w, maskLogLine(string(p), m.secrets)); err != nil {
		return 0, err
	}
	return len(p), nil
}
