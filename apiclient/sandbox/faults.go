package sandbox

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"walletconsole/apiclient"
)

// Faults make the sandbox misbehave the way a hosted API sometimes does, so
// a client's handling of each fault can be shown and tested. Every field's
// zero value injects nothing. Faults apply to every API request except CORS
// preflights; RevertRate applies to session-key executions.
type Faults struct {
	// Latency delays each request by Latency ± Jitter (uniform).
	Latency, Jitter time.Duration
	// FailRate is the share of requests answered 500 with a JSON error,
	// without running them.
	FailRate float64
	// RateLimit is the requests per second accepted (0: no limit); requests
	// over it get 429 with Retry-After. RateBurst is the bucket size
	// (0: RateLimit rounded up, at least 1).
	RateLimit float64
	RateBurst int
	// DropRate is the share of requests that run but whose connection is
	// closed halfway through the answer.
	DropRate float64
	// RevertRate is the share of session-key executions (send, contract
	// write) made to revert on chain: an ERC-20 transfer to the zero address
	// is appended to the execution, so the whole execution reverts and the
	// transaction ends FAILED with the contract's decoded reason (a policy
	// violation when the session's policies do not allow that call).
	RevertRate float64
	// Seed makes the random choices repeatable; 0 picks a random seed.
	Seed uint64
}

// Enabled reports whether any fault is configured.
func (f Faults) Enabled() bool {
	return f.Latency > 0 || f.Jitter > 0 || f.FailRate > 0 || f.RateLimit > 0 || f.DropRate > 0 || f.RevertRate > 0
}

// Validate checks ranges: rates from 0 to 1, durations ≥ 0, Jitter ≤ Latency.
func (f Faults) Validate() error {
	for _, r := range []struct {
		name string
		v    float64
	}{{"fail rate", f.FailRate}, {"drop rate", f.DropRate}, {"revert rate", f.RevertRate}} {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			return fmt.Errorf("faults: %s %v must be from 0 to 1", r.name, r.v)
		}
	}
	switch {
	case f.Latency < 0 || f.Jitter < 0:
		return fmt.Errorf("faults: latency and jitter must be ≥ 0")
	case f.Jitter > f.Latency:
		return fmt.Errorf("faults: jitter %v exceeds latency %v", f.Jitter, f.Latency)
	case math.IsNaN(f.RateLimit) || math.IsInf(f.RateLimit, 0) || f.RateLimit < 0:
		return fmt.Errorf("faults: rate limit must be ≥ 0 requests per second")
	case f.RateBurst < 0:
		return fmt.Errorf("faults: rate burst must be ≥ 0")
	}
	return nil
}

// String describes the configured faults ("" when none), for banners.
func (f Faults) String() string {
	var parts []string
	if f.Latency > 0 {
		l := "latency " + f.Latency.String()
		if f.Jitter > 0 {
			l += "±" + f.Jitter.String()
		}
		parts = append(parts, l)
	}
	if f.FailRate > 0 {
		parts = append(parts, fmt.Sprintf("fail rate %g", f.FailRate))
	}
	if f.RateLimit > 0 {
		parts = append(parts, fmt.Sprintf("rate limit %g/s", f.RateLimit))
	}
	if f.DropRate > 0 {
		parts = append(parts, fmt.Sprintf("drop rate %g", f.DropRate))
	}
	if f.RevertRate > 0 {
		parts = append(parts, fmt.Sprintf("revert rate %g", f.RevertRate))
	}
	return strings.Join(parts, ", ")
}

// ParseLatency reads "200ms", "200ms±100ms" or "200ms+-100ms".
func ParseLatency(s string) (latency, jitter time.Duration, err error) {
	s = strings.TrimSpace(s)
	base, dev, hasDev := strings.Cut(s, "±")
	if !hasDev {
		base, dev, hasDev = strings.Cut(s, "+-")
	}
	latency, err = time.ParseDuration(strings.TrimSpace(base))
	if err != nil || latency < 0 {
		return 0, 0, fmt.Errorf("%q is not a latency like 200ms or 200ms±100ms", s)
	}
	if hasDev {
		jitter, err = time.ParseDuration(strings.TrimSpace(dev))
		if err != nil || jitter < 0 {
			return 0, 0, fmt.Errorf("%q: the part after ± must be a duration like 100ms", s)
		}
		if jitter > latency {
			return 0, 0, fmt.Errorf("%q: the jitter %v exceeds the latency %v", s, jitter, latency)
		}
	}
	return latency, jitter, nil
}

// ParseRate reads a share from 0 to 1 ("0.1"), or a percentage ("10%").
func ParseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	scale := 1.0
	if p, ok := strings.CutSuffix(t, "%"); ok {
		t, scale = strings.TrimSpace(p), 100
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || v < 0 || v/scale > 1 {
		return 0, fmt.Errorf("%q is not a rate from 0 to 1 (e.g. 0.1, or 10%%)", s)
	}
	return v / scale, nil
}

// ParseRateLimit reads requests per unit of time: "5/s", "300/m", "5"
// (per second), "0" (no limit).
func ParseRateLimit(s string) (float64, error) {
	t := strings.TrimSpace(s)
	n, unit, hasUnit := strings.Cut(t, "/")
	v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("%q is not a rate limit like 5/s or 300/m", s)
	}
	if !hasUnit {
		return v, nil
	}
	switch strings.TrimSpace(unit) {
	case "s", "sec", "second":
		return v, nil
	case "m", "min", "minute":
		return v / 60, nil
	case "h", "hour":
		return v / 3600, nil
	}
	return 0, fmt.Errorf("%q: the unit after / must be s, m or h", s)
}

// faultInjector applies Faults to requests.
type faultInjector struct {
	f       Faults
	limiter *rate.Limiter
	mu      sync.Mutex
	rng     *mrand.Rand
}

func newFaultInjector(f Faults) *faultInjector {
	if !f.Enabled() {
		return nil
	}
	seed := f.Seed
	if seed == 0 {
		var b [8]byte
		rand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	fi := &faultInjector{f: f, rng: mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	if f.RateLimit > 0 {
		burst := f.RateBurst
		if burst == 0 {
			burst = max(1, int(math.Ceil(f.RateLimit)))
		}
		fi.limiter = rate.NewLimiter(rate.Limit(f.RateLimit), burst)
	}
	return fi
}

// chance draws with probability p.
func (fi *faultInjector) chance(p float64) bool {
	if fi == nil || p <= 0 {
		return false
	}
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.rng.Float64() < p
}

func (fi *faultInjector) delay() time.Duration {
	d := fi.f.Latency
	if fi.f.Jitter > 0 {
		fi.mu.Lock()
		d += time.Duration((fi.rng.Float64()*2 - 1) * float64(fi.f.Jitter))
		fi.mu.Unlock()
	}
	return max(d, 0)
}

// revert reports whether this session-key execution is to revert on chain.
func (fi *faultInjector) revert() bool { return fi != nil && fi.chance(fi.f.RevertRate) }

// serve runs next under the faults: rate limit, latency, failure, drop.
func (fi *faultInjector) serve(w http.ResponseWriter, r *http.Request, next http.Handler, raw http.ResponseWriter) {
	if fi.limiter != nil {
		res := fi.limiter.Reserve()
		if d := res.Delay(); d > 0 {
			res.Cancel()
			secs := max(1, int(math.Ceil(d.Seconds())))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(w, &apiError{http.StatusTooManyRequests, apiclient.CodeRateLimited, fmt.Sprintf(
				"rate limit exceeded: the sandbox accepts %g requests per second (injected fault); retry after %d s", fi.f.RateLimit, secs)})
			return
		}
	}
	if fi.f.Latency > 0 {
		t := time.NewTimer(fi.delay())
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fi.chance(fi.f.FailRate) {
		writeError(w, internalError("internal error (injected fault: the sandbox fails %g of requests); nothing was done, the request may be retried", fi.f.FailRate))
		return
	}
	if fi.chance(fi.f.DropRate) {
		if err := dropAfter(w, r, next, raw); err == nil {
			return
		}
		// No hijackable connection (HTTP/2): abort the response instead.
		panic(http.ErrAbortHandler)
	}
	next.ServeHTTP(w, r)
}

// dropAfter runs the request, then writes the status line, the headers and
// half the body to the raw connection and closes it: the request took
// effect, the client sees the connection die mid-response.
func dropAfter(w http.ResponseWriter, r *http.Request, next http.Handler, raw http.ResponseWriter) error {
	hj, ok := raw.(http.Hijacker)
	if !ok {
		return errors.New("not hijackable")
	}
	buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	for k, v := range w.Header() {
		buf.header[k] = v
	}
	next.ServeHTTP(buf, r)
	if rec, ok := w.(*statusRecorder); ok {
		rec.status, rec.wrote, rec.dropped = buf.status, true, true
	}
	conn, bw, err := hj.Hijack()
	if err != nil {
		return err
	}
	defer conn.Close()
	writePartial(bw, buf)
	return nil
}

func writePartial(bw *bufio.ReadWriter, buf *bufferedResponse) {
	body := buf.body.Bytes()
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", buf.status, http.StatusText(buf.status))
	buf.header.Set("Content-Length", strconv.Itoa(len(body)))
	buf.header.Set("Connection", "close")
	buf.header.Write(bw)
	bw.WriteString("\r\n")
	bw.Write(body[:len(body)/2])
	bw.Flush()
}

// bufferedResponse collects a handler's answer.
type bufferedResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if !b.wrote {
		b.status, b.wrote = code, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
