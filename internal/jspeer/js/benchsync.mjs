// benchsync.mjs: one measured login of a fresh matrix-js-sdk device (Rust crypto on), run as its
// own Node process by `make bench-compare` (internal/tools/benchcompare).
//
//   node benchsync.mjs BASE_URL USER PASSWORD TIMELINE_LIMIT EXPECTED_ROOMS
//
// It logs in, starts the client with initialSyncLimit TIMELINE_LIMIT and waits until the first sync
// is processed (sync state PREPARED) and the room list is complete: EXPECTED_ROOMS joined rooms,
// each with its name and a last event. Then it writes one JSON line to stdout (the milestone, the
// caller's clock stops there), logs the device out and exits. All SDK logging is dropped.

if (typeof Promise.withResolvers !== "function") {
  // Node 20 (see peer.mjs): must exist before the SDK is imported.
  Promise.withResolvers = function withResolvers() {
    let resolve, reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
const out = process.stdout;
for (const k of ["log", "info", "warn", "debug", "trace", "error"]) console[k] = () => {};

const [baseUrl, user, password, limitArg, roomsArg] = process.argv.slice(2);
const sdk = await import("matrix-js-sdk");
const t0 = performance.now();
const tmp = sdk.createClient({ baseUrl });
const res = await tmp.loginRequest({
  type: "m.login.password",
  identifier: { type: "m.id.user", user },
  password,
  initial_device_display_name: "bench-compare",
});
const c = sdk.createClient({ baseUrl, userId: res.user_id, accessToken: res.access_token, deviceId: res.device_id });
await c.initRustCrypto({ useIndexedDB: false });
const tLogin = performance.now();
const prepared = new Promise((resolve, reject) => {
  c.on("sync", (st, _prev, data) => {
    if (st === "PREPARED") resolve();
    if (st === "ERROR") reject(data?.error ?? new Error("sync error"));
  });
});
await c.startClient({ initialSyncLimit: Number(limitArg) });
await prepared;
const want = Number(roomsArg);
const complete = () => {
  const rooms = c.getRooms().filter((r) => r.getMyMembership() === "join");
  const ok = rooms.filter((r) => r.name && r.getLastLiveEvent());
  return { rooms: rooms.length, complete: ok.length };
};
let got = complete();
while (got.rooms < want || got.complete < want) {
  await new Promise((r) => setTimeout(r, 5));
  got = complete();
}
const tDone = performance.now();
out.write(
  JSON.stringify({
    login_ms: tLogin - t0,
    list_ms: tDone - t0,
    rooms: got.rooms,
    events: c.getRooms().reduce((n, r) => n + r.getLiveTimeline().getEvents().length, 0),
    rss_mb: process.memoryUsage().rss / 1048576,
  }) + "\n",
);
c.stopClient();
await c.logout(true).catch(() => {});
process.exit(0);
