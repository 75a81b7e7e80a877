package main

import (
	"testing"
	"time"
)

func TestParseExportTime(t *testing.T) {
	now := time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                          {},
		"2026-12-03T12:30:00+01:00": time.Date(2026, 12, 3, 11, 30, 0, 0, time.UTC),
		"2026-12-03T11:30:00Z":      time.Date(2026, 12, 3, 11, 30, 0, 0, time.UTC),
		"24h":                       now.Add(-24 * time.Hour),
		"90m":                       now.Add(-90 * time.Minute),
		"2026-12-01":                time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local),
		"2026-12-01 08:15":          time.Date(2026, 12, 1, 8, 15, 0, 0, time.Local),
	} {
		got, err := parseExportTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"gestern", "-24h", "0s", "2026-13-01", "12:00"} {
		if _, err := parseExportTime(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
