//go:build guibench

package session

// Seeding hook for the GUI benchmark (cmd/bosmessenger/guibench_test.go), only in builds with the
// tag guibench: production builds do not contain it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/rs/zerolog"
	"maunium.net/go/mautrix/id"

	"bosmessenger/store"
	"bosmessenger/store/seal"
)

// OpenOfflineForBench opens a new sealed store in dir (with a fixed key) as a session of user that
// never talks to a server, for in-process benchmarks of the GUI's timeline (ui): fill it with
// IngestSyncForBench. The store stays open until the process ends.
func OpenOfflineForBench(ctx context.Context, dir string, user id.UserID) (*Session, error) {
	sealer, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, filepath.Join(dir, "bench.db"), sealer)
	if err != nil {
		return nil, fmt.Errorf("failed to open the bench store: %w", err)
	}
	return &Session{db: db, account: Account{UserID: user}, log: zerolog.Nop(), bus: newBus(), cfg: Config{Policy: AllowAll{}}}, nil
}

// IngestSyncForBench stores body, a /sync response, through the ingest code SyncOnce uses (decoding,
// then one store transaction), without a request to the server and without the crypto machine
// (the rooms in body must be unencrypted). The stored next_batch token is kept, so the account
// goes on syncing with its real server afterwards. It returns the number of timeline events stored.
func (s *Session) IngestSyncForBench(ctx context.Context, body []byte) (events int, err error) {
	var resp syncResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return 0, fmt.Errorf("failed to decode the sync body: %w", err)
	}
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	in := &ingester{}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		*in = ingester{tx: tx, me: s.account.UserID.String(), log: s.log}
		next, err := tx.Value(store.KeyNextBatch)
		if err != nil {
			return err
		}
		resp.NextBatch = next
		return in.apply(&resp)
	})
	if err != nil {
		return 0, fmt.Errorf("failed to store the sync body: %w", err)
	}
	if in.malformed != 0 {
		return in.events, fmt.Errorf("%d malformed items in the sync body", in.malformed)
	}
	s.bus.notify()
	return in.events, nil
}
