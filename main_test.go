package main

import (
	"fmt"
	"os"
	"testing"

	"walletconsole/apiclient"
	"walletconsole/internal/leakcheck"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// console, flow and the embedded sandbox they start must stop everything
// they started when they return.
func TestMain(m *testing.M) {
	apiclient.Version = versionString() // as main does, before any test starts a client
	code := m.Run()
	if code == 0 {
		if err := leakcheck.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
