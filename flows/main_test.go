package flows

import (
	"fmt"
	"os"
	"testing"

	"walletconsole/internal/leakcheck"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// watcher, a poll timer or a sandbox left running is a leak in the console
// too, which runs these flows for as long as it is open.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := leakcheck.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
