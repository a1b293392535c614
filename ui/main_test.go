package ui

import (
	"flag"
	"io"
	"log"
	"os"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestMain pins everything that differs between machines: colour profile
// (Ascii: no escapes, goldens are plain text), background, time zone, and
// discards the debug log. Tests pin the clock themselves (testClock).
func TestMain(m *testing.M) {
	flag.Parse()
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	time.Local = time.UTC
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}
