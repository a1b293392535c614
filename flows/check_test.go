package flows

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"walletconsole/apiclient"
)

func TestConnCheck(t *testing.T) {
	var secret string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret = r.Header.Get("x-secret-key")
		if r.URL.Path != "/v1/wallets/server" || r.URL.Query().Get("limit") != "1" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"result":{"pagination":{},"wallets":[]}}`))
	}))
	defer srv.Close()
	cfg := Config{Mode: ModeLive, APIURL: srv.URL + "/v1", ClientID: "c", SecretKey: "sk_check", ChainID: DefaultChainID}
	conn, err := Connect(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Check(context.Background()); err != nil || secret != "sk_check" {
		t.Fatalf("check: %v (secret sent %q)", err, secret)
	}
	if _, ok := conn.IsSandbox(context.Background()); ok {
		t.Error("a server without /sandbox/info counted as a sandbox")
	}
	status = http.StatusUnauthorized
	if err := conn.Check(context.Background()); !apiclient.AuthFailed(err) {
		t.Errorf("401: %v", err)
	}
	srv.Close()
	if err := conn.Check(context.Background()); err == nil || apiclient.StatusOf(err) != 0 {
		t.Errorf("closed server: %v", err)
	}
}
