package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"maunium.net/go/mautrix"

	e2ee "bosmessenger/crypto"
	"bosmessenger/store"
)

// Sync filter: lazy-loaded members, a bounded timeline, no presence.
const timelineLimit = 50

var syncFilter = json.RawMessage(`{
	"room": {
		"state": {"lazy_load_members": true},
		"timeline": {"limit": ` + strconv.Itoa(timelineLimit) + `, "lazy_load_members": true}
	},
	"presence": {"not_types": ["*"]}
}`)

// firstSyncLimit is the timeline limit of the initial sync (phase 1 of two): the newest few events
// of every room, enough for the room list (name, unread counts, last message) to be complete at
// once. The rest of each room's window, up to timelineLimit, is back-filled afterwards (phase 2,
// BackfillInitial). The server answers the initial sync with limit 50 in about twice the time.
const firstSyncLimit = 5

// firstSyncFilter is syncFilter with firstSyncLimit, sent inline (no filter upload before the
// first sync: one round trip less on the way to the room list).
var firstSyncFilter = `{"room":{"state":{"lazy_load_members":true},"timeline":{"limit":` +
	strconv.Itoa(firstSyncLimit) + `,"lazy_load_members":true}},"presence":{"not_types":["*"]}}`

// SyncStats describes one processed sync response.
type SyncStats struct {
	Rooms     int
	Events    int
	Malformed int
	Initial   bool
}

// SyncOnce makes one /sync request (long-polling up to timeout) and stores the response and its
// next_batch token in one transaction. After a restart it continues from the stored token.
//
// When the server says this device is gone and Config.RemoteWipe is set, the session is closed,
// its local data deleted, and the error matches ErrRemoteWiped.
func (s *Session) SyncOnce(ctx context.Context, timeout time.Duration) (SyncStats, error) {
	stats, err := s.syncOnce(ctx, timeout)
	if err != nil {
		return stats, s.terminated(err)
	}
	return stats, nil
}

// afterCryptoSync, set by tests only, runs between the E2EE processing of a sync response and
// its store transaction (with the number of to-device messages).
var afterCryptoSync func(toDevice int)

// syncOnce is SyncOnce without the remote wipe.
func (s *Session) syncOnce(ctx context.Context, timeout time.Duration) (SyncStats, error) {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.gate.recheck.CompareAndSwap(true, false) {
		s.refreshDeviceGate(ctx, true)
	}
	var since, filterID string
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var e1, e2 error
		since, e1 = tx.Value(store.KeyNextBatch)
		filterID, e2 = tx.Value(store.KeyFilterID)
		return errors.Join(e1, e2)
	})
	if err != nil {
		return SyncStats{}, err
	}
	if since == "" {
		timeout = 0
		filterID = firstSyncFilter // phase 1: short timelines; the filter is uploaded with the next sync
	} else if filterID == "" {
		if filterID, err = s.uploadFilter(ctx); err != nil {
			return SyncStats{}, err
		}
	}
	query := map[string]string{"filter": filterID, "timeout": strconv.FormatInt(timeout.Milliseconds(), 10)}
	if since != "" {
		query["since"] = since
	}
	var resp syncResponse
	reqCtx, cancel := context.WithTimeout(ctx, timeout+90*time.Second)
	defer cancel()
	_, err = s.cli.MakeFullRequest(reqCtx, mautrix.FullRequest{
		Method:       http.MethodGet,
		URL:          s.cli.BuildURLWithQuery(mautrix.ClientURLPath{"v3", "sync"}, query),
		ResponseJSON: &resp,
		MaxAttempts:  1,
	})
	if err != nil {
		return SyncStats{}, s.classify("sync", err)
	}
	if resp.NextBatch == "" {
		return SyncStats{}, fmt.Errorf("failed to sync: response without next_batch")
	}
	if s.e2ee != nil {
		// Crypto first: room keys of the to-device messages are committed to crypto.db before
		// the store transaction saves next_batch (which tells the server to drop them). A process
		// dying in between syncs from the old token again and gets them once more.
		s.e2ee.ProcessSync(ctx, e2ee.SyncInput{Since: since, ToDevice: resp.ToDevice.Events,
			DeviceLists: resp.DeviceLists, OTKCounts: resp.OTKCounts})
		if afterCryptoSync != nil {
			afterCryptoSync(len(resp.ToDevice.Events))
		}
	}
	s.ensurePushRules(ctx) // before the ingest: it counts unread encrypted events with the rules
	dec := s.decryptTimelines(ctx, &resp)
	refused := s.filterInvites(ctx, &resp)
	in := &ingester{me: s.account.UserID.String(), log: s.log}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		*in = ingester{tx: tx, me: in.me, log: in.log, decrypted: dec, joined: &s.joined,
			alerts: &alertIngest{live: since != "", window: s.ackWindow(), now: time.Now()}}
		if err := in.apply(&resp); err != nil {
			return err
		}
		if since == "" {
			return tx.SetValue(store.KeyBackfillPending, "1") // phase 2 follows (BackfillInitial)
		}
		return nil
	})
	if err != nil {
		return SyncStats{}, fmt.Errorf("failed to store sync response: %w", err)
	}
	s.bus.notify()
	s.handleCallEvents(in.calls)
	s.groupCallsSynced(&resp)
	s.fillAlertGaps(ctx, in.gapAlerts)
	s.rejectInvites(ctx, refused)
	if s.e2ee != nil {
		for _, m := range in.memberEvents {
			s.e2ee.MembershipChanged(ctx, m.roomID, m.raw)
		}
		received := s.e2ee.TakeReceived()
		if len(resp.ToDevice.Events) > 0 {
			// Forwarded keys (answers to our key requests) do not announce themselves.
			for sessionID, roomID := range s.arrivedKeys(ctx) {
				received[sessionID] = roomID
			}
		}
		if len(received) > 0 {
			if err := s.retryUndecrypted(ctx, received); err != nil {
				s.log.Warn().Err(err).Msg("Re-decrypting events failed")
			}
			s.backupNewKeys(ctx)
		}
		s.requestMissingKeys(ctx, dec)
	}
	// Not after the initial sync: indexing its messages (about 0.5 ms each) would hold up the room
	// list; the next syncs index them (syncIndexBatches at a time), and Search indexes all first.
	if since != "" {
		if err := s.indexSearch(ctx, syncIndexBatches); err != nil {
			s.log.Warn().Err(err).Msg("Updating the search index failed")
		}
	}
	stats := SyncStats{Rooms: len(resp.Rooms.Join) + len(resp.Rooms.Invite) + len(resp.Rooms.Leave),
		Events: in.events, Malformed: in.malformed, Initial: since == ""}
	s.log.Debug().Int("rooms", stats.Rooms).Int("events", stats.Events).Int("malformed", stats.Malformed).Msg("Synced")
	return stats, nil
}

func (s *Session) uploadFilter(ctx context.Context) (string, error) {
	var resp mautrix.RespCreateFilter
	_, err := s.cli.MakeFullRequest(ctx, mautrix.FullRequest{
		Method:       http.MethodPost,
		URL:          s.cli.BuildClientURL("v3", "user", s.account.UserID, "filter"),
		RequestJSON:  syncFilter,
		ResponseJSON: &resp,
		MaxAttempts:  1,
	})
	if err != nil {
		return "", s.classify("upload sync filter", err)
	}
	if resp.FilterID == "" {
		return "", errors.New("failed to upload sync filter: no filter_id in response")
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetValue(store.KeyFilterID, resp.FilterID) })
	return resp.FilterID, err
}

// isPermanent reports errors that retrying cannot fix.
func isPermanent(err error) bool {
	if errors.Is(err, ErrSessionTerminated) || errors.Is(err, ErrPolicyDenied) || errors.Is(err, ErrCannotEncrypt) ||
		errors.Is(err, ErrDeviceNotVerified) {
		return true
	}
	var httpErr mautrix.HTTPError
	if errors.As(err, &httpErr) && httpErr.Response != nil {
		code := httpErr.Response.StatusCode
		return code >= 400 && code < 500 && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout
	}
	return false
}

// Run syncs until ctx ends, backing off from MinBackoff up to MaxBackoff after failures. Meanwhile
// it sends queued messages as soon as they are queued (and after every sync). onSync, if set, is
// called after every stored sync response. It returns only when ctx ends or the session was
// terminated on the server.
func (s *Session) Run(ctx context.Context, timeout time.Duration, onSync func(SyncStats)) error {
	sendCtx, stopSending := context.WithCancel(ctx)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		s.sendLoop(sendCtx)
	}()
	acked := make(chan struct{})
	go func() {
		defer close(acked)
		s.alertAckLoop(sendCtx)
	}()
	backfilled := make(chan struct{})
	backfillStarted := false
	defer func() {
		stopSending()
		<-sent
		<-acked
		if backfillStarted {
			<-backfilled
		}
	}()
	backoff := s.cfg.MinBackoff
	synced := false
	for {
		stats, err := s.syncOnce(ctx, timeout)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if errors.Is(err, ErrSessionTerminated) {
				stopSending() // nothing may use the store while it is wiped
				<-sent
				if backfillStarted {
					<-backfilled
					backfillStarted = false
				}
				return s.terminated(err)
			}
			s.log.Warn().Err(err).Dur("backoff", backoff).Msg("Sync failed, retrying")
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, s.cfg.MaxBackoff)
			continue
		}
		backoff = s.cfg.MinBackoff
		s.pruneDaily(ctx, !synced) // local retention: after the first sync, then daily
		synced = true
		if !backfillStarted {
			// Phase 2 of the initial sync (or its rest after a restart), beside the live sync.
			backfillStarted = true
			go func() {
				defer close(backfilled)
				if _, err := s.BackfillInitial(sendCtx); err != nil && sendCtx.Err() == nil {
					s.log.Warn().Err(err).Msg("Back-filling the timelines failed")
				}
			}()
		}
		if onSync != nil {
			onSync(stats)
		}
		if err := s.FlushQueue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn().Err(err).Msg("Sending queued messages failed")
		}
	}
}
