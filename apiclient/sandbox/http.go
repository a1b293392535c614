package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"walletconsole/apiclient"
)

// apiError is an error answer: status, code (apiclient.Code*) and message.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, apiclient.CodeInvalidRequest, fmt.Sprintf(format, args...)}
}

func unauthorized(format string, args ...any) *apiError {
	return &apiError{http.StatusUnauthorized, apiclient.CodeUnauthorized, fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) *apiError {
	return &apiError{http.StatusForbidden, apiclient.CodeForbidden, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{http.StatusNotFound, apiclient.CodeNotFound, fmt.Sprintf(format, args...)}
}

func internalError(format string, args ...any) *apiError {
	return &apiError{http.StatusInternalServerError, apiclient.CodeInternal, fmt.Sprintf(format, args...)}
}

// handlerFunc is a route: it returns the value to send (wrapped in
// {"result": ...} unless it is a rawBody) or an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) (any, error)

// rawBody is sent as it is, without the {"result": ...} envelope.
type rawBody struct{ v any }

type resultEnvelope struct {
	Result any `json:"result"`
}

// corsHeaders are the request headers browsers may send (the seed's, plus ours).
const corsHeaders = "Content-Type, Authorization, x-client-id, x-secret-key, x-account-address, x-session-key-address"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h handlerFunc) {
		mux.Handle(pattern, s.serve(h))
	}
	handle("POST /v1/auth/complete", s.handleAuthComplete)
	handle("GET /v1/wallets/me", s.handleMe)
	handle("POST /v1/wallets/server", s.handleCreateServerWallet)
	handle("GET /v1/wallets/server", s.handleListServerWallets)
	handle("POST /v1/wallets/create-session-key", s.handleCreateSessionKey)
	handle("POST /v1/wallets/send", s.handleSend)
	handle("POST /v1/contracts/write", s.handleContractWrite)
	handle("GET /v1/transactions/{id}", s.handleTransaction)
	handle("GET /v1/transactions", s.handleTransactions)
	handle("GET /v1/wallets/{address}/balance", s.handleBalance)
	handle("GET /v1/sandbox/info", s.handleInfo)
	handle("GET /v1/sandbox/sessions/{account}/{signer}", s.handleSession)
	handle("POST /v1/sandbox/advance-time", s.handleAdvanceTime)

	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
		} else if allow := allowedMethods(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			writeError(w, &apiError{http.StatusMethodNotAllowed, apiclient.CodeInvalidRequest,
				fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allow)})
		} else {
			writeError(w, notFound("no route %s %s", r.Method, r.URL.Path))
		}
	})

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := "req_" + strings.ReplaceAll(uuid.NewString(), "-", "")
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h := rec.Header()
		h.Set("x-request-id", reqID)
		h.Set("Vary", "Origin")
		r = r.WithContext(withRequestID(r.Context(), reqID))

		switch {
		case !s.guardBrowser(rec, r):
		case r.Method == http.MethodOptions:
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", "600")
			rec.WriteHeader(http.StatusNoContent)
		case s.faults != nil:
			s.faults.serve(rec, r, api, w)
		default:
			api.ServeHTTP(rec, r)
		}
		attrs := []any{
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond),
			"request_id", reqID,
		}
		if rec.dropped {
			attrs = append(attrs, "fault", "connection dropped mid-response")
		}
		s.log.Info("request", attrs...)
	})
}

func allowedMethods(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := mux.Handler(r2); p != "" {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}

// serve adapts a handlerFunc: envelope, error body, panics as 500.
func (s *Server) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("handler panic", "path", r.URL.Path, "panic", fmt.Sprint(p), "request_id", requestID(r.Context()))
				writeError(w, internalError("internal error (request %s)", requestID(r.Context())))
			}
		}()
		v, err := h(w, r)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) {
				s.log.Error("handler error", "path", r.URL.Path, "err", err, "request_id", requestID(r.Context()))
				ae = internalError("%v", err)
			}
			writeError(w, ae)
			return
		}
		if raw, ok := v.(rawBody); ok {
			writeJSON(w, http.StatusOK, raw.v)
			return
		}
		writeJSON(w, http.StatusOK, resultEnvelope{Result: v})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		enc.Encode(apiclient.ErrorBody{Error: apiclient.ErrorDetail{Code: apiclient.CodeInternal, Message: "encoding response: " + err.Error()}})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, apiclient.ErrorBody{Error: apiclient.ErrorDetail{Code: e.Code, Message: e.Message}})
}

type statusRecorder struct {
	http.ResponseWriter
	status  int
	wrote   bool
	dropped bool // the drop fault cut the answer off
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// decodeBody reads a JSON body into v: size-limited, numbers kept exact
// (UseNumber, for contract params), one value only. Unknown fields are
// ignored, as the hosted API does; known fields of the wrong type are 400.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &apiError{http.StatusRequestEntityTooLarge, apiclient.CodeInvalidRequest,
				fmt.Sprintf("request body is larger than %d bytes", maxBodyBytes)}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return &apiError{http.StatusRequestTimeout, apiclient.CodeInvalidRequest,
				fmt.Sprintf("request body arrived too slowly: the sandbox reads a whole request in at most %v", readTimeout)}
		}
		return badRequest("reading request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("request body is empty; expected a JSON object")
	}
	if err := checkExponents(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		msg := describeJSONError(err)
		if path := locateBadValue(body, err); path != "" {
			msg = "field " + path + ": " + msg
		}
		return badRequest("invalid JSON body: %s", msg)
	}
	if dec.More() {
		return badRequest("invalid JSON body: unexpected data after the JSON object")
	}
	return nil
}

// maxExponent bounds the exponent of numbers such as 1e21: a 256-bit value
// is below 1.2e77, and parsing 1e999999 exactly would cost a million-digit
// power of ten before being refused.
const maxExponent = 100

// numberFields hold amounts, which are read from exponent forms too
// ("1e21") whether sent as JSON numbers or strings; contract params
// likewise.
var numberFields = map[string]bool{"quantity": true, "value": true, "maxValuePerUse": true, "limit": true, "period": true}

// checkExponents refuses, before any big-number work, a JSON number (or an
// amount field's string) whose exponent is beyond ±maxExponent, naming the
// field. Malformed JSON is left for the decoder to describe.
func checkExponents(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		obj    bool
		key    string // object: the current key
		expect bool   // object: next token is a key
		index  int    // array: next index
	}
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				fmt.Fprintf(&b, "[%d]", f.index-1)
			}
		}
		return b.String()
	}
	inAmount := func() bool {
		for _, f := range stack {
			if f.obj && (numberFields[f.key] || f.key == "params") {
				return true
			}
		}
		return false
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or a syntax error the real decode reports
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.expect {
			if k, ok := tok.(string); ok {
				top.key, top.expect = clip(apiclient.Printable(k), 40), false
				continue
			}
			// '}' closing the object: handled below
		}
		if top != nil && !top.obj {
			if d, ok := tok.(json.Delim); !ok || d != ']' {
				top.index++
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &frame{obj: true, expect: true})
				continue
			case '[':
				stack = append(stack, &frame{})
				continue
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case json.Number:
			if exponentTooLarge(string(v)) {
				return badRequest("field %s: number %s has an exponent beyond ±%d (256-bit values are below 1.2e77)", path(), clip(string(v), 40), maxExponent)
			}
		case string:
			if inAmount() && exponentTooLarge(strings.TrimSpace(v)) {
				return badRequest("field %s: number %q has an exponent beyond ±%d (256-bit values are below 1.2e77)", path(), clip(apiclient.Printable(v), 40), maxExponent)
			}
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].expect = true
		}
	}
}

// exponentTooLarge reports whether s is a decimal number with an exponent
// part whose magnitude exceeds maxExponent.
func exponentTooLarge(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 || strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return false
	}
	for _, c := range s[:i] {
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' {
			return false // not a number: the field's own parser says so
		}
	}
	exp := strings.TrimLeft(s[i+1:], "+-")
	exp = strings.TrimLeft(exp, "0")
	if exp == "" {
		return false
	}
	for _, c := range exp {
		if c < '0' || c > '9' {
			return false
		}
	}
	if len(exp) > 4 {
		return true
	}
	n, _ := strconv.Atoi(exp)
	return n > maxExponent
}

func describeJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return fmt.Sprintf("expected %s, got %s", jsonKind(te.Type.String()), te.Value)
		}
		return fmt.Sprintf("field %s: expected %s, got %s", field, jsonKind(te.Type.String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of JSON"
	}
	return err.Error()
}

// locateBadValue names the field of a value rejected by a type's own
// UnmarshalJSON (apiclient.Decimal: "\"-1\" is negative"), which
// encoding/json reports without its path: it finds the first leaf whose
// text is the quoted value.
func locateBadValue(body []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) {
		return ""
	}
	q, qerr := strconv.QuotedPrefix(err.Error())
	if qerr != nil {
		return ""
	}
	val, _ := strconv.Unquote(q)
	var tree any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&tree) != nil {
		return ""
	}
	var walk func(v any, path string) string
	walk = func(v any, path string) string {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				p := k
				if path != "" {
					p = path + "." + k
				}
				if r := walk(x[k], p); r != "" {
					return r
				}
			}
		case []any:
			for i, e := range x {
				if r := walk(e, fmt.Sprintf("%s[%d]", path, i)); r != "" {
					return r
				}
			}
		case string:
			if x == val {
				return path
			}
		case json.Number:
			if x.String() == val {
				return path
			}
		}
		return ""
	}
	return walk(tree, "")
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "uint"):
		return "a non-negative integer"
	case strings.HasPrefix(goType, "int"):
		return "an integer"
	case goType == "string" || strings.HasSuffix(goType, ".Decimal"):
		return "a string"
	case goType == "bool" || goType == "*bool":
		return "a boolean"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

// Query helpers.

func queryInt(r *http.Request, name string, def, min, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		if max > 1<<30 {
			return 0, badRequest("query %s=%q must be an integer ≥ %d", name, s, min)
		}
		return 0, badRequest("query %s=%q must be an integer from %d to %d", name, s, min, max)
	}
	return n, nil
}

func paginate(total, page, limit int) (start, end int, p apiclient.Pagination) {
	start = (page - 1) * limit
	if start > total {
		start = total
	}
	end = start + limit
	if end > total {
		end = total
	}
	hasMore := end < total
	p = apiclient.Pagination{HasMore: &hasMore, Limit: &limit, Page: &page, TotalCount: &total}
	return start, end, p
}
