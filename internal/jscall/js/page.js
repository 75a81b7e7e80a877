// page.js: the page side of the browser call peer, bundled by esbuild with matrix-js-sdk for
// headless Chromium. It exposes window.bos, whose async methods driver.mjs calls with one
// argument object; call events go back through window.bosPush (exposed by puppeteer).
import * as sdk from "matrix-js-sdk";
import { createNewMatrixCall, supportsMatrixCall, CallEvent, CallState } from "matrix-js-sdk/lib/webrtc/call.js";
import { CallEventHandlerEvent } from "matrix-js-sdk/lib/webrtc/callEventHandler.js";

const st = {
  client: null,
  incoming: [], // calls not yet answered
  call: null,
  t0: 0, // ms: invite sent (caller) or seen (callee)
  connectedMs: -1,
  hangupReason: "",
  hangupParty: "",
  audio: null, // {ctx, analyser, el}
};

function push(ev) {
  if (typeof window.bosPush === "function") window.bosPush(ev).catch(() => {});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, timeoutMs, pred) {
  const end = Date.now() + (timeoutMs || 30000);
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function client() {
  if (!st.client) throw new Error("not logged in");
  return st.client;
}

// playRemote plays the remote stream through an audio element and a Web Audio analyser: without a
// sink Chromium's getStats() reports no totalAudioEnergy.
function playRemote(stream) {
  if (st.audio || !stream || stream.getAudioTracks().length === 0) return;
  const el = document.createElement("audio");
  el.autoplay = true;
  el.srcObject = stream;
  document.body.appendChild(el);
  el.play().catch((e) => console.warn("bos: audio play:", String(e)));
  const ctx = new AudioContext();
  const src = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 8192;
  analyser.smoothingTimeConstant = 0;
  src.connect(analyser);
  ctx.resume().catch(() => {});
  st.audio = { ctx, analyser, el };
}

// dominant returns the strongest frequency (Hz) of the received audio and its level (dBFS).
function dominant() {
  if (!st.audio) return { hz: 0, db: -Infinity };
  const { ctx, analyser } = st.audio;
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  const binHz = ctx.sampleRate / analyser.fftSize;
  let best = -1;
  for (let i = Math.ceil(50 / binHz); i < bins.length; i++) {
    if (best < 0 || bins[i] > bins[best]) best = i;
  }
  if (best < 0 || !isFinite(bins[best])) return { hz: 0, db: -Infinity };
  // Parabolic interpolation between the neighbouring bins.
  let off = 0;
  if (best > 0 && best < bins.length - 1) {
    const a = bins[best - 1], b = bins[best], c = bins[best + 1];
    const d = a - 2 * b + c;
    if (d !== 0) off = (0.5 * (a - c)) / d;
  }
  return { hz: (best + off) * binHz, db: bins[best] };
}

function attach(call) {
  if (st.audio) {
    st.audio.ctx.close().catch(() => {});
    st.audio.el.remove();
    st.audio = null;
  }
  st.call = call;
  st.connectedMs = -1;
  st.hangupReason = "";
  st.hangupParty = "";
  call.on(CallEvent.State, (state, old) => {
    if (state === CallState.Connected && st.connectedMs < 0) st.connectedMs = Math.round(performance.now() - st.t0);
    push({ push: "state", state, old, call_id: call.callId });
  });
  call.on(CallEvent.FeedsChanged, () => {
    for (const f of call.getRemoteFeeds()) playRemote(f.stream);
  });
  call.on(CallEvent.Hangup, () => {
    st.hangupReason = call.hangupReason || "";
    st.hangupParty = call.hangupParty || "";
    push({ push: "hangup", reason: st.hangupReason, party: st.hangupParty, call_id: call.callId });
  });
  call.on(CallEvent.Error, (err) => push({ push: "error", message: String(err?.message ?? err), call_id: call.callId }));
}

window.bos = {
  async login({ base_url, user, password, crypto, timeout_ms }) {
    if (st.client) throw new Error("already logged in");
    if (!supportsMatrixCall()) throw new Error("supportsMatrixCall() is false in this browser");
    const tmp = sdk.createClient({ baseUrl: base_url });
    const res = await tmp.loginRequest({
      type: "m.login.password",
      identifier: { type: "m.id.user", user },
      password,
      initial_device_display_name: "jscall",
    });
    const c = sdk.createClient({ baseUrl: base_url, userId: res.user_id, accessToken: res.access_token, deviceId: res.device_id });
    st.client = c;
    if (crypto) await c.initRustCrypto({ useIndexedDB: false });
    c.on(CallEventHandlerEvent.Incoming, (call) => {
      st.t0 = performance.now();
      st.incoming.push(call);
      push({ push: "incoming", call_id: call.callId, room_id: call.roomId });
    });
    const prepared = new Promise((resolve) => {
      const onSync = (s) => {
        if (s === "PREPARED" || s === "SYNCING") {
          c.off(sdk.ClientEvent.Sync, onSync);
          resolve();
        }
      };
      c.on(sdk.ClientEvent.Sync, onSync);
    });
    await c.startClient({ initialSyncLimit: 10 });
    await Promise.race([prepared, sleep(timeout_ms || 60000).then(() => Promise.reject(new Error("first sync timed out")))]);
    return { user_id: res.user_id, device_id: res.device_id, voip: c.supportsVoip() };
  },

  async createRoom({ name, encrypted, invite }) {
    const opts = { name, preset: "private_chat", invite: invite || [] };
    if (encrypted) opts.initial_state = [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }];
    const { room_id } = await client().createRoom(opts);
    return room_id;
  },

  async waitInvite({ room_id, timeout_ms }) {
    await waitFor(`an invite to ${room_id}`, timeout_ms, () => client().getRoom(room_id)?.getMyMembership() === "invite");
    return true;
  },

  async join({ room_id, via }) {
    await client().joinRoom(room_id, { viaServers: via ? [via] : undefined });
    return true;
  },

  // waitRoom waits until the user is joined to room_id, all of members are joined and, if
  // encrypted, encryption is on.
  async waitRoom({ room_id, members, encrypted, timeout_ms }) {
    const c = client();
    await waitFor(`members of ${room_id}`, timeout_ms, () => {
      const room = c.getRoom(room_id);
      if (room?.getMyMembership() !== "join") return false;
      return (members || []).every((m) => room.getMember(m)?.membership === "join");
    });
    if (encrypted) await waitFor(`encryption of ${room_id}`, timeout_ms, () => c.getCrypto()?.isEncryptionEnabledInRoom(room_id));
    return true;
  },

  async placeCall({ room_id }) {
    const call = createNewMatrixCall(client(), room_id);
    if (!call) throw new Error("createNewMatrixCall returned null");
    st.t0 = performance.now();
    attach(call);
    await call.placeVoiceCall();
    return call.callId;
  },

  async answer({ timeout_ms }) {
    const call = await waitFor("an incoming call", timeout_ms, () => st.incoming.shift());
    attach(call);
    await call.answer(true, false);
    return call.callId;
  },

  // placeVideoCall starts a video call (fake camera and microphone) in room_id.
  async placeVideoCall({ room_id }) {
    const call = createNewMatrixCall(client(), room_id);
    if (!call) throw new Error("createNewMatrixCall returned null");
    st.t0 = performance.now();
    attach(call);
    await call.placeVideoCall();
    return call.callId;
  },

  // startVideo adds the fake camera to the current call's peer connection; matrix-js-sdk then
  // renegotiates (m.call.negotiate). Its own upgradeCall (Element's camera button) needs the
  // other side's MSC3077 stream metadata, which ours does not send, and matrix-js-sdk answers
  // with video only a call whose caller sends video.
  async startVideo() {
    const pc = st.call?.peerConn;
    if (!pc) throw new Error("no call");
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    for (const track of stream.getVideoTracks()) pc.addTrack(track, stream);
    return stream.getVideoTracks().length > 0;
  },

  // reject waits for an incoming call and rejects it (m.call.reject).
  async reject({ timeout_ms }) {
    const call = await waitFor("an incoming call", timeout_ms, () => st.incoming.shift());
    attach(call);
    call.reject();
    return call.callId;
  },

  // sdp returns the current call's local and remote session descriptions (for debugging).
  async sdp() {
    const pc = st.call?.peerConn;
    return { local: pc?.localDescription?.sdp ?? "", remote: pc?.remoteDescription?.sdp ?? "" };
  },

  async hangup() {
    if (!st.call) throw new Error("no call");
    st.call.hangup("user_hangup", false);
    return true;
  },

  // hold puts the other side on hold (on = true: every transceiver inactive) or takes it off;
  // matrix-js-sdk renegotiates with m.call.negotiate both times.
  async hold({ on }) {
    if (!st.call) throw new Error("no call");
    st.call.setRemoteOnHold(on);
    return st.call.isRemoteOnHold();
  },

  async stats() {
    const call = st.call;
    const out = {
      state: call?.state ?? "",
      call_id: call?.callId ?? "",
      connected_ms: st.connectedMs,
      hangup_reason: st.hangupReason,
      hangup_party: st.hangupParty,
      bytes_received: 0,
      packets_received: 0,
      total_audio_energy: 0,
      audio_level: 0,
      bytes_sent: 0,
      dominant_hz: 0,
      dominant_db: null,
      connection_state: "",
      ice_state: "",
      dtls_state: "",
      video_frames_sent: 0,
      video_bytes_sent: 0,
    };
    const pc = call?.peerConn;
    if (pc) {
      out.connection_state = pc.connectionState;
      out.ice_state = pc.iceConnectionState;
    }
    if (pc && pc.connectionState !== "closed") {
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type === "transport") out.dtls_state = s.dtlsState || "";
        if (s.type === "inbound-rtp" && s.kind === "audio") {
          out.bytes_received += s.bytesReceived || 0;
          out.packets_received += s.packetsReceived || 0;
          out.total_audio_energy += s.totalAudioEnergy || 0;
          out.audio_level = Math.max(out.audio_level, s.audioLevel || 0);
        }
        if (s.type === "outbound-rtp" && s.kind === "audio") out.bytes_sent += s.bytesSent || 0;
        if (s.type === "outbound-rtp" && s.kind === "video") {
          out.video_frames_sent += s.framesSent || 0;
          out.video_bytes_sent += s.bytesSent || 0;
        }
      });
    }
    const d = dominant();
    out.dominant_hz = Math.round(d.hz * 10) / 10;
    out.dominant_db = isFinite(d.db) ? Math.round(d.db * 10) / 10 : null;
    return out;
  },
};
window.bosReady = true;
