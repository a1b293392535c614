// Writes to a walletconsole sandbox's chain the way an SDK user would, with
// thirdweb's own SDK (npm thirdweb 5.121.6) over the JSON-RPC only:
//
//   1. a fresh user key delegates its EOA to the account implementation
//      (EIP-7702 authorization signed by the SDK), then grants a session
//      with the SDK's createSessionKey;
//   2. the SDK's five readers read the session back;
//   3. the session key sends execute(...) to the user's account itself;
//   4. a call outside the session fails in the SDK's gas estimation, with the
//      revert decoded by the SDK from the account's ABI.
//
// The REST API is used for one thing only: a server wallet pays the two
// fresh keys some ETH (the sandbox has no other faucet).
//
// This needs a sandbox that mines transactions sent by other tools over its
// JSON-RPC; one that does not leaves step 1 pending, which this script
// reports after 20 s. Environment as for check.mjs (README.md).
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

import {
  createThirdwebClient,
  defineChain,
  getContract,
  getContractEvents,
  prepareTransaction,
  sendTransaction,
  waitForReceipt,
} from "thirdweb";
import { eth_getCode, eth_getTransactionCount, getRpcClient } from "thirdweb/rpc";
import { privateKeyToAccount } from "thirdweb/wallets";
import {
  createSessionKey,
  execute,
  executedEvent,
  getCallPoliciesForSigner,
  getSessionExpirationForSigner,
  getSessionStateForSigner,
  getTransferPoliciesForSigner,
  isWildcardSigner,
  sessionCreatedEvent,
} from "thirdweb/wallets/in-app";

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (!v) {
    console.error(`missing environment variable ${name} (see README.md)`);
    process.exit(2);
  }
  return v;
};
const API = env("SANDBOX_API_URL", process.env.THIRDWEB_API_URL).replace(/\/$/, "");
const CLIENT_ID = env("THIRDWEB_CLIENT_ID");
const SECRET_KEY = env("THIRDWEB_SECRET_KEY");
const RPC = env("SANDBOX_RPC_URL");
const CHAIN_ID = Number(process.env.CHAIN_ID ?? 84532);
const MINIMAL_ACCOUNT_ABI = JSON.parse(
  readFileSync(new URL("../../apiclient/account/minimalaccount.abi.json", import.meta.url), "utf8"),
);

let failures = 0;
function check(what, ok, detail = "") {
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? `: ${detail}` : ""}`);
}
const eqAddr = (a, b) => a?.toLowerCase() === b?.toLowerCase();
const show = (v) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x));

async function api(method, path, body) {
  const res = await fetch(API + path, {
    method,
    headers: { "Content-Type": "application/json", "x-secret-key": SECRET_KEY },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${show(json?.error ?? json)}`);
  return json;
}
async function waitFinal(id) {
  for (let i = 0; i < 200; i++) {
    const rec = (await api("GET", `/transactions/${id}`)).result;
    if (rec.status === "CONFIRMED" || rec.status === "FAILED") return rec;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`transaction ${id} not final after 10 s`);
}
async function mined(what, hash) {
  try {
    return await Promise.race([
      waitForReceipt({ client, chain, transactionHash: hash }),
      new Promise((_, no) => setTimeout(() => no(new Error("not mined within 20 s")), 20_000)),
    ]);
  } catch (err) {
    check(`${what} mined`, false, `${err.message}: this sandbox does not mine transactions sent over its JSON-RPC by other tools`);
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
}

const info = (await api("GET", "/sandbox/info")).result;
const client = createThirdwebClient({ clientId: CLIENT_ID });
const chain = defineChain({ id: CHAIN_ID, rpc: RPC });
const user = privateKeyToAccount({ client, privateKey: `0x${randomBytes(32).toString("hex")}` });
const sessionKey = privateKeyToAccount({ client, privateKey: `0x${randomBytes(32).toString("hex")}` });
const rcpt = `0x${randomBytes(20).toString("hex")}`;
console.log(`user ${user.address}, session key ${sessionKey.address}, implementation ${info.accountImplementation}`);

// gas money for both keys, from a server wallet through the REST API
const funder = (await api("POST", "/wallets/server", { identifier: `sdk-funder-${randomBytes(8).toString("hex")}` })).result.address;
const paid = await api("POST", "/wallets/send", {
  chainId: CHAIN_ID,
  from: funder,
  recipients: [user.address, sessionKey.address].map((address) => ({ address, quantity: (10n ** 17n).toString() })),
});
for (const id of paid.result.transactionIds) {
  const rec = await waitFinal(id);
  check("REST funding confirmed", rec.status === "CONFIRMED", rec.errorMessage ?? "");
}

// 1a. delegation: a self-sponsored set-code transaction (the authorization's
// nonce is the sender's next nonce plus one). It is sent on its own because
// createSessionKey drops `overrides` (SDK 5.121.6 reads them from its async
// parameters, which hold only the spec and signature), so an
// authorizationList given to it never reaches the transaction.
const account = getContract({ client, chain, address: user.address, abi: MINIMAL_ACCOUNT_ABI });
const nonce = await eth_getTransactionCount(getRpcClient({ client, chain }), { address: user.address, blockTag: "pending" });
const authorization = await user.signAuthorization({
  address: info.accountImplementation,
  chainId: CHAIN_ID,
  nonce: BigInt(nonce) + 1n,
});
const delegation = await sendTransaction({
  transaction: prepareTransaction({ client, chain, to: user.address, value: 0n, authorizationList: [authorization] }),
  account: user,
});
const delRc = await mined("delegation", delegation.transactionHash);
const code = await eth_getCode(getRpcClient({ client, chain }), { address: user.address });
check(
  "delegation: the EOA's code designates the implementation",
  delRc.status === "success" && code.toLowerCase() === `0xef0100${info.accountImplementation.slice(2).toLowerCase()}`,
  code,
);

// 1b. the grant, signed by the user (EIP-712) and sent by the user
const grantTx = createSessionKey({
  account: user,
  contract: account,
  sessionKeyAddress: sessionKey.address,
  durationInSeconds: 3600,
  grantFullPermissions: false,
  transferPolicies: [{ target: rcpt, maxValuePerUse: 1000n, valueLimit: { limitType: 1, limit: 1500n, period: 0n } }],
});
const sent = await sendTransaction({ transaction: grantTx, account: user });
const grantRc = await mined("createSessionKey", sent.transactionHash);
check("createSessionKey succeeded", grantRc.status === "success", grantRc.status);

// 2. the readers
check("isWildcardSigner", (await isWildcardSigner({ contract: account, signer: sessionKey.address })) === false);
const exp = await getSessionExpirationForSigner({ contract: account, signer: sessionKey.address });
check("getSessionExpirationForSigner", exp > BigInt(Math.floor(Date.now() / 1000)), exp.toString());
check("getCallPoliciesForSigner", (await getCallPoliciesForSigner({ contract: account, signer: sessionKey.address })).length === 0);
const tp = await getTransferPoliciesForSigner({ contract: account, signer: sessionKey.address });
check("getTransferPoliciesForSigner", tp.length === 1 && eqAddr(tp[0].target, rcpt) && tp[0].valueLimit.limit === 1500n, show(tp));
const created = await getContractEvents({
  contract: account,
  events: [sessionCreatedEvent({ user: user.address, newSigner: sessionKey.address })],
  fromBlock: 1n,
  useIndexer: false,
});
check("sessionCreatedEvent", created.length === 1 && eqAddr(created[0].transactionHash, sent.transactionHash), show(created.map((e) => e.args)));

// 3. execute as the session key, sent by the session key itself
const ex = await sendTransaction({
  transaction: execute({ contract: account, calls: [{ target: rcpt, value: 1000n, data: "0x" }] }),
  account: sessionKey,
});
const exRc = await mined("execute as the session key", ex.transactionHash);
check("execute as the session key succeeded", exRc.status === "success", exRc.status);
const st = await getSessionStateForSigner({ contract: account, signer: sessionKey.address });
check("getSessionStateForSigner: 500 wei left", st.transferValue.length === 1 && st.transferValue[0].remaining === 500n, show(st));
const exEv = await getContractEvents({
  contract: account,
  events: [executedEvent({ user: user.address, signer: sessionKey.address, executor: sessionKey.address })],
  fromBlock: 1n,
  useIndexer: false,
});
check("executedEvent", exEv.length === 1 && exEv[0].args.batchSize === 1n, show(exEv.map((e) => e.args)));

// 4. over the limit: the SDK's gas estimation fails with the decoded revert
try {
  await sendTransaction({
    transaction: execute({ contract: account, calls: [{ target: rcpt, value: 1000n, data: "0x" }] }),
    account: sessionKey,
  });
  check("execute over the lifetime limit refused", false, "it was sent");
} catch (err) {
  const msg = String(err?.message ?? err).split("\n")[0];
  check("execute over the lifetime limit refused, decoded by the SDK", msg === "LifetimeUsageExceeded - 2000,1500", msg);
}

console.log(failures === 0 ? "all checks passed" : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
