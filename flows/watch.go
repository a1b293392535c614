package flows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"walletconsole/apiclient"
)

// Poll schedule (docs/api.md §6: ≤ 2 requests/s per transaction, backing off).
const (
	PollFirst      = 100 * time.Millisecond
	PollMax        = 500 * time.Millisecond
	MaxRetryAfter  = time.Minute // a Retry-After above this is cut to it
	WatchMaxErrors = 5           // consecutive failed polls before Watch gives up
)

// watchErrorDelay grows the wait after failed polls: n failures in a row
// wait at least n × watchErrorDelay / 2.
var watchErrorDelay = time.Second

// PollDelay is the wait before poll number attempt (0-based): 100 ms, 200,
// 400, then 500 ms for good (2 requests/s), stretched to retryAfter when the
// server asked for longer (capped at MaxRetryAfter).
func PollDelay(attempt int, retryAfter time.Duration) time.Duration {
	d := PollMax
	if attempt >= 0 && attempt < 3 {
		d = PollFirst << attempt
	}
	if retryAfter > MaxRetryAfter {
		retryAfter = MaxRetryAfter
	}
	if retryAfter > d {
		d = retryAfter
	}
	return d
}

// Watch polls transaction id until it is final (CONFIRMED, FAILED or
// cancelled) and returns the final record. onUpdate (may be nil) is called
// with the first record and whenever status, hash, block or error change.
// Transient failures (network, 429, 5xx, 404 of a just-created ID) are
// retried up to WatchMaxErrors times in a row; 400/401/403 end the watch at
// once. ctx ends it too, with ctx's error and the last record seen.
func (r *Runner) Watch(ctx context.Context, id string, onUpdate func(apiclient.Transaction)) (apiclient.Transaction, error) {
	ctx = tagged(ctx, TagWatch)
	var last apiclient.Transaction
	seen := false
	errs := 0
	timer := time.NewTimer(PollDelay(0, 0))
	defer timer.Stop()
	for attempt := 0; ; attempt++ {
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("watching %s: %w", id, ctx.Err())
		case <-timer.C:
		}
		tx, err := r.TxStatus(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return last, fmt.Errorf("watching %s: %w", id, ctx.Err())
			}
			errs++
			d, giveUp := AfterFailedPoll(attempt+1, errs, err)
			if giveUp {
				return last, fmt.Errorf("watching %s: %w", id, err)
			}
			timer.Reset(d)
			continue
		}
		errs = 0
		if !seen || changed(last, tx) {
			seen = true
			if onUpdate != nil {
				onUpdate(tx)
			}
		}
		last = tx
		if tx.Final() {
			return tx, nil
		}
		timer.Reset(PollDelay(attempt+1, 0))
	}
}

// AfterFailedPoll decides what a watcher does after its fails-th failed
// poll in a row: give up (the error cannot go away by waiting, or too many
// failures), or wait the returned delay, which grows with the failures and
// honours the server's Retry-After. Every watcher (Watch, the console's
// Activity screen) asks this, so they cannot drift apart.
func AfterFailedPoll(attempt, fails int, err error) (delay time.Duration, giveUp bool) {
	if !apiclient.Transient(err) || fails >= WatchMaxErrors {
		return 0, true
	}
	wait := max(apiclient.RetryAfterOf(err), watchErrorDelay*time.Duration(fails)/2)
	return PollDelay(attempt, wait), false
}

func changed(a, b apiclient.Transaction) bool {
	return a.Status != b.Status || a.Hash() != b.Hash() || a.Block() != b.Block() || a.Error() != b.Error() ||
		(a.CancelledAt == nil) != (b.CancelledAt == nil)
}

// WatchAll watches several transactions at once and returns their final
// records in the order of ids. onUpdate calls are serialised (never two at
// once). The error joins every watch's failure.
func (r *Runner) WatchAll(ctx context.Context, ids []string, onUpdate func(apiclient.Transaction)) ([]apiclient.Transaction, error) {
	out := make([]apiclient.Transaction, len(ids))
	errs := make([]error, len(ids))
	var mu sync.Mutex
	update := func(tx apiclient.Transaction) {
		if onUpdate == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		onUpdate(tx)
	}
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = r.Watch(ctx, id, update)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
