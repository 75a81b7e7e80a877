// pushrules.mjs: what matrix-js-sdk's push processor (Element's notifications) says about an event.
import { client } from "./shared.mjs";
import { settled } from "./timeline.mjs";

export const pushRuleOps = {
  // push_actions evaluates the account's push rules on a (decrypted) event of the room.
  async push_actions({ room_id, event_id }) {
    const c = client();
    const room = c.getRoom(room_id);
    if (!room) throw new Error(`unknown room ${room_id}`);
    const ev = room.findEventById(event_id);
    if (!ev) throw new Error(`unknown event ${event_id}`);
    await settled(ev);
    const actions = c.getPushActionsForEvent(ev, true);
    return { notify: !!actions?.notify, highlight: !!actions?.tweaks?.highlight };
  },

  // refresh_push_rules loads the push rules from the server now (GET /pushrules/).
  async refresh_push_rules() {
    await client().getPushRules();
    return {};
  },
};
