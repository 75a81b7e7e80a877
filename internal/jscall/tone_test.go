package jscall

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The tone file is a 48 kHz mono 16-bit WAV whose zero crossings give back its frequency.
func TestWriteToneWAV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.wav")
	if err := WriteToneWAV(path, 660, 1); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[0:4]) != "RIFF" || string(data[8:16]) != "WAVEfmt " || string(data[36:40]) != "data" {
		t.Fatalf("bad header % x", data[:44])
	}
	if rate := binary.LittleEndian.Uint32(data[24:]); rate != 48000 {
		t.Fatalf("rate %d", rate)
	}
	n := int(binary.LittleEndian.Uint32(data[40:])) / 2
	if n != 48000 || len(data) != 44+2*n {
		t.Fatalf("%d samples in %d bytes", n, len(data))
	}
	crossings, peak := 0, 0.0
	prev := int16(binary.LittleEndian.Uint16(data[44:]))
	for i := 1; i < n; i++ {
		s := int16(binary.LittleEndian.Uint16(data[44+2*i:]))
		if (prev < 0) != (s < 0) {
			crossings++
		}
		peak = math.Max(peak, math.Abs(float64(s)))
		prev = s
	}
	if hz := float64(crossings) / 2; math.Abs(hz-660) > 2 {
		t.Fatalf("%v Hz from zero crossings, want 660", hz)
	}
	if peak < 8000 || peak > 8300 {
		t.Fatalf("peak %v, want a quarter of full scale", peak)
	}
	if err := WriteToneWAV(path, 30000, 1); err == nil {
		t.Fatal("a tone above Nyquist was accepted")
	}
}
