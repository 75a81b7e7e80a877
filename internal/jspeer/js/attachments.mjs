// attachments.mjs: sending and downloading (encrypted) files.
import { client, crypto } from "./shared.mjs";

// Attachments: AES-256-CTR with a 64-bit counter, as the spec's encrypted
// files (v2) define them; matrix-js-sdk itself neither encrypts nor decrypts them.
const subtle = globalThis.crypto.subtle;
const b64 = (buf) => Buffer.from(buf).toString("base64").replace(/=+$/, "");
const b64url = (buf) => Buffer.from(buf).toString("base64url");
const unb64 = (s) => Buffer.from(s, "base64"); // accepts unpadded and url-safe input

async function encryptAttachment(data) {
  const rawKey = globalThis.crypto.getRandomValues(new Uint8Array(32));
  const iv = new Uint8Array(16);
  globalThis.crypto.getRandomValues(iv.subarray(0, 8)); // low 8 bytes: the counter, from 0
  const key = await subtle.importKey("raw", rawKey, "AES-CTR", false, ["encrypt"]);
  const ciphertext = new Uint8Array(await subtle.encrypt({ name: "AES-CTR", counter: iv, length: 64 }, key, data));
  const sha = await subtle.digest("SHA-256", ciphertext);
  return {
    ciphertext,
    file: {
      v: "v2",
      key: { kty: "oct", key_ops: ["encrypt", "decrypt"], alg: "A256CTR", k: b64url(rawKey), ext: true },
      iv: b64(iv),
      hashes: { sha256: b64(sha) },
    },
  };
}

async function decryptAttachment(ciphertext, file) {
  const sha = b64(await subtle.digest("SHA-256", ciphertext));
  if (!file.hashes?.sha256 || sha !== file.hashes.sha256.replace(/=+$/, "")) {
    throw new Error(`attachment hash mismatch: got ${sha}, want ${file.hashes?.sha256}`);
  }
  const key = await subtle.importKey("raw", unb64(file.key.k), "AES-CTR", false, ["decrypt"]);
  const counter = unb64(file.iv);
  return new Uint8Array(await subtle.decrypt({ name: "AES-CTR", counter, length: 64 }, key, ciphertext));
}

// downloadMedia fetches an mxc:// URI, authenticated media first (Dendrite
// serves /_matrix/client/v1/media), the legacy endpoint as a fallback.
async function downloadMedia(mxc) {
  const m = /^mxc:\/\/([^/]+)\/(.+)$/.exec(mxc ?? "");
  if (!m) throw new Error(`not an mxc URI: ${mxc}`);
  const c = client();
  const path = `${encodeURIComponent(m[1])}/${encodeURIComponent(m[2])}`;
  const urls = [`${c.baseUrl}/_matrix/client/v1/media/download/${path}`, `${c.baseUrl}/_matrix/media/v3/download/${path}`];
  let last = "";
  for (const url of urls) {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${c.getAccessToken()}` } });
    if (res.ok) return new Uint8Array(await res.arrayBuffer());
    last = `${url}: HTTP ${res.status} ${await res.text()}`;
  }
  throw new Error(`failed to download ${mxc}: ${last}`);
}

export const attachmentOps = {
  async send_file({ room_id, msgtype, name, mimetype, data }) {
    const c = client();
    const plain = unb64(data);
    const content = { msgtype, body: name, info: { mimetype, size: plain.length } };
    if (await crypto().isEncryptionEnabledInRoom(room_id)) {
      const enc = await encryptAttachment(plain);
      const up = await c.uploadContent(new Blob([enc.ciphertext]), { type: "application/octet-stream", includeFilename: false });
      content.file = { url: up.content_uri, ...enc.file };
    } else {
      const up = await c.uploadContent(new Blob([plain]), { type: mimetype, name });
      content.url = up.content_uri;
    }
    const res = await c.sendMessage(room_id, content);
    return { event_id: res.event_id };
  },

  // send_voice sends an Ogg/Opus voice message with the content Element Web builds
  // (createVoiceMessageContent: m.audio, MSC1767 text/file/audio blocks, MSC3245 marker);
  // waveform values are 0..1 as Element's recorder gives them, times 1024 in the event.
  async send_voice({ room_id, data, duration, waveform }) {
    const c = client();
    const plain = unb64(data);
    const mimetype = "audio/ogg";
    let url, file;
    if (await crypto().isEncryptionEnabledInRoom(room_id)) {
      const enc = await encryptAttachment(plain);
      const up = await c.uploadContent(new Blob([enc.ciphertext]), { type: "application/octet-stream", includeFilename: false });
      file = { url: up.content_uri, ...enc.file };
    } else {
      url = (await c.uploadContent(new Blob([plain]), { type: mimetype, name: "Voice message.ogg" })).content_uri;
    }
    const content = {
      body: "Voice message",
      msgtype: "m.audio",
      url,
      file,
      info: { duration, mimetype, size: plain.length },
      "org.matrix.msc1767.text": "Voice message",
      "org.matrix.msc1767.file": { url, file, name: "Voice message.ogg", mimetype, size: plain.length },
      "org.matrix.msc1767.audio": { duration, waveform: waveform.map((v) => Math.round(v * 1024)) },
      "org.matrix.msc3245.voice": {},
    };
    const res = await c.sendMessage(room_id, JSON.parse(JSON.stringify(content)));
    return { event_id: res.event_id };
  },

  async download({ content }) {
    if (content?.file) {
      const ciphertext = await downloadMedia(content.file.url);
      return { data: b64(await decryptAttachment(ciphertext, content.file)) };
    }
    return { data: b64(await downloadMedia(content?.url)) };
  },
};
