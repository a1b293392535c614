package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: the
// console, flow and the embedded sandbox they start must stop everything
// they started when they return.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := findLeaks(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// findLeaks is goleak.Find, asked again for up to 3 s: a closed go-ethereum
// node's leveldb (goleveldb's mpoolDrain) exits up to 1 s after Close, longer
// than goleak's own retries wait. A goroutine still there after 3 s is a leak.
func findLeaks() error {
	opts := []goleak.Option{
		// go-ethereum's core.SenderCacher: one process-wide pool of
		// signature-recovery workers, started once (sync.Once) by the first
		// simulated chain and never stopped by design; not ours to stop.
		goleak.IgnoreTopFunction("github.com/ethereum/go-ethereum/core.(*txSenderCacher).cache"),
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
