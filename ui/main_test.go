package ui

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"go.uber.org/goleak"
)

// TestMain pins everything that differs between machines: colour profile
// (Ascii: no escapes, goldens are plain text), background, time zone, and
// discards the debug log. Tests pin the clock themselves (testClock).
// goleak then checks that no goroutine outlives the tests: every console
// under test is closed (t.Cleanup), which must stop its watchers, requests
// and embedded sandbox.
func TestMain(m *testing.M) {
	flag.Parse()
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	time.Local = time.UTC
	log.SetOutput(io.Discard)
	code := m.Run()
	if code == 0 {
		code = checkLeaks()
	}
	os.Exit(code)
}

// checkLeaks fails the run if goroutines outlive the tests. Some end a
// moment after the console quits by design (a cursor blink is at most
// 530 ms, a spinner frame 100 ms), so it looks again for up to 3 s.
func checkLeaks() int {
	opts := []goleak.Option{
		// process-wide workers go-ethereum starts once (the sandbox's chain)
		goleak.IgnoreTopFunction("github.com/ethereum/go-ethereum/core.(*txSenderCacher).cache"),
		// teatest's own interrupt watcher, which never ends
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"),
	}
	var err error
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if err = goleak.Find(opts...); err == nil {
			return 0
		}
	}
	fmt.Fprintln(os.Stderr, "goroutines left after the tests:", err)
	return 1
}
