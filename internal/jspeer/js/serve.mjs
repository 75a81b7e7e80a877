// serve.mjs: the request loop on stdin.
import * as readline from "node:readline";
import { createRequire } from "node:module";
import { send, push, state } from "./shared.mjs";
import { clientOps } from "./client.mjs";
import { attachmentOps } from "./attachments.mjs";
import { verificationOps } from "./verification.mjs";
import { benchOps } from "./bench.mjs";
import { backupOps } from "./backup.mjs";
import { threadOps } from "./threads.mjs";
import { pollOps } from "./polls.mjs";
import { pushRuleOps } from "./pushrules.mjs";

const ops = {
  ...clientOps, ...attachmentOps, ...verificationOps, ...benchOps, ...backupOps, ...threadOps, ...pollOps,
  ...pushRuleOps,
};

async function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    console.error("jspeer: bad request line:", line);
    return;
  }
  const fn = ops[req.op];
  try {
    if (!fn) throw new Error(`unknown op ${req.op}`);
    const result = await fn(req.args ?? {});
    send({ id: req.id, ok: true, result: result ?? {} });
  } catch (e) {
    const msg = e?.data?.errcode ? `${e.data.errcode}: ${e.data.error ?? e.message}` : String(e?.message ?? e);
    send({ id: req.id, ok: false, error: msg });
  }
}

export function serve() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", (line) => {
    if (line.trim()) void handle(line);
  });
  rl.on("close", () => {
    try {
      state.client?.stopClient();
    } finally {
      process.exit(0);
    }
  });
  const sdkVersion = createRequire(import.meta.url)("matrix-js-sdk/package.json").version;
  push("ready", { sdk_version: sdkVersion, node_version: process.version });
}
