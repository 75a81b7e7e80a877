//go:build unix

package session

// BenchmarkRoomList: the room list of a big account (docs/PERFORMANCE.md, "Scale: 2,000 rooms"),
// no network. The store holds rooms x 50 text messages (as the seeded bench-compare account);
// rooms=2000 is the scale account (a Land's coordination desk), rooms=200 the usual one.
//
//	go test -tags goolm -run '^$' -bench 'RoomList' -benchtime 20x ./session
//
// op=Rooms is one Session.Rooms (what every room list refresh of the GUI calls), op=Rooms-cold the
// same with nothing kept from an earlier call (bosctl rooms, the GUI's first list);
// op=sync+Rooms is what one incremental sync costs the GUI's room list: ingest one new message in
// one room, then Rooms again.

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

func BenchmarkRoomList(b *testing.B) {
	for _, rooms := range []int{200, 2000} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			db := testStore(b)
			seedRoomList(b, db, rooms)
			s := offlineSession(db, "@bench:x")
			ctx := context.Background()
			check := func() {
				list, err := s.Rooms(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if len(list) != rooms {
					b.Fatalf("%d rooms listed, want %d", len(list), rooms)
				}
				for _, r := range list {
					if r.LastMessage == nil || !strings.HasPrefix(r.Name, "Raum ") {
						b.Fatalf("room %s incomplete: name %q, last message %v", r.ID, r.Name, r.LastMessage)
					}
				}
			}
			check()
			b.Run("op=Rooms", func(b *testing.B) {
				cpu := cpuClock()
				for b.Loop() {
					if _, err := s.Rooms(ctx); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
			b.Run("op=Rooms-cold", func(b *testing.B) { // a fresh process: bosctl rooms, the GUI's first list
				cpu := cpuClock()
				for b.Loop() {
					s.roomList = roomListCache{}
					if _, err := s.Rooms(ctx); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
			batch := 0
			b.Run("op=sync+Rooms", func(b *testing.B) {
				cpu := cpuClock()
				defer reportCPU(b, cpu)
				for b.Loop() {
					batch++
					room := roomListRoomID(batch % rooms)
					body := syncWith(room, 1000+batch, []string{ev("m.room.message", fmt.Sprintf("$new%d", batch), "@peer:x",
						1_800_000_000_000+batch, fmt.Sprintf(`{"msgtype":"m.text","body":"neue Lagemeldung %d"}`, batch))})
					if _, err := ingestJSON(db, body); err != nil {
						b.Fatal(err)
					}
					list, err := s.Rooms(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if list[0].ID.String() != room || list[0].LastMessage == nil ||
						list[0].LastMessage.Body != fmt.Sprintf("neue Lagemeldung %d", batch) {
						b.Fatalf("the newest room is %s (%+v), want %s", list[0].ID, list[0].LastMessage, room)
					}
				}
			})
			check()
		})
	}
}

// cpuClock is the process's CPU time so far (user and system): on a loaded machine the CPU a
// benchmark used says more than its wall time.
func cpuClock() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU milliseconds per iteration since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuClock()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
