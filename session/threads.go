package session

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"maunium.net/go/mautrix"
	"maunium.net/go/mautrix/event"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
)

// Threads (m.thread): replies relate to the thread root with rel_type m.thread and carry the
// spec's reply fallback (m.in_reply_to the thread's latest event, is_falling_back), so clients
// without threads show them as replies. The room's timeline leaves thread replies out and shows a
// ThreadSummary under the root; ThreadTimeline shows one thread. Read receipts in a thread carry
// its root as thread_id (MSC3771).

// ThreadSummary is what the root of a thread shows about its replies.
type ThreadSummary struct {
	Count          int        `json:"count"`
	LatestEventID  id.EventID `json:"latest_event_id"`
	LatestSender   id.UserID  `json:"latest_sender"`
	LatestName     string     `json:"latest_sender_name"`
	LatestBody     string     `json:"latest_body,omitempty"` // "" when it is undecryptable or redacted
	LatestTS       int64      `json:"latest_ts"`
	Unread         bool       `json:"unread,omitempty"` // someone else replied after the events our receipts (thread and unthreaded) point to
	LatestRedacted bool       `json:"-"`
}

// threadLatest returns the event the next reply in the thread of root falls back to: the newest
// stored reply, or the root itself.
func threadLatest(tx *store.Tx, roomID, root string) (string, error) {
	stats, err := tx.ThreadStats(roomID, []string{root})
	if err != nil {
		return "", err
	}
	if st := stats[root]; st != nil && st.Latest != nil {
		return st.Latest.EventID, nil
	}
	return root, nil
}

// threadRootOf resolves the root a reply to eventID goes to: eventID itself, or, when it is a
// thread reply already, its root (threads do not nest). ErrUnknownEvent when the room does not
// hold it.
func threadRootOf(tx *store.Tx, roomID, eventID string) (string, error) {
	list, err := tx.EventsByIDs(roomID, []string{eventID})
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "", fmt.Errorf("%w: %s in %s", ErrUnknownEvent, eventID, roomID)
	}
	if e := list[0]; e.RelType == "m.thread" && e.RelatesTo != "" {
		return e.RelatesTo, nil
	}
	return eventID, nil
}

// sendThreadReply queues a message (markdown unless plain) into the thread of root; it
// returns the transaction ID. root must be a stored event of the room; a thread reply stands for
// its own thread's root.
func (s *Session) sendThreadReply(ctx context.Context, roomID id.RoomID, root id.EventID, text string, plain bool) (string, error) {
	var rootID, latest string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if rootID, err = threadRootOf(tx, roomID.String(), root.String()); err != nil {
			return err
		}
		latest, err = threadLatest(tx, roomID.String(), rootID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("failed to reply in thread: %w", err)
	}
	c := &event.MessageEventContent{MsgType: event.MsgText, Body: text}
	if !plain {
		c = renderMarkdown(text, s.memberNames(ctx, roomID)).content()
	}
	c.RelatesTo = (&event.RelatesTo{}).SetThread(id.EventID(rootID), id.EventID(latest))
	return s.Enqueue(ctx, roomID, "m.room.message", c)
}

// ThreadTimeline returns a thread as a GUI shows it: the root, then up to limit of its newest
// replies (oldest first), then our replies not yet echoed by the server; edits, reactions and
// receipts in the thread (thread_id root) folded in as in Timeline.
func (s *Session) ThreadTimeline(ctx context.Context, roomID id.RoomID, root id.EventID, limit int) ([]Message, error) {
	if limit <= 0 {
		limit = 50
	}
	var out []Message
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		room, ok, err := tx.Room(roomID.String())
		if err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		out, _, err = buildWindow(tx, room, s.account.UserID.String(), limit, root.String(), &s.orgs)
		return err
	})
	return out, err
}

// ThreadHistory returns the root and the last limit replies of a thread as bosctl shows events,
// oldest first (stored events; the room's sync brings new replies).
func (s *Session) ThreadHistory(ctx context.Context, roomID id.RoomID, root id.EventID, limit int) ([]TimelineEvent, error) {
	var out []TimelineEvent
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		if _, ok, err := tx.Room(roomID.String()); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownRoom, roomID)
		}
		events, err := tx.ThreadMessages(roomID.String(), root.String(), limit)
		if err != nil {
			return err
		}
		if len(events) == 0 || events[0].EventID != root.String() {
			return fmt.Errorf("%w: %s in %s", ErrUnknownEvent, root, roomID)
		}
		for _, e := range events {
			out = append(out, viewEvent(e))
		}
		return nil
	})
	return out, err
}

// MarkThreadRead sends a read receipt for eventID in the thread of root (thread_id, MSC3771) and
// records it, so the thread's summary is no longer unread; nothing when it was sent already.
func (s *Session) MarkThreadRead(ctx context.Context, roomID id.RoomID, root, eventID id.EventID) error {
	if !strings.HasPrefix(eventID.String(), "$") || !strings.HasPrefix(root.String(), "$") {
		return fmt.Errorf("failed to mark thread as read: invalid event ID %q in thread %q", eventID, root)
	}
	me := s.account.UserID.String()
	already := false
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		receipts, err := tx.Receipts(roomID.String())
		for _, r := range receipts {
			already = already || (r.UserID == me && r.Type == "m.read" && r.ThreadID == root.String() && r.EventID == eventID.String())
		}
		return err
	})
	if err != nil || already {
		return err
	}
	_, err = s.cli.MakeFullRequest(ctx, mautrix.FullRequest{
		Method:      http.MethodPost,
		URL:         s.cli.BuildClientURL("v3", "rooms", roomID, "receipt", "m.read", eventID),
		RequestJSON: &mautrix.ReqSendReceipt{ThreadID: root.String()},
		MaxAttempts: 1,
	})
	if err != nil {
		return s.classify("mark thread as read", err)
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SaveReceipt(&store.Receipt{RoomID: roomID.String(), UserID: me, Type: "m.read",
			ThreadID: root.String(), EventID: eventID.String(), TS: time.Now().UnixMilli()}); err != nil {
			return err
		}
		_, err := tx.AddChange(string(ChangeReceipts), roomID.String(), "")
		return err
	})
	if err != nil {
		return fmt.Errorf("failed to store thread receipt: %w", err)
	}
	s.bus.notify()
	return nil
}

// threadSummaries folds the thread replies of the window's events into summaries under their roots.
func (b *timelineBuilder) threadSummaries(ids []string, receipts []*store.Receipt) (map[string]*ThreadSummary, error) {
	stats, err := b.tx.ThreadStats(b.room.ID, ids)
	if err != nil {
		return nil, err
	}
	// Where our receipts point: the unthreaded one covers every thread up to its event, a
	// threaded one (thread_id, MSC3771) its thread; compared by the events' timestamps.
	var mainEv string
	mine := map[string]string{}
	var targets []string
	for _, r := range receipts {
		if r.UserID != b.me || r.Type != "m.read" {
			continue
		}
		if r.ThreadID == "" {
			mainEv = r.EventID
		} else {
			mine[r.ThreadID] = r.EventID
		}
		targets = append(targets, r.EventID)
	}
	readTS := map[string]int64{}
	if len(targets) > 0 {
		evs, err := b.tx.EventsByIDs(b.room.ID, targets)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			readTS[e.EventID] = e.TS
		}
	}
	out := make(map[string]*ThreadSummary, len(stats))
	for root, st := range stats {
		sum := &ThreadSummary{Count: st.Count}
		if e := st.Latest; e != nil {
			sum.LatestEventID, sum.LatestSender, sum.LatestName, sum.LatestTS = id.EventID(e.EventID), id.UserID(e.Sender), b.name(e.Sender), e.TS
			sum.LatestRedacted = e.RedactedBy != ""
			if !sum.LatestRedacted && !e.Damaged && (e.Type != "m.room.encrypted" || e.Decrypted != nil) {
				_, raw := effective(e)
				c := parseContent(raw)
				sum.LatestBody = c.Body
				if _, _, _, reply := relation(e, c); reply != "" {
					sum.LatestBody = event.TrimReplyFallbackText(c.Body)
				}
			}
			sum.Unread = e.Sender != b.me && e.TS > max(readTS[mainEv], readTS[mine[root]])
		}
		out[root] = sum
	}
	return out, nil
}
