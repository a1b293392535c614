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

	"walletconsole/internal/leakcheck"
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

// checkLeaks fails the run if goroutines outlive the tests.
func checkLeaks() int {
	// teatest's own interrupt watcher never ends
	err := leakcheck.Find(goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"))
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "goroutines left after the tests:", err)
	return 1
}
