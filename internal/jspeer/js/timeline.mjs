// timeline.mjs: room events to JSON, pushed to Go once their decryption settled.
import { EV, push, state } from "./shared.mjs";

// serialize turns a MatrixEvent into the JSON the Go side decodes as Event.
export function serialize(ev) {
  const content = { ...(ev.getOriginalContent() ?? {}) };
  // m.relates_to travels in the clear part of encrypted events: show it in the content.
  const wire = ev.getWireContent() ?? {};
  if (ev.isEncrypted() && wire["m.relates_to"] && !content["m.relates_to"]) {
    content["m.relates_to"] = wire["m.relates_to"];
  }
  // On failure the SDK presents a fake m.room.message (msgtype m.bad.encrypted):
  // report the wire type instead so that no matcher mistakes it for a message.
  let failure = "";
  let type = ev.getType();
  if (ev.isDecryptionFailure()) {
    failure = String(ev.decryptionFailureReason ?? "UNKNOWN");
    if (typeof content.body === "string") failure += ": " + content.body;
    type = ev.getWireType();
  }
  const out = {
    event_id: ev.getId(),
    room_id: ev.getRoomId(),
    sender: ev.getSender(),
    type,
    content,
    encrypted: ev.isEncrypted(),
    decryption_failure: failure,
    origin_server_ts: ev.getTs(),
  };
  if (ev.threadRootId && ev.threadRootId !== ev.getId()) out.thread_root_id = ev.threadRootId;
  const sk = ev.getStateKey();
  if (sk !== undefined) out.state_key = sk;
  return out;
}

// settled waits for a pending decryption of ev to finish (success or failure).
export async function settled(ev) {
  if (ev.isEncrypted() && (ev.shouldAttemptDecryption() || ev.isBeingDecrypted())) {
    try {
      await state.client.decryptEventIfNeeded(ev);
    } catch (e) {
      console.error("jspeer: decryptEventIfNeeded:", e);
    }
  }
  return ev;
}

export function isRemote(ev) {
  const id = ev.getId();
  return id && !id.startsWith("~") && (ev.status === null || ev.status === undefined || ev.status === "sent");
}

async function pushEvent(ev) {
  if (!ev.getRoomId() || !isRemote(ev)) return;
  await settled(ev);
  push("event", { event: serialize(ev) });
}

// attachTimelineHandlers pushes every remote timeline event, again after late decryption.
export function attachTimelineHandlers(c) {
  c.on(EV.timeline, (ev) => void pushEvent(ev));
  c.on(EV.localEcho, (ev) => void pushEvent(ev));
  c.on(EV.decrypted, (ev) => void pushEvent(ev));
}
