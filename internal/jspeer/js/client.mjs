// client.mjs: login, rooms, messages and the timeline.
import * as sdk from "matrix-js-sdk";
import { EV, state, client, crypto, sleep, waitFor } from "./shared.mjs";
import { attachTimelineHandlers, isRemote, serialize, settled } from "./timeline.mjs";
import { attachVerificationHandlers } from "./verification.mjs";
import { getSecretStorageKey, cacheSecretStorageKey } from "./backup.mjs";

async function ownDeviceKeysUploaded(c) {
  const uid = c.getUserId();
  const res = await c.http.authedRequest("POST", "/keys/query", undefined, { device_keys: { [uid]: [] } });
  return Boolean(res?.device_keys?.[uid]?.[c.getDeviceId()]);
}

async function waitRoom(roomId, encrypted, timeoutMs) {
  const c = client();
  await waitFor(`room ${roomId} in the sync`, timeoutMs, () => c.getRoom(roomId)?.getMyMembership() === "join");
  if (encrypted) {
    await waitFor(`encryption of ${roomId}`, timeoutMs, () => crypto().isEncryptionEnabledInRoom(roomId));
  }
}

// announceThreads is the fetch of a thread_support peer: it records the event IDs of /send
// answers and adds Matrix 1.4 to the server's
// /versions, so that the SDK uses stable threads (m.thread) as Element does on servers that
// announce them. Dendrite 0.13.8 stores and serves m.thread relations but announces only up to
// 1.2, which would make the SDK fall back to io.element.thread.
async function announceThreads(input, init) {
  const res = await fetch(input, init);
  const url = String(input?.url ?? input);
  if (res.ok && url.includes("/send/")) {
    // Kept for send_thread_reply, which must name its event even when the SDK trips over the
    // remote echo (threads.mjs).
    const sent = await res.clone().json().catch(() => ({}));
    if (sent.event_id) state.sentEventIds.push(sent.event_id);
    return res;
  }
  if (!res.ok || !url.includes("/_matrix/client/versions")) return res;
  const body = await res.json();
  body.versions = [...new Set([...(body.versions ?? []), "v1.4"])];
  return new Response(JSON.stringify(body), { status: res.status, headers: { "content-type": "application/json" } });
}

export const clientOps = {
  async login({ base_url, user, password, timeout_ms, thread_support }) {
    if (state.client) throw new Error("already logged in");
    const tmp = sdk.createClient({ baseUrl: base_url });
    const res = await tmp.loginRequest({
      type: "m.login.password",
      identifier: { type: "m.id.user", user },
      password,
      initial_device_display_name: "jspeer",
    });
    const c = sdk.createClient({
      baseUrl: base_url,
      fetchFn: thread_support ? announceThreads : undefined,
      userId: res.user_id,
      accessToken: res.access_token,
      deviceId: res.device_id,
      // Secret storage (backup.mjs) is unlocked with the key in state.ssssKey.
      cryptoCallbacks: { getSecretStorageKey, cacheSecretStorageKey },
    });
    state.client = c;
    state.password = password;
    await c.initRustCrypto({ useIndexedDB: false });
    attachTimelineHandlers(c);
    attachVerificationHandlers(c);
    c.on(EV.sync, (st, prev, data) => {
      if (st === "ERROR") console.error("jspeer: sync error:", data?.error);
    });
    const prepared = new Promise((resolve) => {
      const onSync = (st) => {
        if (st === "PREPARED" || st === "SYNCING") {
          c.off(EV.sync, onSync);
          resolve();
        }
      };
      c.on(EV.sync, onSync);
    });
    await c.startClient({ initialSyncLimit: 50, threadSupport: Boolean(thread_support) });
    await Promise.race([
      prepared,
      sleep(timeout_ms).then(() => {
        throw new Error(`timed out after ${timeout_ms} ms waiting for the initial sync`);
      }),
    ]);
    await waitFor("own device keys on the server", timeout_ms, () => ownDeviceKeysUploaded(c), 100);
    return { user_id: res.user_id, device_id: res.device_id };
  },

  async create_room({ name, encrypted, invite, timeout_ms }) {
    const opts = { name, invite: invite ?? [], preset: "private_chat" };
    if (encrypted) {
      opts.initial_state = [
        { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } },
      ];
    }
    const { room_id } = await client().createRoom(opts);
    await waitRoom(room_id, encrypted, timeout_ms);
    return { room_id };
  },

  async join({ room, via, timeout_ms }) {
    const r = await client().joinRoom(room, via?.length ? { viaServers: via } : undefined);
    await waitRoom(r.roomId, false, timeout_ms);
    if (r.hasEncryptionStateEvent()) await waitRoom(r.roomId, true, timeout_ms);
    return { room_id: r.roomId };
  },

  async invite({ room_id, user_id }) {
    await client().invite(room_id, user_id);
    return {};
  },

  async wait_invite({ room_id, timeout_ms }) {
    const c = client();
    const room = await waitFor(`an invite${room_id ? " to " + room_id : ""}`, timeout_ms, () =>
      c.getRooms().find((r) => r.getMyMembership() === "invite" && (!room_id || r.roomId === room_id)),
    );
    return { room_id: room.roomId };
  },

  async send_event({ room_id, type, content }) {
    const res = await client().sendEvent(room_id, type, content);
    return { event_id: res.event_id };
  },

  async events({ room_id }) {
    const room = client().getRoom(room_id);
    if (!room) throw new Error(`unknown room ${room_id}`);
    const evs = room.getLiveTimeline().getEvents().filter(isRemote);
    await Promise.all(evs.map(settled));
    return { events: evs.map(serialize) };
  },
};
