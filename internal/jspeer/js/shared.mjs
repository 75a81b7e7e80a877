// shared.mjs: the peer's state and small helpers used by all modules.

// stdout carries the protocol only (peer.mjs sends console output to stderr).
const protocolOut = process.stdout;

// Event names as strings: the crypto-api enums are not exported by the main entry point.
export const EV = {
  sync: "sync",
  timeline: "Room.timeline",
  localEcho: "Room.localEchoUpdated",
  decrypted: "Event.decrypted",
  verificationRequest: "crypto.verificationRequestReceived",
  requestChange: "change",
  showSas: "show_sas",
  verifierCancel: "cancel",
};
export const PHASE = { Unsent: 1, Requested: 2, Ready: 3, Started: 4, Cancelled: 5, Done: 6 };

export function send(obj) {
  protocolOut.write(JSON.stringify(obj) + "\n");
}

export function push(kind, fields) {
  send({ push: kind, ...fields });
}

export const state = {
  client: null,
  password: "",
  requests: [], // VerificationRequest objects, newest last
  attached: new WeakSet(),
  sas: null, // ShowSasCallbacks of the current verification
  verifyDone: null, // promise of verifier.verify()
  verifyError: null,
  ssssKey: null, // Uint8Array: the secret storage key (from a recovery key), see backup.mjs
  sentEventIds: [], // event IDs of /send answers, oldest first (thread_support peers), see threads.mjs
};

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// waitFor polls fn (sync or async) until it returns a truthy value or the deadline passes.
export async function waitFor(what, timeoutMs, fn, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function client() {
  if (!state.client) throw new Error("not logged in");
  return state.client;
}

export function crypto() {
  const c = client().getCrypto();
  if (!c) throw new Error("crypto is not initialised");
  return c;
}
