// peer.mjs: a matrix-js-sdk client (Rust crypto) driven by the Go package
// bosmessenger/internal/jspeer over JSON lines.
//
// stdin:  {"id": N, "op": "...", "args": {...}}            one request a line
// stdout: {"id": N, "ok": true, "result": ...}             one answer per request
//         {"id": N, "ok": false, "error": "..."}
//         {"push": "...", ...}                              asynchronous events (no id)
// stderr: everything else (all SDK logging). JSPEER_LOG=debug adds debug lines.
//
// The process exits when stdin closes. Modules: shared.mjs (state, helpers),
// timeline.mjs (events), client.mjs (login, rooms, messages), attachments.mjs, polls.mjs,
// verification.mjs (cross-signing, SAS), backup.mjs (secret storage, key
// backup), serve.mjs (the request loop).

// matrix-js-sdk 43 wants Node >= 22. On Node 20 the only missing builtin is
// Promise.withResolvers: without it the device keys are never uploaded and
// every decryption silently fails. It must exist before the SDK is imported.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

// stdout carries the protocol only (shared.mjs keeps the writer): all console
// output (the SDK logs through loglevel -> console) goes to stderr.
const debugEnabled = process.env.JSPEER_LOG === "debug";
const toStderr = (...args) => console.error(...args);
console.log = toStderr;
console.info = toStderr;
console.warn = toStderr;
console.debug = debugEnabled ? toStderr : () => {};
console.trace = debugEnabled ? toStderr : () => {};

process.on("unhandledRejection", (err) => console.error("jspeer: unhandled rejection:", err));

// Everything that imports matrix-js-sdk is loaded only now, after the polyfill.
const { serve } = await import("./serve.mjs");
serve();
