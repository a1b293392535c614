package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"walletconsole/apiclient"
)

func TestPollDelay(t *testing.T) {
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond}
	for i, w := range want {
		if got := PollDelay(i, 0); got != w {
			t.Errorf("PollDelay(%d, 0) = %v, want %v", i, got, w)
		}
	}
	if got := PollDelay(1000, 0); got != PollMax {
		t.Errorf("late attempt %v", got)
	}
	if got := PollDelay(0, 3*time.Second); got != 3*time.Second {
		t.Errorf("Retry-After not honoured: %v", got)
	}
	if got := PollDelay(5, 50*time.Millisecond); got != PollMax {
		t.Errorf("short Retry-After shortened the delay: %v", got)
	}
	if got := PollDelay(0, time.Hour); got != MaxRetryAfter {
		t.Errorf("huge Retry-After not capped: %v", got)
	}
	// Steady state never exceeds 2 requests/s.
	var total time.Duration
	for i := 0; i < 23; i++ {
		total += PollDelay(i, 0)
	}
	if total < 10*time.Second {
		t.Errorf("23 polls in %v: faster than 2/s", total)
	}
}

// txServer serves GET /v1/transactions/{id} from a script per ID.
type txServer struct {
	mu    sync.Mutex
	calls map[string]int
	at    map[string][]time.Time
	step  func(id string, n int, w http.ResponseWriter)
	srv   *httptest.Server
}

func (s *txServer) n(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[id]
}

func newTxServer(t *testing.T, step func(id string, n int, w http.ResponseWriter)) (*txServer, *Runner) {
	s := &txServer{calls: map[string]int{}, at: map[string][]time.Time{}, step: step}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.URL.Path, "/v1/transactions/")
		s.mu.Lock()
		n := s.calls[id]
		s.calls[id]++
		s.at[id] = append(s.at[id], time.Now())
		s.mu.Unlock()
		s.step(id, n, w)
	}))
	t.Cleanup(s.srv.Close)
	c := apiclient.New(s.srv.URL+"/v1", "cid", "sk_test_secret_000000", apiclient.WithRetry(1, 0))
	return s, &Runner{Client: c, ChainID: 84532}
}

func record(id string, status apiclient.TxStatus) string {
	hash, block, errMsg := "null", "null", "null"
	if status != apiclient.StatusQueued {
		hash = `"0xabc"`
	}
	if status == apiclient.StatusConfirmed {
		block = `"17"`
	}
	if status == apiclient.StatusFailed {
		errMsg = `"SessionExpired: caller has no live session here"`
	}
	return fmt.Sprintf(`{"result":{"id":%q,"chainId":"84532","status":%q,"transactionHash":%s,"confirmedAtBlockNumber":%s,"errorMessage":%s,"cancelledAt":null}}`,
		id, status, hash, block, errMsg)
}

func TestWatchLifecycle(t *testing.T) {
	seq := []apiclient.TxStatus{"QUEUED", "QUEUED", "SUBMITTED", "SUBMITTED", "CONFIRMED", "CONFIRMED"}
	s, r := newTxServer(t, func(id string, n int, w http.ResponseWriter) {
		io.WriteString(w, record(id, seq[min(n, len(seq)-1)]))
	})
	var got []apiclient.TxStatus
	start := time.Now()
	tx, err := r.Watch(context.Background(), "tx-1", func(tx apiclient.Transaction) { got = append(got, tx.Status) })
	if err != nil {
		t.Fatal(err)
	}
	if tx.Status != apiclient.StatusConfirmed || tx.Block() != "17" || tx.Hash() != "0xabc" {
		t.Errorf("final %+v", tx)
	}
	if fmt.Sprint(got) != "[QUEUED SUBMITTED CONFIRMED]" {
		t.Errorf("updates %v", got)
	}
	if s.n("tx-1") != 5 {
		t.Errorf("%d polls, want 5 (stops at the first final)", s.n("tx-1"))
	}
	// 100+200+400+500+500 ms of waits.
	if el := time.Since(start); el < 1600*time.Millisecond || el > 4*time.Second {
		t.Errorf("took %v", el)
	}
	at := s.at["tx-1"]
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 190*time.Millisecond {
			t.Errorf("poll %d only %v after the previous", i, gap)
		}
	}
}

func TestWatchFailedIsFinal(t *testing.T) {
	_, r := newTxServer(t, func(id string, n int, w http.ResponseWriter) { io.WriteString(w, record(id, "FAILED")) })
	tx, err := r.Watch(context.Background(), "tx-f", nil)
	if err != nil || tx.Status != apiclient.StatusFailed || !strings.HasPrefix(tx.Error(), "SessionExpired") {
		t.Fatalf("%+v %v", tx, err)
	}
}

func TestWatchRecoversFrom503(t *testing.T) {
	s, r := newTxServer(t, func(id string, n int, w http.ResponseWriter) {
		if n < 2 {
			w.Header().Set("Retry-After", "0.3")
			w.WriteHeader(503)
			io.WriteString(w, "<html><title>Service Unavailable</title></html>")
			return
		}
		io.WriteString(w, record(id, "CONFIRMED"))
	})
	start := time.Now()
	tx, err := r.Watch(context.Background(), "tx-2", nil)
	if err != nil || tx.Status != apiclient.StatusConfirmed {
		t.Fatalf("%+v %v", tx, err)
	}
	if s.n("tx-2") != 3 {
		t.Errorf("%d polls", s.n("tx-2"))
	}
	at := s.at["tx-2"]
	if gap := at[1].Sub(at[0]); gap < 300*time.Millisecond {
		t.Errorf("Retry-After not honoured: %v", gap)
	}
	_ = start
}

func TestWatchGivesUp(t *testing.T) {
	// Persistent 500s: WatchMaxErrors polls, then the error.
	s, r := newTxServer(t, func(id string, n int, w http.ResponseWriter) {
		w.WriteHeader(500)
		io.WriteString(w, `{"error":{"code":"internal","message":"boom"}}`)
	})
	defer func(d time.Duration) { watchErrorDelay = d }(watchErrorDelay)
	watchErrorDelay = 20 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := r.Watch(ctx, "tx-3", nil)
	if apiclient.StatusOf(err) != 500 || !strings.Contains(err.Error(), "boom") || s.n("tx-3") != WatchMaxErrors {
		t.Errorf("err %v after %d polls", err, s.n("tx-3"))
	}
	// 401 ends at once.
	s, r = newTxServer(t, func(id string, n int, w http.ResponseWriter) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"code":"unauthorized","message":"bad key"}}`)
	})
	_, err = r.Watch(context.Background(), "tx-4", nil)
	if apiclient.StatusOf(err) != 401 || s.n("tx-4") != 1 {
		t.Errorf("err %v after %d polls", err, s.n("tx-4"))
	}
}

func TestWatchContext(t *testing.T) {
	_, r := newTxServer(t, func(id string, n int, w http.ResponseWriter) { io.WriteString(w, record(id, "QUEUED")) })
	ctx, cancel := context.WithTimeout(context.Background(), 350*time.Millisecond)
	defer cancel()
	start := time.Now()
	last, err := r.Watch(ctx, "tx-5", nil)
	if !errors.Is(err, context.DeadlineExceeded) || last.Status != apiclient.StatusQueued {
		t.Errorf("%+v %v", last, err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("ctx not respected: %v", time.Since(start))
	}
}

func TestWatchAll(t *testing.T) {
	_, r := newTxServer(t, func(id string, n int, w http.ResponseWriter) {
		st := apiclient.StatusQueued
		switch {
		case id == "bad":
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"code":"invalid_request","message":"bad id"}}`)
			return
		case n >= 2 && id == "a":
			st = apiclient.StatusConfirmed
		case n >= 1 && id == "b":
			st = apiclient.StatusFailed
		}
		io.WriteString(w, record(id, st))
	})
	var mu sync.Mutex
	inside := 0
	updates := map[string]int{}
	txs, err := r.WatchAll(context.Background(), []string{"a", "b", "bad"}, func(tx apiclient.Transaction) {
		mu.Lock()
		inside++
		if inside > 1 {
			t.Error("onUpdate called concurrently")
		}
		updates[tx.ID]++
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		inside--
		mu.Unlock()
	})
	if err == nil || !strings.Contains(err.Error(), "bad id") {
		t.Errorf("err %v", err)
	}
	if txs[0].Status != apiclient.StatusConfirmed || txs[1].Status != apiclient.StatusFailed || txs[0].ID != "a" {
		t.Errorf("results %+v", txs)
	}
	if updates["a"] != 2 || updates["b"] != 2 {
		t.Errorf("updates %v", updates)
	}
}
