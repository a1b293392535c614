// Package sandbox is an embedded, API-compatible stand-in for the Wallets API
// v1 (docs/api.md): guest login, server wallets, EIP-7702 session keys,
// sends, contract writes and transaction records, served over HTTP on
// loopback and backed by simulated chains (package chain). A client written
// for the hosted API — the seed's four fetch calls included — works against
// it by changing only the base URL. Every body uses package apiclient's wire
// types.
//
// Routes (under /v1): POST auth/complete, GET wallets/me, POST and GET
// wallets/server, POST wallets/create-session-key, POST wallets/send, POST
// contracts/write, GET transactions/{id}, GET transactions, GET
// wallets/{address}/balance; extensions: GET sandbox/info, GET
// sandbox/sessions/{account}/{signer}?chainId=N, POST sandbox/advance-time.
//
// Choices where the API reference is silent:
//
//   - Errors are {"error":{"code","message"}}; every response, successes and
//     CORS preflights included, carries x-request-id. Unknown JSON fields are
//     ignored; known fields of the wrong type are 400 with the field's path.
//   - Wrong method on a known path is 405 with Allow; unknown paths 404.
//   - Guests and server wallets get fresh keys, funded (ETH and TST) on
//     chain 84532 at creation and on any other chain the first time a
//     request names them there (a balance read included). Login and wallet
//     creation do not wait for the funding: it rides the next block. A
//     balance read, a send moving value and a wallet paying its own gas
//     wait until it is mined.
//   - Any positive chain ID up to 2^53 starts a chain on first use by a
//     write, a grant or a read with x-secret-key (a client-ID-only read of a
//     chain not running is 400), at most Options.MaxChains (16) per sandbox.
//   - Session-key sends and writes record from = the session key;
//     executionParams.accountAddress = the user. Without context headers,
//     from is a server wallet, or a guest whose Bearer token comes with the
//     request, and pays its own gas; grants and session executions are paid
//     by the relayer.
//   - Transaction records are read with x-secret-key (all) or a user's token
//     (that user's); the client ID alone reads none.
//   - Only loopback Host names and loopback (or listed) Origins are served.
//     docs/security.md lists every such rule with its test.
//   - Insufficient ETH (or test-token) value is refused at acceptance: 400
//     insufficient_funds on send, 402 on contracts/write (docs/api.md §7).
//   - GET /transactions?from=X matches records whose from or account is X.
//   - Server wallets list oldest first; transactions newest first.
//   - The token's aud is the client ID; tokens from another sandbox run fail
//     their signature check.
//   - Close stops new writes (503), waits up to 5 s for queued transactions,
//     then fails whatever is left ("sandbox closed …").
package sandbox
