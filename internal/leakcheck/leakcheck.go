// Package leakcheck is the goroutine-leak check the test suites share
// (imported by test files only).
package leakcheck

import (
	"time"

	"go.uber.org/goleak"
)

// Find is goleak.Find asked again for up to 3 s. Some goroutines end a
// moment after their owner closes by design: a closed go-ethereum node's
// leveldb drain (up to 1 s), a cursor blink (530 ms), a spinner frame. A
// goroutine still there after 3 s is a leak.
//
// go-ethereum's core.SenderCacher is always ignored: one process-wide pool
// of signature-recovery workers, started once by the first chain and never
// stopped by design; not ours to stop.
func Find(extra ...goleak.Option) error {
	opts := append([]goleak.Option{
		goleak.IgnoreTopFunction("github.com/ethereum/go-ethereum/core.(*txSenderCacher).cache"),
	}, extra...)
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
