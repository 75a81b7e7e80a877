// threads.mjs: threads as matrix-js-sdk keeps them (the peer logs in with
// thread_support for these): replies through the SDK's own thread relation
// and fallback, and a thread's events as the SDK's Thread model holds them.
import { client, state, waitFor } from "./shared.mjs";
import { serialize, settled } from "./timeline.mjs";

export const threadOps = {
  // send_thread_reply sends a text into the thread of root_id; the SDK adds
  // rel_type m.thread, is_falling_back and m.in_reply_to (its latest reply).
  async send_thread_reply({ room_id, root_id, body }) {
    const c = client();
    const before = state.sentEventIds.length;
    try {
      const res = await c.sendEvent(room_id, root_id, "m.room.message", { msgtype: "m.text", body });
      return { event_id: res.event_id };
    } catch (e) {
      // js-sdk 43 races when the remote echo of a thread reply comes through /sync before
      // /send returns ("updatePendingEventStatus called on an event which is not a local
      // echo"): the reply was sent; its ID is in the /send answer the fetch recorded.
      if (!String(e?.message).includes("not a local echo")) throw e;
      await waitFor("the /send answer", 30000, () => state.sentEventIds.length > before);
      return { event_id: state.sentEventIds[before] };
    }
  },

  // thread waits until the SDK has a Thread for root_id with at least
  // min_length replies, and returns its events (root first) and length.
  async thread({ room_id, root_id, min_length, timeout_ms }) {
    const c = client();
    const thread = await waitFor(`thread ${root_id} with ${min_length ?? 0} replies`, timeout_ms ?? 30000, () => {
      const t = c.getRoom(room_id)?.getThread(root_id);
      return t && t.length >= (min_length ?? 0) ? t : undefined;
    });
    const evs = thread.liveTimeline.getEvents();
    await Promise.all(evs.map(settled));
    return { length: thread.length, events: evs.map(serialize) };
  },
};
