// bench.mjs: megolm throughput of the SDK's Rust crypto (matrix-sdk-crypto-wasm's OlmMachine, the
// one matrix-js-sdk itself uses), for comparison with our Go stack.
//
// bench_megolm {room_id, n} -> {n, encrypt_ms, decrypt_ms}
//   1. discards the room's outbound session and sends one real message into the (encrypted,
//      joined) room, so the SDK creates and shares a new megolm session with every member's
//      devices the normal way;
//   2. encrypts n m.room.message events with OlmMachine.encryptRoomEvent (the call the SDK makes
//      for every message it sends, without the HTTP request), timed;
//   3. decrypts those n events with OlmMachine.decryptRoomEvent (trust requirement "untrusted",
//      the SDK's default), timed. The inbound session is this device's own copy of its outbound
//      session, so no device lookup over the network happens.
// Each call is awaited before the next starts (no pipelining).
import * as RustSdkCryptoJs from "@matrix-org/matrix-sdk-crypto-wasm";
import { client, crypto } from "./shared.mjs";

export const benchOps = {
  async bench_megolm({ room_id, n }) {
    const c = client();
    const olm = crypto().olmMachine; // RustCrypto's (TypeScript-private) OlmMachine
    if (typeof olm?.encryptRoomEvent !== "function") throw new Error("the SDK's OlmMachine is not reachable");
    if (!(await crypto().isEncryptionEnabledInRoom(room_id))) throw new Error(`${room_id} is not encrypted`);
    // Both stacks rotate a session after at most 10000 messages: start each run on a fresh one.
    if (!(n > 0 && n < 10000)) throw new Error(`n must be between 1 and 9999, not ${n}`);
    await crypto().forceDiscardSession(room_id);
    await c.sendEvent(room_id, "m.room.message", { msgtype: "m.text", body: "bench warm-up" });
    const roomId = new RustSdkCryptoJs.RoomId(room_id);
    const user = c.getUserId();
    const contents = [];
    for (let i = 0; i < n; i++) contents.push(JSON.stringify({ msgtype: "m.text", body: `bench ${i}` }));

    const encrypted = new Array(n);
    let t0 = performance.now();
    for (let i = 0; i < n; i++) {
      encrypted[i] = await olm.encryptRoomEvent(roomId, "m.room.message", contents[i]);
    }
    const encryptMs = performance.now() - t0;

    const base = Date.now();
    const events = encrypted.map((content, i) =>
      JSON.stringify({
        type: "m.room.encrypted",
        event_id: `$jsbench${base}_${i}`,
        sender: user,
        origin_server_ts: base + i,
        room_id,
        content: JSON.parse(content),
      }),
    );
    const settings = new RustSdkCryptoJs.DecryptionSettings(RustSdkCryptoJs.TrustRequirement.Untrusted);
    const decrypted = new Array(n);
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      decrypted[i] = await olm.decryptRoomEvent(events[i], roomId, settings);
    }
    const decryptMs = performance.now() - t0;
    for (let i = 0; i < n; i++) {
      const body = JSON.parse(decrypted[i].event)?.content?.body;
      if (body !== `bench ${i}`) throw new Error(`event ${i} decrypted to ${JSON.stringify(body)}`);
      decrypted[i].free?.();
    }
    return { n, encrypt_ms: encryptMs, decrypt_ms: decryptMs };
  },
};
