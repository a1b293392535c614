package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := "req_" + strings.ReplaceAll(uuid.NewString(), "-", "")
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h := rec.Header()
		h.Set("x-request-id", reqID)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "x-request-id, Retry-After")
		r = r.WithContext(withRequestID(r.Context(), reqID))

		switch {
		case r.Method == http.MethodOptions:
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", "600")
			rec.WriteHeader(http.StatusNoContent)
		default:
			if _, pattern := mux.Handler(r); pattern != "" {
				mux.ServeHTTP(rec, r)
			} else if allow := allowedMethods(mux, r); allow != "" {
				h.Set("Allow", allow)
				writeError(rec, &apiError{http.StatusMethodNotAllowed, apiclient.CodeInvalidRequest,
					fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allow)})
			} else {
				writeError(rec, notFound("no route %s %s", r.Method, r.URL.Path))
			}
		}
		s.log.Info("request",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"duration", time.Since(start).Round(time.Microsecond),
			"request_id", reqID)
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
	status int
	wrote  bool
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
		return badRequest("reading request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("request body is empty; expected a JSON object")
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
