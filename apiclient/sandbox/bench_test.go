package sandbox

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"walletconsole/apiclient"
)

// BenchmarkSend100Recipients: one POST /wallets/send with 100 recipients
// (a session-key send on the default block time); one op is the time from
// its acceptance until all 100 IDs are CONFIRMED (polled every 10 ms). Each
// op logs in a new user, makes a key and waits for the grant (untimed).
// at-rest: before each op (untimed) the chain's latest block is no longer
// stamped ahead of the wall clock, so the figure is the send's own latency.
// back-to-back: ops follow at once, so after the first ones the chain's
// honest clock (at most one block a second once its 2 s lead is spent)
// sets the pace: every op needs two blocks (grant, send).
func BenchmarkSend100Recipients(b *testing.B) {
	for _, atRest := range []bool{true, false} {
		name := "back-to-back"
		if atRest {
			name = "at-rest"
		}
		b.Run(name, func(b *testing.B) { benchSend100(b, atRest) })
	}
}

func benchSend100(b *testing.B, atRest bool) {
	r, err := Listen(context.Background(), "127.0.0.1:0", Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	ctx := context.Background()
	api := apiclient.New(r.BaseURL, r.ClientID(), r.SecretKey())
	var worst time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		login, err := api.GuestLogin(ctx, fmt.Sprintf("bench100-%d-%d", time.Now().UnixNano(), i))
		if err != nil {
			b.Fatal(err)
		}
		key, err := api.CreateServerWallet(ctx, fmt.Sprintf("bench100-key-%d-%d", time.Now().UnixNano(), i))
		if err != nil {
			b.Fatal(err)
		}
		gid, _, err := api.CreateSessionKey(ctx, login.Token, apiclient.CreateSessionKeyRequest{
			ChainID: DefaultChainID, SessionKeyAddress: key.Address, DurationInSeconds: 3600, GrantFullPermissions: apiclient.Bool(true)})
		if err != nil {
			b.Fatal(err)
		}
		waitFinal(b, api, []string{gid})
		if atRest {
			c, _ := r.Chains().Lookup(DefaultChainID)
			for c.LatestBlockTime().After(time.Now().Add(c.TimeOffset())) {
				time.Sleep(20 * time.Millisecond)
			}
		}
		rcpts := make([]apiclient.Recipient, 100)
		for j := range rcpts {
			rcpts[j] = apiclient.Recipient{Address: common.BigToAddress(big.NewInt(int64(2_000_000 + j))).Hex(), Quantity: "1"}
		}
		sc := apiclient.SessionContext{Account: login.WalletAddress, SessionKey: key.Address}
		b.StartTimer()
		ids, err := api.Send(ctx, sc, apiclient.SendRequest{ChainID: DefaultChainID, From: key.Address, Recipients: rcpts})
		if err != nil {
			b.Fatal(err)
		}
		accepted := time.Now()
		waitFinal(b, api, ids)
		worst = max(worst, time.Since(accepted))
	}
	b.ReportMetric(worst.Seconds(), "worst-s")
}

func waitFinal(b *testing.B, api *apiclient.Client, ids []string) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range ids {
		for {
			tx, err := api.Transaction(context.Background(), id)
			if err != nil {
				b.Fatal(err)
			}
			if tx.Final() {
				if tx.Status != apiclient.StatusConfirmed {
					b.Fatalf("%s: %s %s", id, tx.Status, tx.Error())
				}
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s not final after 30 s", id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// BenchmarkLoad: N clients at once against one sandbox (default block time),
// each login → server wallet → grant → M session-key sends, then waits until
// every ID is final (checked CONFIRMED once, balances add up: runLoad).
// Reported: seconds from the last acceptance until all final, and confirmed
// sends per second from the first send's acceptance to all final. Run with
// -benchtime 1x (one op is one whole run).
func BenchmarkLoad(b *testing.B) {
	for _, sz := range []struct{ clients, sends int }{{50, 20}, {50, 100}} {
		b.Run(fmt.Sprintf("%dx%d", sz.clients, sz.sends), func(b *testing.B) {
			for b.Loop() {
				r, err := Listen(context.Background(), "127.0.0.1:0", Options{})
				if err != nil {
					b.Fatal(err)
				}
				res := runLoad(b, r, sz.clients, sz.sends)
				r.Close()
				b.ReportMetric(res.allFinal.Sub(res.lastAccept).Seconds(), "final-after-last-s")
				b.ReportMetric(float64(res.sends)/res.allFinal.Sub(res.firstSend).Seconds(), "sends/s")
				b.ReportMetric(float64(len(res.ids)), "ids")
				b.ReportMetric(float64(res.blocks), "blocks")
				b.ReportMetric(res.lead.Seconds(), "lead-s")
			}
		})
	}
}
