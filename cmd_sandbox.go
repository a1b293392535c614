package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
)

// runSandbox serves the sandbox until ctx ends (SIGINT/SIGTERM in main).
//
//	walletconsole sandbox [--addr 127.0.0.1:8787] [--client-id ID] [--secret-key KEY]
//	                      [--block-time 250ms] [--rpc-addr 127.0.0.1:8545] [--quiet]
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runSandboxEnv(ctx, args, os.Getenv, stdout, stderr)
}

func runSandboxEnv(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("walletconsole sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8787", "loopback `address` to serve the API on (port 0 picks a free one)")
	clientID := fs.String("client-id", "", "client `ID` to accept (default $THIRDWEB_CLIENT_ID, else generated)")
	secretKey := fs.String("secret-key", "", "secret `key` to accept (default $THIRDWEB_SECRET_KEY, else generated)")
	blockTime := fs.Duration("block-time", sandbox.DefaultBlockTime, "block `interval`; 0 mines each transaction at once")
	rpcAddr := fs.String("rpc-addr", "", "also serve chain 84532's JSON-RPC on this loopback `address` (e.g. 127.0.0.1:8545)")
	quiet := fs.Bool("quiet", false, "do not log requests to stderr")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: walletconsole sandbox [flags]

Serves the Wallets API v1 (guest login, server wallets, EIP-7702 session keys,
sends, contract writes, transaction status) on loopback, backed by a local
simulated chain. Point any client at it by changing only the base URL.

Flags:
`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "walletconsole sandbox: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *blockTime < 0 {
		fmt.Fprintln(stderr, "walletconsole sandbox: --block-time must be ≥ 0")
		return 2
	}

	secretFromEnv := false
	if *clientID == "" {
		*clientID = strings.TrimSpace(getenv("THIRDWEB_CLIENT_ID"))
	}
	if *secretKey == "" {
		if v := strings.TrimSpace(getenv("THIRDWEB_SECRET_KEY")); v != "" {
			*secretKey, secretFromEnv = v, true
		}
	}
	opts := sandbox.Options{
		ClientID:  *clientID,
		SecretKey: *secretKey,
		BlockTime: *blockTime,
		RPCAddr:   *rpcAddr,
	}
	if *blockTime == 0 {
		opts.BlockTime = sandbox.MineOnDemand
	}
	if !*quiet {
		opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	}

	srv, err := sandbox.Listen(ctx, *addr, opts)
	if err != nil {
		fmt.Fprintf(stderr, "walletconsole sandbox: %v\n", err)
		return 1
	}
	printSandboxBanner(stdout, srv, *blockTime, secretFromEnv)

	<-ctx.Done()
	fmt.Fprintln(stderr, "walletconsole sandbox: stopping (finishing queued transactions)…")
	if err := srv.Close(); err != nil {
		fmt.Fprintf(stderr, "walletconsole sandbox: close: %v\n", err)
		return 1
	}
	return 0
}

func printSandboxBanner(w io.Writer, srv *sandbox.Running, blockTime time.Duration, secretFromEnv bool) {
	c, err := srv.Chains().Get(sandbox.DefaultChainID)
	token, impl := "?", "?"
	if err == nil {
		token, impl = c.Token().Hex(), c.AccountImpl().Hex()
	}
	secret, exportSecret := srv.SecretKey(), srv.SecretKey()
	if secretFromEnv {
		// It came from the environment (maybe a real key): don't print it back.
		secret = apiclient.MaskSecret(secret) + " (from THIRDWEB_SECRET_KEY)"
		exportSecret = "$THIRDWEB_SECRET_KEY"
	}
	bt := blockTime.String()
	if blockTime == 0 {
		bt = "on demand"
	}
	rpc := srv.Chains().RPCURL()
	if rpc == "" {
		rpc = "off (--rpc-addr 127.0.0.1:8545 to serve it)"
	}
	fmt.Fprintf(w, `walletconsole sandbox: Wallets API v1 on a local chain

  API URL         %s
  client ID       %s
  secret key      %s
  chain           %d (blocks: %s)
  token (TST)     %s
  account impl    %s
  JSON-RPC        %s

Point a client at it:

  export THIRDWEB_API_URL=%s THIRDWEB_CLIENT_ID=%s THIRDWEB_SECRET_KEY=%s

Ctrl-C stops it (state is in memory only).
`, srv.BaseURL, srv.ClientID(), secret, sandbox.DefaultChainID, bt, token, impl, rpc,
		srv.BaseURL, srv.ClientID(), exportSecret)
}
