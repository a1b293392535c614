// Compiles the sandbox contracts with the pinned npm solc (JavaScript build,
// no download at compile time) and writes artifacts/<Name>.json.
//
// usage: node compile.mjs <outdir>
//
// Settings are fixed so the output is byte-identical across runs and
// machines: optimizer on with 200 runs, evmVersion "prague" (the sandbox
// chain runs Osaka rules, which execute Prague code; prague keeps the code
// free of opcodes newer than what Base/Ethereum mainnet had before Osaka),
// no metadata hash in the bytecode (comments do not change the code).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(process.argv[2] || path.join(here, "artifacts"));
const sources = ["SessionAccount.sol", "TestToken.sol", "TestNFT.sol"];

const settings = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: "prague",
  metadata: { bytecodeHash: "none" },
  outputSelection: {
    "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] },
  },
};

const input = {
  language: "Solidity",
  sources: Object.fromEntries(
    sources.map((f) => [f, { content: fs.readFileSync(path.join(here, f), "utf8") }]),
  ),
  settings,
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of output.errors || []) {
  process.stderr.write(e.formattedMessage || e.message);
  if (e.severity === "error") failed = true;
}
if (failed) process.exit(1);

const version = solc.version();
fs.mkdirSync(outDir, { recursive: true });
for (const file of sources) {
  const name = path.basename(file, ".sol");
  const c = output.contracts[file][name];
  const artifact = {
    contractName: name,
    sourceName: file,
    compiler: { version, settings: { optimizer: settings.optimizer, evmVersion: settings.evmVersion, metadata: settings.metadata } },
    abi: c.abi,
    bytecode: "0x" + c.evm.bytecode.object,
    deployedBytecode: "0x" + c.evm.deployedBytecode.object,
  };
  fs.writeFileSync(path.join(outDir, name + ".json"), JSON.stringify(artifact, null, 2) + "\n");
  console.log(`${name}: ${c.evm.deployedBytecode.object.length / 2} bytes runtime`);
}
