// polls.mjs: a poll as matrix-js-sdk understands it (MSC3381): the SDK's Poll model of the room
// (created from the live poll start, ended by a valid end) and the votes as its
// PollResponseEvent parses and validates them against the poll.
import { M_POLL_RESPONSE } from "matrix-js-sdk";
import { PollResponseEvent } from "matrix-js-sdk/lib/extensible_events_v1/PollResponseEvent.js";
import { client } from "./shared.mjs";
import { isRemote, settled } from "./timeline.mjs";

export const pollOps = {
  async poll({ room_id, poll_id }) {
    const room = client().getRoom(room_id);
    if (!room) throw new Error(`unknown room ${room_id}`);
    const evs = room.getLiveTimeline().getEvents().filter(isRemote);
    await Promise.all(evs.map(settled));
    const model = room.polls.get(poll_id);
    if (!model) throw new Error(`unknown poll ${poll_id}`);
    const start = model.pollEvent;
    const responses = [];
    for (const ev of evs) {
      if (!M_POLL_RESPONSE.matches(ev.getType()) || ev.relationEventId !== poll_id) continue;
      const content = { ...ev.getContent() };
      content["m.relates_to"] ??= ev.getWireContent()?.["m.relates_to"];
      const r = new PollResponseEvent({ type: ev.getType(), content });
      r.validateAgainst(start);
      responses.push({ sender: ev.getSender(), answers: r.answerIds, spoiled: r.spoiled, ts: ev.getTs() });
    }
    return {
      question: start.question.text,
      kind: start.kind.name,
      max_selections: start.maxSelections,
      answers: start.answers.map((a) => ({ id: a.id, text: a.text })),
      ended: model.isEnded,
      responses,
    };
  },
};
