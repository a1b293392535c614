// Drives a running walletconsole sandbox with thirdweb's own SDK (npm
// thirdweb 5.121.6) to see whether it can tell the sandbox's account from
// thirdweb's MinimalAccount:
//
//   writes   through the sandbox's REST API (guest login, server wallet,
//            create-session-key with policies, session-key sends);
//   reads    through the chain's JSON-RPC with the SDK's erc7702 readers
//            (the five session readers and eip712Domain);
//   events   with the SDK's sessionCreatedEvent / executedEvent /
//            valueReceivedEvent helpers and getContractEvents;
//   reverts  by simulating failing calls with simulateTransaction, whose
//            errors the SDK decodes with the account's ABI (and decodeError).
//
// Environment (the sandbox prints the first three as THIRDWEB_* exports):
//   SANDBOX_API_URL (or THIRDWEB_API_URL)   e.g. http://127.0.0.1:8787/v1
//   THIRDWEB_CLIENT_ID, THIRDWEB_SECRET_KEY  as the sandbox printed them
//   SANDBOX_RPC_URL                          e.g. http://127.0.0.1:8545
//   CHAIN_ID                                 default 84532
//
// Prints one line per check and exits 1 if any failed. The secret key is
// only sent to the sandbox's REST API, never printed or given to the SDK.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

import {
  createThirdwebClient,
  defineChain,
  encode,
  getContract,
  getContractEvents,
  prepareContractCall,
  simulateTransaction,
} from "thirdweb";
import { decodeError, encodeAbiParameters, toFunctionSelector } from "thirdweb/utils";
import {
  createSessionWithSig,
  eip712Domain,
  execute,
  executedEvent,
  getCallPoliciesForSigner,
  getSessionExpirationForSigner,
  getSessionStateForSigner,
  getTransferPoliciesForSigner,
  isWildcardSigner,
  sessionCreatedEvent,
  valueReceivedEvent,
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

// thirdweb's MinimalAccount ABI as the SDK declares it (see
// apiclient/account/README.md): the SDK decodes reverts with it.
const MINIMAL_ACCOUNT_ABI = JSON.parse(
  readFileSync(new URL("../../apiclient/account/minimalaccount.abi.json", import.meta.url), "utf8"),
);

let failures = 0;
function check(what, ok, detail = "") {
  if (!ok) failures++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? `: ${detail}` : ""}`);
}
const eqAddr = (a, b) => typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
const show = (v) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x));

// ---------------------------------------------------------------- REST

async function api(method, path, { headers = {}, body } = {}) {
  const res = await fetch(API + path, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = json?.error;
    throw new Error(`${method} ${path}: HTTP ${res.status} ${e ? `${e.code}: ${e.message}` : text.slice(0, 200)}`);
  }
  return json;
}
const server = { "x-secret-key": SECRET_KEY };

async function waitFinal(id) {
  for (let i = 0; i < 200; i++) {
    const r = await api("GET", `/transactions/${id}`, { headers: server });
    const rec = r.result ?? r;
    if (rec.status === "CONFIRMED" || rec.status === "FAILED") return rec;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error(`transaction ${id} not final after 10 s`);
}

const hex32 = (n) => encodeAbiParameters([{ type: "uint256" }], [n]);
const TST = 10n ** 18n;

const info = (await api("GET", "/sandbox/info", { headers: server })).result;
const token = info.tokenAddress;
console.log(`sandbox ${API}, chain ${CHAIN_ID}, token ${token}, RPC ${RPC}`);

const guest = await api("POST", "/auth/complete", {
  headers: { "x-client-id": CLIENT_ID },
  body: { method: "guest", sessionId: randomBytes(32).toString("hex") },
});
const user = guest.walletAddress;
const userAuth = { Authorization: `Bearer ${guest.token}`, "x-client-id": CLIENT_ID };
const sk = (
  await api("POST", "/wallets/server", {
    headers: server,
    body: { identifier: `sdk-check-${randomBytes(8).toString("hex")}` },
  })
).result.address;
console.log(`user ${user}, session key ${sk}`);

// A scoped grant: TST transfers of at most 10 TST each, 15 TST per hour;
// plain value to the session key's own account (at most 1000 wei a time,
// 5000 in all) and to the token (so that a call of it can revert bare).
const transferSel = toFunctionSelector("function transfer(address to, uint256 amount)");
const grantBody = {
  chainId: CHAIN_ID,
  sessionKeyAddress: sk,
  durationInSeconds: 3600,
  grantFullPermissions: false,
  callPolicies: [
    {
      target: token,
      selector: transferSel,
      maxValuePerUse: "0",
      valueLimit: { limitType: 0, limit: "0", period: "0" },
      constraints: [
        {
          condition: 5,
          index: 1,
          refValue: hex32(10n * TST),
          limit: { limitType: 2, limit: (15n * TST).toString(), period: "3600" },
        },
      ],
    },
  ],
  transferPolicies: [
    { target: sk, maxValuePerUse: "1000", valueLimit: { limitType: 1, limit: "5000", period: "0" } },
    { target: token, maxValuePerUse: "1", valueLimit: { limitType: 0, limit: "0", period: "0" } },
  ],
};
const granted = await api("POST", "/wallets/create-session-key", { headers: userAuth, body: grantBody });
const grantRec = await waitFinal(granted.transactionId);
check("REST grant confirmed", grantRec.status === "CONFIRMED", grantRec.errorMessage ?? "");

const asSession = { ...server, "x-account-address": user, "x-session-key-address": sk };
const rcpt = "0x4444444444444444444444444444444444444444";
async function write(amount) {
  const r = await api("POST", "/contracts/write", {
    headers: asSession,
    body: {
      chainId: CHAIN_ID,
      from: sk,
      calls: [
        {
          contractAddress: token,
          method: "function transfer(address to, uint256 amount)",
          params: [rcpt, amount.toString()],
        },
      ],
    },
  });
  return waitFinal(r.result.transactionIds[0]);
}
const w1 = await write(10n * TST);
check("REST session write of 10 TST confirmed", w1.status === "CONFIRMED", w1.errorMessage ?? "");
const s1 = await api("POST", "/wallets/send", {
  headers: asSession,
  body: { chainId: CHAIN_ID, from: sk, recipients: [{ address: sk, quantity: "100" }] },
});
const s1rec = await waitFinal(s1.result.transactionIds[0]);
check("REST session send of 100 wei to the session key confirmed", s1rec.status === "CONFIRMED", s1rec.errorMessage ?? "");
const w2 = await write(6n * TST);
check(
  "REST session write of 6 TST fails on the allowance",
  w2.status === "FAILED" && /^AllowanceExceeded: /.test(w2.errorMessage ?? ""),
  w2.errorMessage ?? w2.status,
);

// ---------------------------------------------------------------- SDK reads

const client = createThirdwebClient({ clientId: CLIENT_ID });
const chain = defineChain({ id: CHAIN_ID, rpc: RPC });
const account = getContract({ client, chain, address: user, abi: MINIMAL_ACCOUNT_ABI });
const skAccount = getContract({ client, chain, address: sk, abi: MINIMAL_ACCOUNT_ABI });

const wildcard = await isWildcardSigner({ contract: account, signer: sk });
check("isWildcardSigner", wildcard === false, show(wildcard));
const expiry = await getSessionExpirationForSigner({ contract: account, signer: sk });
const now = BigInt(Math.floor(Date.now() / 1000));
check("getSessionExpirationForSigner about an hour ahead", expiry > now + 3500n && expiry <= now + 3700n, `${expiry} (now ${now})`);
const calls = await getCallPoliciesForSigner({ contract: account, signer: sk });
check(
  "getCallPoliciesForSigner",
  calls.length === 1 &&
    eqAddr(calls[0].target, token) &&
    calls[0].selector === transferSel &&
    calls[0].constraints.length === 1 &&
    calls[0].constraints[0].condition === 5 &&
    calls[0].constraints[0].index === 1n &&
    calls[0].constraints[0].refValue === hex32(10n * TST) &&
    calls[0].constraints[0].limit.limitType === 2 &&
    calls[0].constraints[0].limit.limit === 15n * TST &&
    calls[0].constraints[0].limit.period === 3600n,
  show(calls),
);
const transfers = await getTransferPoliciesForSigner({ contract: account, signer: sk });
check(
  "getTransferPoliciesForSigner",
  transfers.length === 2 &&
    eqAddr(transfers[0].target, sk) &&
    transfers[0].maxValuePerUse === 1000n &&
    transfers[0].valueLimit.limitType === 1 &&
    transfers[0].valueLimit.limit === 5000n,
  show(transfers),
);
const state = await getSessionStateForSigner({ contract: account, signer: sk });
check(
  "getSessionStateForSigner: 5 TST left this hour, 4900 wei left in all",
  state.callParams.length === 1 &&
    state.callParams[0].remaining === 5n * TST &&
    eqAddr(state.callParams[0].target, token) &&
    state.callParams[0].selector === transferSel &&
    state.callParams[0].index === 1n &&
    state.transferValue.length === 1 &&
    state.transferValue[0].remaining === 4900n &&
    state.callValue.length === 0,
  show(state),
);
const domain = await eip712Domain({ contract: account });
check(
  "eip712Domain",
  domain[1] === "MinimalAccount" && domain[2] === "1" && domain[3] === BigInt(CHAIN_ID) && eqAddr(domain[4], user),
  show(domain),
);

// ---------------------------------------------------------------- SDK events

// From block 1: the SDK treats fromBlock 0n as unset (it is falsy) and then
// asks for the latest block only. useIndexer false: the SDK would first ask
// thirdweb's hosted indexer, which knows nothing of this chain.
const fromStart = { fromBlock: 1n, useIndexer: false };

const created = await getContractEvents({
  contract: account,
  events: [sessionCreatedEvent({ newSigner: sk })],
  ...fromStart,
});
check(
  "sessionCreatedEvent finds the grant",
  created.length === 1 &&
    eqAddr(created[0].args.user, user) &&
    eqAddr(created[0].args.newSigner, sk) &&
    eqAddr(created[0].args.sessionSpec.signer, sk) &&
    created[0].args.sessionSpec.isWildcard === false &&
    created[0].args.sessionSpec.expiresAt === expiry &&
    created[0].args.sessionSpec.callPolicies.length === 1 &&
    eqAddr(created[0].transactionHash, grantRec.transactionHash),
  show(created.map((e) => e.args)),
);
const executed = await getContractEvents({
  contract: account,
  events: [executedEvent({ user, signer: sk })],
  ...fromStart,
});
check(
  "executedEvent: one per confirmed session execution",
  executed.length === 2 &&
    executed.every((e) => eqAddr(e.args.executor, sk) && e.args.batchSize === 1n) &&
    eqAddr(executed[0].transactionHash, w1.transactionHash) &&
    eqAddr(executed[1].transactionHash, s1rec.transactionHash),
  show(executed.map((e) => e.args)),
);
const received = await getContractEvents({
  contract: skAccount,
  events: [valueReceivedEvent({ user: sk, from: user })],
  ...fromStart,
});
check(
  "valueReceivedEvent on the session key's account",
  received.length === 1 && received[0].args.value === 100n && eqAddr(received[0].transactionHash, s1rec.transactionHash),
  show(received.map((e) => e.args)),
);

// ---------------------------------------------------------------- SDK revert decoding

const transferCall = (amount, to = rcpt) =>
  encode(
    prepareContractCall({
      contract: getContract({ client, chain, address: token }),
      method: "function transfer(address to, uint256 amount)",
      params: [to, amount],
    }),
  );
const short = (data, n) => data.slice(0, 2 + 2 * n);
const stranger = "0x5555555555555555555555555555555555555555";

// simulateTransaction rethrows the eth_call revert decoded with the
// contract's ABI ("<ErrorName> - <args>"); decodeError is the same decoding
// as a value, from the raw revert data.
async function expectRevert(what, transaction, from, errorName, args) {
  try {
    await simulateTransaction({ transaction, from });
    check(`revert ${errorName} (${what})`, false, "the call succeeded");
  } catch (err) {
    const msg = String(err?.message ?? err).split("\n")[0];
    // the SDK prints "<name> - <args>", or the bare name for an error without arguments
    const ok = msg === (args ? `${errorName} - ${args}` : errorName);
    check(`revert ${errorName} (${what})`, ok, msg);
  }
}

const grantTx = await fetch(RPC, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getTransactionByHash", params: [grantRec.transactionHash] }),
}).then((r) => r.json());
const x = (calls) => execute({ contract: account, calls });
await expectRevert("stranger executes", x([{ target: rcpt, value: 0n, data: "0x" }]), stranger, "SessionExpired", "");
await expectRevert("empty batch", x([]), sk, "NoCallsToExecute", "");
await expectRevert(
  "approve is not allowed",
  x([{ target: token, value: 0n, data: "0x095ea7b3" + "00".repeat(64) }]),
  sk,
  "CallPolicyViolated",
  `${token},0x095ea7b3`,
);
await expectRevert("value to an unlisted address", x([{ target: rcpt, value: 1n, data: "0x" }]), sk, "TransferPolicyViolated", rcpt);
await expectRevert("1-3 bytes of calldata", x([{ target: sk, value: 1n, data: "0xabcd" }]), sk, "CallPolicyViolated", `${sk},0xabcd0000`);
await expectRevert("value above max per use", x([{ target: sk, value: 1001n, data: "0x" }]), sk, "MaxValueExceeded", "1001,1000");
await expectRevert(
  "lifetime value limit",
  x(Array.from({ length: 5 }, () => ({ target: sk, value: 1000n, data: "0x" }))),
  sk,
  "LifetimeUsageExceeded",
  "5100,5000",
);
const period = now / 3600n;
try {
  await simulateTransaction({ transaction: x([{ target: token, value: 0n, data: await transferCall(6n * TST) }]), from: sk });
  check("revert AllowanceExceeded (6 TST with 5 left)", false, "the call succeeded");
} catch (err) {
  const msg = String(err?.message ?? err).split("\n")[0];
  const m = /^AllowanceExceeded - 16000000000000000000,15000000000000000000,(\d+)$/.exec(msg);
  check("revert AllowanceExceeded (6 TST with 5 left)", m && BigInt(m[1]) >= period && BigInt(m[1]) <= period + 1n, msg);
}
await expectRevert(
  "11 TST breaks the <= 10 TST condition",
  x([{ target: token, value: 0n, data: await transferCall(11n * TST) }]),
  sk,
  "ConditionFailed",
  `${hex32(11n * TST)},${hex32(10n * TST)},5`,
);
await expectRevert(
  "calldata too short for the constrained argument",
  x([{ target: token, value: 0n, data: short(await transferCall(1n), 36) }]),
  sk,
  "InvalidDataLength",
  "36,68",
);
await expectRevert("token without receive()", x([{ target: token, value: 1n, data: "0x" }]), sk, "CallReverted", "");
const spec = (over) => ({
  signer: sk,
  isWildcard: true,
  expiresAt: now + 3600n,
  callPolicies: [],
  transferPolicies: [],
  uid: `0x${randomBytes(32).toString("hex")}`,
  ...over,
});
const junkSig = `0x${"11".repeat(65)}`;
await expectRevert(
  "grant signed by nobody",
  createSessionWithSig({ contract: account, sessionSpec: spec({}), signature: junkSig }),
  stranger,
  "InvalidSignature",
  `${stranger},${user}`,
);
await expectRevert(
  "grant to the zero signer",
  createSessionWithSig({ contract: account, sessionSpec: spec({ signer: "0x0000000000000000000000000000000000000000" }), signature: junkSig }),
  stranger,
  "SessionZeroSigner",
  "",
);
await expectRevert(
  "grant already expired",
  createSessionWithSig({ contract: account, sessionSpec: spec({ expiresAt: 1n }), signature: junkSig }),
  stranger,
  "SessionExpiresTooSoon",
  "",
);
// the grant's own transaction, replayed: its uid is spent. decodeError
// throws unless the data is one of the ABI's errors.
{
  const res = await fetch(RPC, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "eth_call",
      params: [{ from: grantTx.result.from, to: grantTx.result.to, data: grantTx.result.input }, "latest"],
    }),
  }).then((r) => r.json());
  const data = res.error?.data ?? "0x";
  let ok = data.slice(0, 10) === toFunctionSelector("UIDAlreadyProcessed()");
  let detail = data;
  try {
    await decodeError({ contract: account, data });
  } catch (err) {
    ok = false;
    detail = err.message;
  }
  check("revert UIDAlreadyProcessed (the grant replayed), by decodeError", ok, detail);
}

console.log(failures === 0 ? "all checks passed" : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
