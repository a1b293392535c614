package apiclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultBaseURL is the hosted Wallets API.
const DefaultBaseURL = "https://api.thirdweb.com/v1"

// Version goes into the User-Agent (walletconsole/<Version>); main may set it.
var Version = "dev"

// Defaults of a new Client.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultDialTimeout  = 5 * time.Second
	DefaultMaxTries     = 3                // GET tries on 429/503, first one included
	DefaultMaxRetryWait = 10 * time.Second // longest single wait between GET tries
	maxResponseBytes    = 10 << 20
)

// ErrNoSecretKey is returned, before any request, by server-side calls when
// the client has no secret key.
var ErrNoSecretKey = errors.New("this call needs a secret key (x-secret-key), and none is configured")

// Client calls the Wallets API v1. Its fields may be set before first use;
// a Client is safe for concurrent use afterwards.
type Client struct {
	BaseURL   string // e.g. https://api.thirdweb.com/v1 (no trailing slash needed)
	ClientID  string
	SecretKey string
	HTTP      *http.Client
	// OnExchange, if set, is called synchronously after every HTTP attempt
	// (each retry included), possibly from several goroutines at once. It
	// must not block; it receives the unmasked exchange.
	OnExchange func(Exchange)
	UserAgent  string

	MaxTries     int           // GET tries on 429/503 (≥1)
	MaxRetryWait time.Duration // a Retry-After above this is not waited for (0: no bound)

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// Option configures a Client in New.
type Option func(*Client)

// WithHTTPClient replaces the HTTP client (timeouts included).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.HTTP = h } }

// WithOnExchange sets the exchange hook.
func WithOnExchange(f func(Exchange)) Option { return func(c *Client) { c.OnExchange = f } }

// WithUserAgent replaces the User-Agent.
func WithUserAgent(ua string) Option { return func(c *Client) { c.UserAgent = ua } }

// WithRetry bounds GET retries: tries in all (≥1) and the longest single wait.
func WithRetry(tries int, maxWait time.Duration) Option {
	return func(c *Client) {
		if tries < 1 {
			tries = 1
		}
		c.MaxTries, c.MaxRetryWait = tries, maxWait
	}
}

// New makes a Client; an empty baseURL means DefaultBaseURL.
func New(baseURL, clientID, secretKey string, opts ...Option) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	c := &Client{
		BaseURL:      strings.TrimRight(baseURL, "/"),
		ClientID:     clientID,
		SecretKey:    secretKey,
		HTTP:         NewHTTPClient(),
		UserAgent:    "walletconsole/" + Version,
		MaxTries:     DefaultMaxTries,
		MaxRetryWait: DefaultMaxRetryWait,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// NewHTTPClient returns an HTTP client with the default timeouts (30 s per
// request, 5 s to dial).
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.MaxIdleConnsPerHost = 16
	return &http.Client{Timeout: DefaultTimeout, Transport: tr}
}

// SessionContext selects session-key execution for send and write: the
// x-account-address (the user's wallet) and x-session-key-address (the
// signing server wallet) headers. The zero value sends neither.
type SessionContext struct{ Account, SessionKey string }

// IsZero reports whether no context headers will be sent.
func (s SessionContext) IsZero() bool { return s.Account == "" && s.SessionKey == "" }

// auth says which credential headers a call carries (docs/api.md §1).
type auth int

const (
	authClient auth = iota // x-client-id
	authSecret             // x-secret-key (required)
	authUser               // Authorization: Bearer + x-client-id
	authRead               // x-secret-key if configured, else x-client-id
)

type call struct {
	method string
	path   string // relative to BaseURL, starting with "/"
	query  url.Values
	auth   auth
	token  string
	sc     SessionContext
	body   any
	// bare: decode the whole body, not its "result"
	bare bool
}

// --- Endpoints ---

// GuestLogin is POST /auth/complete with method "guest"; the response is bare.
func (c *Client) GuestLogin(ctx context.Context, sessionID string) (AuthCompleteResponse, error) {
	var out AuthCompleteResponse
	err := c.do(ctx, call{method: http.MethodPost, path: "/auth/complete", auth: authClient,
		body: AuthCompleteRequest{Method: "guest", SessionID: sessionID}}, &out)
	if err == nil && out.Token == "" {
		err = fmt.Errorf("POST /auth/complete: response has no token")
	}
	return out, err
}

// Me is GET /wallets/me as the user.
func (c *Client) Me(ctx context.Context, token string) (Wallet, error) {
	var out Wallet
	err := c.do(ctx, call{method: http.MethodGet, path: "/wallets/me", auth: authUser, token: token}, &out)
	return out, err
}

// CreateServerWallet is POST /wallets/server (idempotent per identifier).
func (c *Client) CreateServerWallet(ctx context.Context, identifier string) (Wallet, error) {
	var out Wallet
	err := c.do(ctx, call{method: http.MethodPost, path: "/wallets/server", auth: authSecret,
		body: CreateServerWalletRequest{Identifier: identifier}}, &out)
	if err == nil && out.Address == "" {
		err = fmt.Errorf("POST /wallets/server: response has no result.address")
	}
	return out, err
}

// ListServerWallets is GET /wallets/server; page and limit ≤ 0 are omitted.
func (c *Client) ListServerWallets(ctx context.Context, page, limit int) (ServerWalletList, error) {
	var out ServerWalletList
	err := c.do(ctx, call{method: http.MethodGet, path: "/wallets/server", auth: authSecret,
		query: pageQuery(nil, page, limit)}, &out)
	return out, err
}

// CreateSessionKey is POST /wallets/create-session-key as the user. It
// returns the grant's transaction ID (see CreateSessionKeyResponse.ID) and
// the decoded response.
func (c *Client) CreateSessionKey(ctx context.Context, token string, req CreateSessionKeyRequest) (string, CreateSessionKeyResponse, error) {
	var raw CreateSessionKeyResponse
	const path = "/wallets/create-session-key"
	if err := c.do(ctx, call{method: http.MethodPost, path: path, auth: authUser, token: token, body: req, bare: true}, &raw); err != nil {
		return "", raw, err
	}
	id, ok := raw.ID()
	if !ok {
		return "", raw, fmt.Errorf("POST %s: response has no transaction ID (looked for transactionId, result.transactionId, result.transactionIds[0])", path)
	}
	return id, raw, nil
}

// Send is POST /wallets/send; a non-zero sc adds the session-key context
// headers. It returns one transaction ID per recipient.
func (c *Client) Send(ctx context.Context, sc SessionContext, req SendRequest) ([]string, error) {
	return c.write(ctx, "/wallets/send", sc, req)
}

// WriteContract is POST /contracts/write, with context headers as Send.
func (c *Client) WriteContract(ctx context.Context, sc SessionContext, req ContractWriteRequest) ([]string, error) {
	return c.write(ctx, "/contracts/write", sc, req)
}

func (c *Client) write(ctx context.Context, path string, sc SessionContext, body any) ([]string, error) {
	var out TransactionIDs
	if err := c.do(ctx, call{method: http.MethodPost, path: path, auth: authSecret, sc: sc, body: body}, &out); err != nil {
		return nil, err
	}
	ids := out.TransactionIDs
	if len(ids) == 0 && out.TransactionID != "" {
		ids = []string{out.TransactionID}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("POST %s: response has no transaction IDs", path)
	}
	return ids, nil
}

// Transaction is GET /transactions/{id} (wrapped or bare).
func (c *Client) Transaction(ctx context.Context, id string) (Transaction, error) {
	var out Transaction
	if id == "" {
		return out, errors.New("GET /transactions/{id}: empty transaction ID")
	}
	err := c.do(ctx, call{method: http.MethodGet, path: "/transactions/" + url.PathEscape(id), auth: authRead}, &out)
	if err == nil && out.ID == "" && out.Status == "" {
		err = fmt.Errorf("GET /transactions/%s: response holds no transaction record", id)
	}
	return out, err
}

// Transactions is GET /transactions; empty from and page/limit ≤ 0 are omitted.
func (c *Client) Transactions(ctx context.Context, from string, page, limit int) (TransactionList, error) {
	var out TransactionList
	q := url.Values{}
	if from != "" {
		q.Set("from", from)
	}
	err := c.do(ctx, call{method: http.MethodGet, path: "/transactions", auth: authRead, query: pageQuery(q, page, limit)}, &out)
	return out, err
}

// Balance is GET /wallets/{address}/balance with one chainId per chain; an
// empty token means native.
func (c *Client) Balance(ctx context.Context, address string, chainIDs []uint64, token string) ([]Balance, error) {
	var out []Balance
	q := url.Values{}
	for _, id := range chainIDs {
		q.Add("chainId", strconv.FormatUint(id, 10))
	}
	if token != "" {
		q.Set("tokenAddress", token)
	}
	err := c.do(ctx, call{method: http.MethodGet, path: "/wallets/" + url.PathEscape(address) + "/balance", auth: authRead, query: q}, &out)
	return out, err
}

// SandboxInfo is GET /sandbox/info (embedded sandbox only).
func (c *Client) SandboxInfo(ctx context.Context) (SandboxInfo, error) {
	var out SandboxInfo
	err := c.do(ctx, call{method: http.MethodGet, path: "/sandbox/info", auth: authRead}, &out)
	return out, err
}

// Session is GET /sandbox/sessions/{account}/{signer}?chainId=N (sandbox only).
func (c *Client) Session(ctx context.Context, chainID uint64, account, signer string) (SessionInfo, error) {
	var out SessionInfo
	q := url.Values{"chainId": {strconv.FormatUint(chainID, 10)}}
	err := c.do(ctx, call{method: http.MethodGet, auth: authRead, query: q,
		path: "/sandbox/sessions/" + url.PathEscape(account) + "/" + url.PathEscape(signer)}, &out)
	return out, err
}

// AdvanceTime is POST /sandbox/advance-time (sandbox only, secret key).
func (c *Client) AdvanceTime(ctx context.Context, chainID uint64, seconds int64) (AdvanceTimeResult, error) {
	var out AdvanceTimeResult
	err := c.do(ctx, call{method: http.MethodPost, path: "/sandbox/advance-time", auth: authSecret,
		body: AdvanceTimeRequest{ChainID: chainID, Seconds: seconds}}, &out)
	return out, err
}

func pageQuery(q url.Values, page, limit int) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

// --- Transport ---

func (c *Client) headers(cl call) (http.Header, error) {
	h := http.Header{}
	switch cl.auth {
	case authClient:
		h.Set("x-client-id", c.ClientID)
	case authSecret:
		if c.SecretKey == "" {
			return nil, fmt.Errorf("%s %s: %w", cl.method, cl.path, ErrNoSecretKey)
		}
		h.Set("x-secret-key", c.SecretKey)
	case authUser:
		if cl.token == "" {
			return nil, fmt.Errorf("%s %s: no user token (log in first)", cl.method, cl.path)
		}
		h.Set("Authorization", "Bearer "+cl.token)
		h.Set("x-client-id", c.ClientID)
	case authRead:
		if c.SecretKey != "" {
			h.Set("x-secret-key", c.SecretKey)
		} else {
			h.Set("x-client-id", c.ClientID)
		}
	}
	if cl.sc.Account != "" {
		h.Set("x-account-address", cl.sc.Account)
	}
	if cl.sc.SessionKey != "" {
		h.Set("x-session-key-address", cl.sc.SessionKey)
	}
	if cl.body != nil {
		h.Set("Content-Type", "application/json")
	}
	if c.UserAgent != "" {
		h.Set("User-Agent", c.UserAgent)
	} else {
		h.Set("User-Agent", "walletconsole/"+Version)
	}
	return h, nil
}

// retryStatus: the answers a GET is asked again after (bounded by MaxTries
// and MaxRetryWait). 429 waits for its Retry-After; 5xx back off.
func retryStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// do runs one call: GETs are retried on 429 and 5xx (retryStatus), POSTs
// never: a write that failed may still have been carried out, and only the
// user may decide to send it again.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	hdr, err := c.headers(cl)
	if err != nil {
		return err
	}
	var body []byte
	if cl.body != nil {
		if body, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("%s %s: encode body: %w", cl.method, cl.path, err)
		}
	}
	u := strings.TrimRight(c.BaseURL, "/") + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	tries := c.MaxTries
	if tries < 1 {
		tries = 1
	}
	if cl.method != http.MethodGet {
		tries = 1
	}
	for attempt := 1; ; attempt++ {
		status, respBody, apiErr, err := c.roundTrip(ctx, cl, u, hdr, body, attempt)
		if err != nil {
			return err
		}
		if apiErr == nil {
			if err := decodeResult(respBody, cl.bare, out); err != nil {
				return fmt.Errorf("%s %s: the API's %d answer is not the JSON expected: %w (body: %s)", cl.method, cl.path, status,
					err, Printable(c.redact(cl, cutBody(respBody, 120))))
			}
			return nil
		}
		if attempt >= tries || !retryStatus(status) {
			return apiErr
		}
		wait := apiErr.RetryAfter
		if wait == 0 {
			wait = backoff(attempt)
		}
		if c.MaxRetryWait > 0 && wait > c.MaxRetryWait {
			return apiErr // the server wants longer than we wait: let the caller decide
		}
		t0 := time.Now()
		if err := c.doSleep(ctx, wait); err != nil {
			kind := NetTimeout
			if errors.Is(err, context.Canceled) {
				kind = NetCancelled
			}
			return &NetError{Kind: kind, Method: cl.method, Path: cl.path, Host: hostOf(u), Elapsed: time.Since(t0), Err: err}
		}
	}
}

func backoff(attempt int) time.Duration {
	d := 250 * time.Millisecond << (attempt - 1)
	if d > 2*time.Second {
		d = 2 * time.Second
	}
	return d + rand.N(d/4+1)
}

// roundTrip makes one attempt and reports it to OnExchange. A non-2xx
// answer comes back as an *APIError (also the exchange's Err); err is a
// transport failure.
func (c *Client) roundTrip(ctx context.Context, cl call, u string, hdr http.Header, body []byte, attempt int) (int, []byte, *APIError, error) {
	ex := Exchange{Tag: TagFrom(ctx), Method: cl.method, URL: u, RequestHeader: hdr.Clone(),
		RequestBody: body, Start: time.Now(), Attempt: attempt}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: %w", cl.method, cl.path, err)
	}
	req.Header = hdr.Clone()
	httpc := c.httpClient()
	resp, err := httpc.Do(req)
	if err != nil {
		err = netError(ctx, cl, req.URL.Host, time.Since(ex.Start), false, err)
		if ne, ok := err.(*NetError); ok && ne.Kind == NetTimeout && ctx.Err() == nil && httpc.Timeout > 0 {
			ne.Elapsed = httpc.Timeout // the client's own limit ran out: say which
		}
		ex.Duration, ex.Err = time.Since(ex.Start), err
		c.emit(ex)
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	respBody, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	ex.Status, ex.ResponseHeader, ex.ResponseBody = resp.StatusCode, resp.Header.Clone(), respBody
	ex.Duration = time.Since(ex.Start)
	if rerr != nil {
		err = netError(ctx, cl, req.URL.Host, ex.Duration, true, rerr)
		ex.Err = err
		c.emit(ex)
		return 0, nil, nil, err
	}
	var apiErr *APIError
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr = parseAPIError(cl.method, cl.path, resp.StatusCode, resp.Header, respBody, c.nowTime())
		apiErr.Message = c.redact(cl, apiErr.Message)
		apiErr.Code = c.redact(cl, apiErr.Code)
		ex.Err = apiErr
	}
	c.emit(ex)
	return resp.StatusCode, respBody, apiErr, nil
}

func (c *Client) emit(ex Exchange) {
	if c.OnExchange != nil {
		c.OnExchange(ex)
	}
}

// netError turns a transport error into a *NetError: plain words, the
// method and path, nothing from the headers. midway: the answer had begun.
func netError(ctx context.Context, cl call, host string, elapsed time.Duration, midway bool, err error) error {
	inner := unwrapURL(err)
	e := &NetError{Kind: NetOther, Method: cl.method, Path: cl.path, Host: host, Elapsed: elapsed, Midway: midway, Err: inner}
	var re *redirectError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var ne net.Error
	switch {
	case errors.As(inner, &re):
		e.Kind, e.Detail = NetRedirect, re.Error()
	case errors.Is(inner, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		e.Kind = NetCancelled
	case errors.Is(inner, context.DeadlineExceeded) || (errors.As(inner, &ne) && ne.Timeout()):
		e.Kind = NetTimeout
	case errors.Is(inner, syscall.ECONNREFUSED):
		e.Kind = NetRefused
	case errors.As(inner, &dnsErr):
		e.Kind = NetNoHost
	case errors.Is(inner, io.EOF) || errors.Is(inner, io.ErrUnexpectedEOF) || errors.Is(inner, syscall.ECONNRESET) ||
		errors.Is(inner, syscall.EPIPE) || errors.Is(inner, net.ErrClosed):
		e.Kind = NetDropped
	case errors.As(inner, &certErr):
		e.Kind, e.Detail = NetTLS, Printable(certErr.Err.Error())
	case errors.As(inner, &recErr):
		e.Kind, e.Detail = NetTLS, "the server does not speak TLS there (is the URL http:// rather than https://?)"
	default:
		e.Detail = Printable(plainNetText(inner))
	}
	return e
}

// plainNetText is the last resort for an unclassified transport error: the
// innermost message, without Go's "dial tcp 1.2.3.4:5:" style prefixes.
func plainNetText(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	var se *os.SyscallError
	if errors.As(err, &se) && se.Err != nil {
		err = se.Err
	}
	return err.Error()
}

// redirectError is a redirect refused because it leaves the API's origin.
type redirectError struct{ from, to *url.URL }

func (e *redirectError) Error() string {
	return fmt.Sprintf("the API at %s redirected to %s, another host; not followed, so the credentials are sent only to %s",
		origin(e.from), Printable(origin(e.to)), e.from.Host)
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

func defaultPort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// checkRedirect follows a redirect only within the same scheme, host and
// port. net/http drops Authorization across hosts but keeps every other
// header, x-secret-key included, so a redirect to another origin would
// hand the secret key to it.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	from, to := via[0].URL, req.URL
	if from.Scheme != to.Scheme || !strings.EqualFold(from.Hostname(), to.Hostname()) || defaultPort(from) != defaultPort(to) {
		return &redirectError{from: from, to: to}
	}
	return nil
}

// httpClient is c.HTTP (or the default) with the redirect rule enforced,
// whatever client was given: a caller's own CheckRedirect still runs, after.
func (c *Client) httpClient() *http.Client {
	h := c.HTTP
	if h == nil {
		h = http.DefaultClient
	}
	cp := *h
	own := h.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkRedirect(req, via); err != nil {
			return err
		}
		if own != nil {
			return own(req, via)
		}
		return nil
	}
	return &cp
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Host
	}
	return ""
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redact replaces the client's secret key and the call's token, should a
// server echo them, with their masked forms.
func (c *Client) redact(cl call, s string) string {
	for _, sec := range []string{c.SecretKey, cl.token} {
		if len(sec) >= 6 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, MaskSecret(sec))
		}
	}
	return maskJWTs(s)
}

func (c *Client) nowTime() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *Client) doSleep(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		return c.sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// decodeResult decodes the body's "result" when present, else the body.
func decodeResult(body []byte, bare bool, out any) error {
	if out == nil {
		return nil
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return errors.New("empty body")
	}
	if !bare && body[0] == '{' {
		var env map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err == nil {
			if r, ok := env["result"]; ok && len(r) > 0 && !bytes.Equal(r, []byte("null")) {
				return json.Unmarshal(r, out)
			}
		}
	}
	return json.Unmarshal(body, out)
}
