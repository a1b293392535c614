package flows

import (
	"context"
	"testing"
	"time"

	"walletconsole/apiclient"
	"walletconsole/apiclient/sandbox"
)

// BenchmarkSeedFlow runs the seed's four steps against the embedded sandbox
// and waits for both transactions, as 'walletconsole flow' does: login,
// session key, grant (watched to CONFIRMED), send (watched to CONFIRMED).
// One op is one whole walkthrough; the sandbox is started once.
func BenchmarkSeedFlow(b *testing.B) {
	for _, bc := range []struct {
		name  string
		block time.Duration
	}{
		{"blocks-250ms", 0}, // the default: a block every 250 ms
		{"mine-on-demand", sandbox.MineOnDemand},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			sb, err := sandbox.Listen(ctx, "127.0.0.1:0", sandbox.Options{BlockTime: bc.block})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { sb.Close() })
			r := &Runner{Client: apiclient.New(sb.BaseURL, sb.ClientID(), sb.SecretKey()), ChainID: DefaultChainID}
			b.ResetTimer()
			for b.Loop() {
				l, err := r.Login(ctx, "")
				if err != nil {
					b.Fatal(err)
				}
				k, err := r.CreateSessionKey(ctx, "")
				if err != nil {
					b.Fatal(err)
				}
				g, err := r.Grant(ctx, l, k, GrantInput{Duration: time.Hour, Full: true})
				if err != nil {
					b.Fatal(err)
				}
				if tx, err := r.Watch(ctx, g.TxID, nil); err != nil || tx.Status != apiclient.StatusConfirmed {
					b.Fatalf("grant: %v %+v", err, tx)
				}
				ids, err := r.Send(ctx, l, k, nil)
				if err != nil {
					b.Fatal(err)
				}
				if tx, err := r.Watch(ctx, ids[0], nil); err != nil || tx.Status != apiclient.StatusConfirmed {
					b.Fatalf("send: %v %+v", err, tx)
				}
			}
		})
	}
}
