package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// Files being sent show as placeholder rows under the timeline: waiting, then going out with a
// progress bar; "Abbrechen" cancels that file only; a finished file's row goes.
func TestUploadRowsProgressAndCancel(t *testing.T) {
	test.NewTempApp(t)
	SetLang("de")
	q := useTestUIQueue(t)
	a := &App{ctx: context.Background(), w: test.NewWindow(nil), uploads: container.NewVBox()}
	rows := a.addUploadRows([]string{"lage.png", "plan.pdf"})
	if len(a.uploads.Objects) != 2 || !hasLabel(a.uploads, "lage.png (wartet)") || !hasLabel(a.uploads, "plan.pdf (wartet)") {
		t.Fatalf("rows: %q", labels(a.uploads))
	}
	rows[0].started()
	for _, done := range []int64{0, 250, 500} {
		rows[0].progress(done, 1000)
	}
	q.drain()
	if v := rows[0].bar.Value; v != 0.5 || !hasLabel(a.uploads, "⬆ lage.png") {
		t.Fatalf("bar at %v after 500 of 1000 bytes; labels %q", v, labels(a.uploads))
	}
	if rows[1].button.Text != "Abbrechen" {
		t.Fatalf("button %q", rows[1].button.Text)
	}
	test.Tap(rows[1].button)
	if !errors.Is(rows[1].ctx.Err(), context.Canceled) || !rows[1].button.Disabled() || rows[0].ctx.Err() != nil {
		t.Fatalf("after Abbrechen: ctx %v / %v, button disabled %v", rows[1].ctx.Err(), rows[0].ctx.Err(), rows[1].button.Disabled())
	}
	a.removeUploadRow(rows[0])
	if len(a.uploads.Objects) != 1 || hasLabel(a.uploads, "⬆ lage.png") {
		t.Fatalf("after the first finished: %q", labels(a.uploads))
	}
}
