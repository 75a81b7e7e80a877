package session

import (
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// Receipts: who (other than us) has read up to which row. It is its own step, so that a receipt
// that moved changes two rows' ReadBy without folding any message again (Session.TimelineReadBy).

// readBy maps event IDs to the users whose m.read receipt is at them, for the main timeline
// (thread "": unthreaded and main receipts) or the thread of root thread.
func readBy(receipts []*store.Receipt, me, thread string) map[string][]id.UserID {
	out := map[string][]id.UserID{}
	for _, r := range receipts {
		if r.Type != "m.read" || r.UserID == me {
			continue
		}
		if (thread == "" && (r.ThreadID == "" || r.ThreadID == "main")) || (thread != "" && (r.ThreadID == thread || r.ThreadID == "")) {
			out[r.EventID] = append(out[r.EventID], id.UserID(r.UserID))
		}
	}
	return out
}

// applyReceipts sets ReadBy of msgs (stored rows) from the receipts.
func applyReceipts(msgs []Message, receipts []*store.Receipt, me, thread string) {
	by := readBy(receipts, me, thread)
	for i := range msgs {
		msgs[i].ReadBy = by[msgs[i].EventID.String()]
	}
}
