package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/google/uuid"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox/chain"
)

// Transaction records and the queue.
//
// Every accepted write gets a record in state QUEUED at once. A job touches
// a set of accounts (lanes) on one chain; jobs run one at a time per lane, in
// acceptance order: a job starts when it heads every lane it touches, so
// jobs on disjoint accounts run concurrently and no job overtakes an earlier
// one on a shared account. A job submits, records SUBMITTED with the hash,
// waits for the block, and ends CONFIRMED or FAILED; a submit error ends
// FAILED too. Nothing is ever left non-final (Close fails leftovers).

type record struct {
	seq        uint64
	account    common.Address  // executionParams.accountAddress (for the from filter)
	sessionKey *common.Address // executionParams.sessionKeyAddress, if any
	tx         apiclient.Transaction
}

type txStore struct {
	mu    sync.Mutex
	seq   uint64
	byID  map[string]*record
	order []*record // acceptance order
}

func newTxStore() *txStore { return &txStore{byID: map[string]*record{}} }

type newRecord struct {
	chainID    uint64
	clientID   string
	from       common.Address
	account    common.Address
	sessionKey *common.Address
	params     []apiclient.TransactionParam
	batchIndex int
	now        time.Time
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("sandbox: marshal: " + err.Error())
	}
	return b
}

func (ts *txStore) add(n newRecord) *record {
	ep := apiclient.ExecutionParams7702{
		Type:           "EIP7702",
		ChainID:        strconv.FormatUint(n.chainID, 10),
		AccountAddress: n.account.Hex(),
	}
	if n.sessionKey != nil {
		ep.SessionKeyAddress = n.sessionKey.Hex()
	}
	if n.params == nil {
		n.params = []apiclient.TransactionParam{}
	}
	rec := &record{
		account:    n.account,
		sessionKey: n.sessionKey,
		tx: apiclient.Transaction{
			ID:                uuid.NewString(),
			BatchIndex:        n.batchIndex,
			ChainID:           apiclient.NumString(strconv.FormatUint(n.chainID, 10)),
			ClientID:          n.clientID,
			From:              n.from.Hex(),
			Status:            apiclient.StatusQueued,
			CreatedAt:         isoTime(n.now),
			ExecutionParams:   mustJSON(ep),
			TransactionParams: mustJSON(n.params),
		},
	}
	ts.mu.Lock()
	ts.seq++
	rec.seq = ts.seq
	ts.byID[rec.tx.ID] = rec
	ts.order = append(ts.order, rec)
	ts.mu.Unlock()
	return rec
}

// get returns a copy of the record.
func (ts *txStore) get(id string) (apiclient.Transaction, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	r, ok := ts.byID[id]
	if !ok {
		return apiclient.Transaction{}, false
	}
	return r.tx, true
}

// list returns copies, newest first, filtered by from (matching the record's
// from or its account) when from is non-nil.
func (ts *txStore) list(from *common.Address) []apiclient.Transaction {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []apiclient.Transaction
	for i := len(ts.order) - 1; i >= 0; i-- {
		r := ts.order[i]
		if from != nil && common.HexToAddress(r.tx.From) != *from && r.account != *from {
			continue
		}
		out = append(out, r.tx)
	}
	return out
}

// update applies f to a non-final record.
func (ts *txStore) update(r *record, f func(t *apiclient.Transaction)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if r.tx.Status.Final() {
		return
	}
	f(&r.tx)
}

func (ts *txStore) submitted(r *record, hash common.Hash, params []apiclient.TransactionParam) {
	ts.update(r, func(t *apiclient.Transaction) {
		h := hash.Hex()
		t.Status = apiclient.StatusSubmitted
		t.TransactionHash = &h
		if params != nil {
			t.TransactionParams = mustJSON(params)
		}
	})
}

func (ts *txStore) confirmed(r *record, block uint64, at time.Time) {
	ts.update(r, func(t *apiclient.Transaction) {
		ts := isoTime(at)
		bn := apiclient.NumString(strconv.FormatUint(block, 10))
		t.Status = apiclient.StatusConfirmed
		t.ConfirmedAt = &ts
		t.ConfirmedAtBlockNumber = &bn
	})
}

func (ts *txStore) failed(r *record, msg string) {
	ts.update(r, func(t *apiclient.Transaction) {
		t.Status = apiclient.StatusFailed
		t.ErrorMessage = &msg
	})
}

// reverted ends a mined transaction that reverted: FAILED, with the block
// it failed in (its hash is set since submitted), as the hosted API does.
func (ts *txStore) reverted(r *record, block uint64, msg string) {
	ts.update(r, func(t *apiclient.Transaction) {
		bn := apiclient.NumString(strconv.FormatUint(block, 10))
		t.Status, t.ErrorMessage, t.ConfirmedAtBlockNumber = apiclient.StatusFailed, &msg, &bn
	})
}

// failPending ends every non-final record with msg.
func (ts *txStore) failPending(msg string, now time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, r := range ts.order {
		if !r.tx.Status.Final() {
			m := msg
			r.tx.Status = apiclient.StatusFailed
			r.tx.ErrorMessage = &m
		}
	}
}

// ---------------------------------------------------------------------

type laneKey struct {
	chainID uint64
	addr    common.Address
}

// job is one queued transaction.
type job struct {
	rec    *record
	chain  *chain.Chain
	lanes  []laneKey
	submit func(ctx context.Context) (*chain.Pending, error)
	// paramsFromPending: replace transactionParams with Pending.Calls once
	// submitted (grants, whose calldata carries the user's signature).
	paramsFromPending bool

	// Scheduler state (under scheduler.mu).
	ready    chan struct{} // closed when j heads all its lanes
	released bool
	from     common.Address // the transaction's sender, once submitted
	waitFor  []*job         // in-flight jobs to see final before submitting (set before ready closes)
	finished chan struct{}  // closed when the record is final
}

// sender is who will send j's transaction: the relayer for grants and
// session-key executions (which carry a session key or replace their params
// with the grant's calldata), else the wallet itself.
func (j *job) sender() common.Address {
	if j.paramsFromPending || j.rec.sessionKey != nil {
		return j.chain.Relayer()
	}
	return common.HexToAddress(j.rec.tx.From)
}

// scheduler keeps each lane (an account on a chain) in acceptance order.
// Every job starts at once and estimates its gas (chain.WithSubmitGate),
// then waits for its turn: it is handed to the chain (submitted) when every
// earlier job on its lanes has been, not mined: transactions from one sender are ordered
// by its nonce, so the relayer's (or a wallet's) later transactions can
// share a block with earlier ones and still run after them. Where the
// senders differ (a wallet's own send after a relayed grant, or the
// reverse), nothing on chain orders them, so the later job waits until the
// earlier one is final before it submits.
type scheduler struct {
	mu       sync.Mutex
	lanes    map[laneKey][]*job // jobs not yet submitted, in order
	inflight map[laneKey][]*job // submitted, not final
	pending  int
	idle     *sync.Cond
}

func newScheduler() *scheduler {
	s := &scheduler{lanes: map[laneKey][]*job{}, inflight: map[laneKey][]*job{}}
	s.idle = sync.NewCond(&s.mu)
	return s
}

// enqueue adds j behind every earlier job on its lanes.
func (sc *scheduler) enqueue(j *job) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	seen := map[laneKey]bool{}
	lanes := j.lanes[:0:0]
	for _, k := range j.lanes {
		if !seen[k] {
			seen[k] = true
			lanes = append(lanes, k)
		}
	}
	j.lanes = lanes
	j.ready = make(chan struct{})
	j.finished = make(chan struct{})
	for _, k := range j.lanes {
		sc.lanes[k] = append(sc.lanes[k], j)
	}
	sc.pending++
	sc.readyLocked([]*job{j})
}

// readyLocked lets go the candidates that head all their lanes, noting
// which in-flight jobs from another sender they must see final first.
func (sc *scheduler) readyLocked(cands []*job) {
	for _, j := range cands {
		select {
		case <-j.ready:
			continue
		default:
		}
		ok := true
		for _, k := range j.lanes {
			if q := sc.lanes[k]; len(q) == 0 || q[0] != j {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		from := j.sender()
		for _, k := range j.lanes {
			for _, f := range sc.inflight[k] {
				if f.from != from {
					j.waitFor = append(j.waitFor, f)
				}
			}
		}
		close(j.ready)
	}
}

// release takes j off its lanes once it is submitted (or has failed before
// submitting) and lets the next jobs go.
func (sc *scheduler) release(j *job, submitted bool, from common.Address) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if j.released {
		return
	}
	j.released = true
	j.from = from
	var cands []*job
	for _, k := range j.lanes {
		q := sc.lanes[k]
		for i, f := range q {
			if f == j {
				q = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(sc.lanes, k)
		} else {
			sc.lanes[k] = q
			cands = append(cands, q[0])
		}
		if submitted {
			sc.inflight[k] = append(sc.inflight[k], j)
		}
	}
	sc.readyLocked(cands)
}

// done marks j final.
func (sc *scheduler) done(j *job) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for _, k := range j.lanes {
		q := sc.inflight[k]
		for i, f := range q {
			if f == j {
				q = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(sc.inflight, k)
		} else {
			sc.inflight[k] = q
		}
	}
	close(j.finished)
	sc.pending--
	if sc.pending == 0 {
		sc.idle.Broadcast()
	}
}

// wait blocks until no job is pending or the timeout passes; it reports
// whether the queue drained.
func (sc *scheduler) wait(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		sc.mu.Lock()
		sc.idle.Broadcast()
		sc.mu.Unlock()
	})
	defer timer.Stop()
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for sc.pending > 0 && time.Now().Before(deadline) {
		sc.idle.Wait()
	}
	return sc.pending == 0
}

// enqueue queues a job and starts it: it estimates at once and submits in
// its turn.
func (s *Server) enqueue(j *job) {
	s.sched.enqueue(j)
	go s.run(j)
}

func (s *Server) run(j *job) {
	defer s.sched.done(j)
	// Whatever happens, the lanes are released (a panic or an error before
	// submitting included), so later jobs are never stuck behind this one.
	defer s.sched.release(j, false, common.Address{})
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("tx panic", "id", j.rec.tx.ID, "panic", fmt.Sprint(p))
			s.txs.failed(j.rec, fmt.Sprintf("internal error: %v", p))
		}
	}()
	s.execute(j)
}

// execute takes one job from QUEUED to a final state.
func (s *Server) execute(j *job) {
	ctx := s.runCtx
	// The turn: this job heads its lanes, and what it must not overtake
	// on chain (another sender's transaction on the same account) is final.
	gate := func() error {
		select {
		case <-j.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, w := range j.waitFor {
			select {
			case <-w.finished:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	if ctx.Err() != nil {
		s.txs.failed(j.rec, "sandbox closed before the transaction was submitted")
		return
	}
	p, err := j.submit(chain.WithSubmitGate(ctx, gate))
	if err != nil {
		if ctx.Err() != nil {
			s.txs.failed(j.rec, "sandbox closed before the transaction was submitted")
			return
		}
		s.txs.failed(j.rec, "submitting the transaction failed: "+err.Error())
		s.log.Warn("tx submit failed", "id", j.rec.tx.ID, "err", err)
		return
	}
	var params []apiclient.TransactionParam
	if j.paramsFromPending && len(p.Calls) > 0 {
		params = wireCalls(p.Calls)
	}
	s.txs.submitted(j.rec, p.Hash, params)
	s.sched.release(j, true, p.From)
	out, err := j.chain.Wait(ctx, p)
	switch {
	case err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, chain.ErrClosed)):
		s.txs.failed(j.rec, "sandbox closed before the transaction was mined")
	case err != nil:
		s.txs.failed(j.rec, "waiting for the transaction failed: "+err.Error())
	case out.Success:
		at := out.BlockTime
		if at.IsZero() {
			at = s.now()
		}
		s.txs.confirmed(j.rec, out.Block, at)
	default:
		reason := out.Reason
		if reason == "" {
			reason = "Reverted: the transaction reverted"
		}
		s.txs.reverted(j.rec, out.Block, reason)
	}
}

func wireCalls(calls []chain.Call) []apiclient.TransactionParam {
	out := make([]apiclient.TransactionParam, len(calls))
	for i, c := range calls {
		v := c.Value
		if v == nil {
			v = new(big.Int)
		}
		data := "0x"
		if len(c.Data) > 0 {
			data = hexutil.Encode(c.Data)
		}
		out[i] = apiclient.TransactionParam{To: c.To.Hex(), Data: data, Value: apiclient.Dec(v)}
	}
	return out
}
