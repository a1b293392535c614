package flows

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
)

func TestBuildGrantRequest(t *testing.T) {
	key := "0x2222222222222222222222222222222222222222"
	cp := []apiclient.CallPolicy{{Target: key, Selector: "0xa9059cbb"}}
	tp := []apiclient.TransferPolicy{{Target: key, MaxValuePerUse: "1"}}

	full := BuildGrantRequest(84532, key, GrantInput{Duration: time.Hour, Full: true, CallPolicies: cp, TransferPolicies: tp})
	b, _ := json.Marshal(full)
	if string(b) != `{"chainId":84532,"sessionKeyAddress":"`+key+`","durationInSeconds":3600,"grantFullPermissions":true}` {
		t.Errorf("full grant body %s", b)
	}
	scoped := BuildGrantRequest(1, key, GrantInput{Duration: 90 * time.Second, CallPolicies: cp, TransferPolicies: tp})
	if scoped.GrantFullPermissions == nil || *scoped.GrantFullPermissions || len(scoped.CallPolicies) != 1 || len(scoped.TransferPolicies) != 1 || scoped.DurationInSeconds != 90 {
		t.Errorf("scoped %+v", scoped)
	}
	b, _ = json.Marshal(BuildGrantRequest(1, key, GrantInput{}))
	if !strings.Contains(string(b), `"grantFullPermissions":false`) || !strings.Contains(string(b), `"durationInSeconds":3600`) {
		t.Errorf("zero input %s", b)
	}
	if d := BuildGrantRequest(1, key, GrantInput{Duration: 1500 * time.Millisecond}).DurationInSeconds; d != 2 {
		t.Errorf("rounding up: %d", d)
	}
}

func TestTokenExpiry(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tok := enc(`{"alg":"HS256","typ":"JWT"}`) + "." + enc(`{"sub":"0x1","exp":4102444800}`) + ".c2ln"
	if got := TokenExpiry(tok); !got.Equal(time.Unix(4102444800, 0)) {
		t.Errorf("exp %v", got)
	}
	if !TokenExpiry("not-a-jwt").IsZero() || !TokenExpiry(enc(`{"alg":"none"}`)+"."+enc(`{}`)+".").IsZero() {
		t.Error("unreadable token should give zero")
	}
}

// startSandbox runs the embedded sandbox for a test, on loopback.
func startSandbox(t *testing.T) *sandbox.Running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sb, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{BlockTime: 50 * time.Millisecond})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		sb.Close()
	})
	if !strings.HasPrefix(sb.BaseURL, "http://127.0.0.1:") {
		t.Fatalf("sandbox not on loopback: %s", sb.BaseURL)
	}
	return sb
}

// TestFlowAgainstSandbox runs the seed's four steps through flows against
// the real sandbox, then watches both transactions to CONFIRMED.
func TestFlowAgainstSandbox(t *testing.T) {
	sb := startSandbox(t)
	var mu sync.Mutex
	tags := map[string]int{}
	c := apiclient.New(sb.BaseURL, sb.ClientID(), sb.SecretKey(), apiclient.WithOnExchange(func(e apiclient.Exchange) {
		mu.Lock()
		tags[e.Tag]++
		mu.Unlock()
	}))
	r := &Runner{Client: c, ChainID: 84532}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	l, err := r.Login(ctx, "")
	if err != nil {
		t.Fatal("login: ", err)
	}
	if !strings.HasPrefix(l.SessionID, "session-") || l.Token == "" || l.ExpiresAt.Before(time.Now()) {
		t.Errorf("login %+v", l)
	}
	l2, err := r.Login(ctx, l.SessionID)
	if err != nil || !apiclient.SameAddress(l2.Address, l.Address) || l2.IsNewUser {
		t.Errorf("same session, other user? %+v %v", l2, err)
	}
	k, err := r.CreateSessionKey(ctx, "")
	if err != nil {
		t.Fatal("session key: ", err)
	}
	if !strings.HasPrefix(k.Identifier, "session-key-") {
		t.Errorf("key %+v", k)
	}
	keys, err := r.ListSessionKeys(ctx)
	if err != nil || len(keys) == 0 {
		t.Errorf("list %v %v", keys, err)
	}
	g, err := r.Grant(ctx, l, k, GrantInput{Duration: time.Hour, Full: true})
	if err != nil {
		t.Fatal("grant: ", err)
	}
	if g.TxID == "" || time.Until(g.ExpiresAt) < 59*time.Minute {
		t.Errorf("grant %+v", g)
	}
	var updates []string
	gtx, err := r.Watch(ctx, g.TxID, func(tx apiclient.Transaction) { updates = append(updates, string(tx.Status)) })
	if err != nil {
		t.Fatal("watch grant: ", err)
	}
	if gtx.Status != apiclient.StatusConfirmed {
		t.Fatalf("grant ended %s: %s", gtx.Status, gtx.Error())
	}
	ids, err := r.Send(ctx, l, k, nil)
	if err != nil {
		t.Fatal("send: ", err)
	}
	if len(ids) != 1 {
		t.Fatalf("ids %v", ids)
	}
	txs, err := r.WatchAll(ctx, ids, nil)
	if err != nil {
		t.Fatal("watch send: ", err)
	}
	if txs[0].Status != apiclient.StatusConfirmed || txs[0].Hash() == "" || txs[0].Block() == "" {
		t.Fatalf("send ended %+v: %s", txs[0], txs[0].Error())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, tag := range []string{TagLogin, TagSessionKey, TagGrant, TagSend, TagWatch} {
		if tags[tag] == 0 {
			t.Errorf("no exchange tagged %q (%v)", tag, tags)
		}
	}
	t.Logf("grant updates %v; exchanges %v", updates, tags)
}

func TestConnectSandbox(t *testing.T) {
	cfg, err := LoadConfig(parseFlags(t), envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := Connect(context.Background(), cfg, testStarter(sandbox.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if conn.Sandbox == nil || conn.Config.APIURL != conn.Sandbox.URL() || conn.Config.SecretKey == "" ||
		conn.Config.Source(FlagAPIURL) != SourceSandbox || conn.Runner.ChainID != DefaultChainID {
		t.Errorf("conn %v", conn.Config)
	}
	if _, err := conn.Runner.Login(context.Background(), ""); err != nil {
		t.Error(err)
	}
}

// testStarter starts the real sandbox for Connect, as main does.
func testStarter(opts sandbox.Options) SandboxStarter {
	return func(ctx context.Context, clientID, secretKey string) (EmbeddedSandbox, error) {
		if opts.ClientID == "" {
			opts.ClientID = clientID
		}
		if opts.SecretKey == "" {
			opts.SecretKey = secretKey
		}
		r, err := sandbox.Listen(ctx, "127.0.0.1:0", opts)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// The guest sessionId is a credential: random (128 bits, not the clock),
// and sent as a string in the same field as the seed's.
func TestLoginSessionIDIsRandom(t *testing.T) {
	var mu sync.Mutex
	var ids []any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		ids = append(ids, body["sessionId"])
		mu.Unlock()
		io.WriteString(w, `{"isNewUser":true,"token":"t","type":"guest","walletAddress":"0x1111111111111111111111111111111111111111"}`)
	}))
	defer srv.Close()
	fixed := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	r := &Runner{Client: apiclient.New(srv.URL, "cid", ""), Now: func() time.Time { return fixed }}
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		l, err := r.Login(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		hexPart, ok := strings.CutPrefix(l.SessionID, "session-")
		if b, err := hex.DecodeString(hexPart); !ok || err != nil || len(b)*8 < 128 {
			t.Fatalf("session ID %q is not session-<128 random bits>", l.SessionID)
		}
		if strings.Contains(l.SessionID, strconv.FormatInt(fixed.UnixMilli(), 10)) || seen[l.SessionID] {
			t.Fatalf("session ID %q is guessable or repeated", l.SessionID)
		}
		seen[l.SessionID] = true
		mu.Lock()
		sent, _ := ids[len(ids)-1].(string)
		mu.Unlock()
		if sent != l.SessionID {
			t.Fatalf("sent sessionId %v, want the string %q", ids[len(ids)-1], l.SessionID)
		}
	}
}
