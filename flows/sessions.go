package flows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"walletconsole/apiclient"
)

// AdvanceSandboxTime moves a sandbox chain's clock forward by d (POST
// /v1/sandbox/advance-time, secret key). A 404 is explained: only
// walletconsole's sandbox serves the route.
func AdvanceSandboxTime(ctx context.Context, c *apiclient.Client, chainID uint64, d time.Duration) (apiclient.AdvanceTimeResult, error) {
	if d < time.Second {
		return apiclient.AdvanceTimeResult{}, fmt.Errorf("advance by %s: at least 1 second", d)
	}
	res, err := c.AdvanceTime(ctx, chainID, int64(d/time.Second))
	var ae *apiclient.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return res, fmt.Errorf("the server answered 404: time travel (POST /v1/sandbox/advance-time) is served only by walletconsole's sandbox, not by the hosted API (%w)", err)
	}
	return res, err
}
