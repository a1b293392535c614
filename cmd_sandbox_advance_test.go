package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"walletconsole/apiclient/sandbox"
)

func TestSandboxAdvance(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sb, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{BlockTime: sandbox.MineOnDemand})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	env := map[string]string{"THIRDWEB_API_URL": sb.BaseURL, "THIRDWEB_CLIENT_ID": sb.ClientID(), "THIRDWEB_SECRET_KEY": sb.SecretKey()}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	old := advanceGetenv
	advanceGetenv = func(k string) string { return env[k] }
	defer func() { advanceGetenv = old }()
	c, err := sb.Chains().Get(sandbox.DefaultChainID)
	if err != nil {
		t.Fatal(err)
	}
	before := c.Now()
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"sandbox", "advance", "1d"}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := c.LatestBlockTime().Sub(before); got < 24*time.Hour || got > 24*time.Hour+time.Minute {
		t.Errorf("clock moved %s, want 1d", got)
	}
	if !strings.Contains(out.String(), "chain 84532 advanced 1d") {
		t.Errorf("output %q", out.String())
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"sandbox", "advance"}, 2, "expected a DURATION"},
		{[]string{"sandbox", "advance", "soon"}, 2, "DURATION"},
		{[]string{"sandbox", "advance", "1h", "--secret-key", "wrong"}, 1, "401"},
	} {
		out.Reset()
		errb.Reset()
		if code := run(ctx, tc.args, nil, &out, &errb); code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
	}
	env = map[string]string{}
	errb.Reset()
	if code := run(ctx, []string{"sandbox", "advance", "1h"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "no sandbox to advance") {
		t.Errorf("without a sandbox: exit %d %q", code, errb.String())
	}
}
