// Command emptywindow is the smallest Fyne app: one window with one label, nothing else. The GUI
// benchmark (cmd/bosmessenger/guibench_test.go) measures its start-up time and memory as the floor
// that every Fyne app on this machine stands on, next to the same figures of bosmessenger.
//
//	go build -tags goolm -o /tmp/emptywindow ./internal/emptywindow
//	Xvfb :99 -screen 0 1280x800x24 -nolisten tcp & DISPLAY=:99 LANG=de_DE.UTF-8 /tmp/emptywindow
package main

import (
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

// Title is the window title the benchmark searches for (xdotool search --name).
const Title = "BOS empty window"

func main() {
	a := app.NewWithID("de.bos-messenger.emptywindow")
	w := a.NewWindow(Title)
	w.SetContent(widget.NewLabel("Fyne"))
	w.Resize(fyne.NewSize(1000, 700)) // about the size bosmessenger opens with (1100x720)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() {
		<-sig
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
}
