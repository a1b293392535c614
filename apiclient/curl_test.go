package apiclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// The exported curl runs as pasted: a shell expands the credential
// variables, the server gets the real values, and an HTTP error exits
// non-zero (--fail). The command itself never holds a secret.
func TestCurlCommandRunsAsPasted(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	const secret, token, clientID = "sk_live_curl_test_secret_value_1234", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "client-curl"
	var mu sync.Mutex
	var got http.Header
	var body string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(strings.Builder)
		buf := make([]byte, 512)
		for {
			n, err := r.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		mu.Lock()
		got, body = r.Header.Clone(), b.String()
		st := status
		mu.Unlock()
		w.WriteHeader(st)
		w.Write([]byte(`{"result":{}}`))
	}))
	defer srv.Close()

	var ex Exchange
	c := New(srv.URL, clientID, secret, WithOnExchange(func(e Exchange) { ex = e }))
	if _, _, err := c.CreateSessionKey(context.Background(), token, CreateSessionKeyRequest{ChainID: 1, SessionKeyAddress: "0x0000000000000000000000000000000000000001"}); err == nil {
		t.Log("(no transaction ID: fine, the exchange is what matters)")
	}
	for _, multiline := range []bool{false, true} {
		cmd := ex.CurlCommand(CurlOptions{Multiline: multiline})
		for _, s := range []string{secret, token, clientID, "…"} {
			if strings.Contains(cmd, s) {
				t.Fatalf("the command holds %q: %s", s, cmd)
			}
		}
		if !strings.Contains(cmd, "--fail") {
			t.Fatalf("no --fail: %s", cmd)
		}
		if names := CurlEnvNames(ex); strings.Join(names, ",") != CurlEnvUserToken+","+CurlEnvClientID {
			t.Errorf("env names %v", names)
		}
		sh := exec.Command("sh", "-c", cmd)
		sh.Env = append(os.Environ(), CurlEnvSecretKey+"="+secret, CurlEnvClientID+"="+clientID, CurlEnvUserToken+"="+token)
		if out, err := sh.CombinedOutput(); err != nil {
			t.Fatalf("multiline=%v: %v: %s\n%s", multiline, err, out, cmd)
		}
		mu.Lock()
		if got.Get("Authorization") != "Bearer "+token || got.Get("x-client-id") != clientID || !strings.Contains(body, `"sessionKeyAddress"`) {
			t.Errorf("server got %v %q", got, body)
		}
		mu.Unlock()
	}
	// an HTTP error exits non-zero
	mu.Lock()
	status = http.StatusUnauthorized
	mu.Unlock()
	sh := exec.Command("sh", "-c", ex.CurlCommand(CurlOptions{}))
	sh.Env = append(os.Environ(), CurlEnvClientID+"="+clientID, CurlEnvUserToken+"="+token)
	if err := sh.Run(); err == nil {
		t.Error("a 401 exited 0: --fail missing")
	}
	// --reveal: literal values
	if cmd := ex.CurlCommand(CurlOptions{Reveal: true}); !strings.Contains(cmd, token) || strings.Contains(cmd, "$"+CurlEnvUserToken) {
		t.Errorf("reveal: %s", cmd)
	}
}

func TestCurlCommandSecretKeyHeader(t *testing.T) {
	ex := Exchange{Method: "GET", URL: "http://127.0.0.1:1/v1/transactions/x", RequestHeader: http.Header{"X-Secret-Key": {"sk_abc"}, "User-Agent": {"walletconsole/dev"}}}
	want := `curl -sS --fail -X GET 'http://127.0.0.1:1/v1/transactions/x' -H "x-secret-key: $THIRDWEB_SECRET_KEY"`
	if got := ex.CurlCommand(CurlOptions{}); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
