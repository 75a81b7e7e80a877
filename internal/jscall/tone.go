package jscall

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// toneRate is the sample rate of the tone files (Opus and WebRTC run at 48 kHz).
const toneRate = 48000

// WriteToneWAV writes a mono 16-bit PCM WAV file of a sine at hz lasting seconds, at a quarter
// of full scale, for Chromium's --use-file-for-fake-audio-capture (which loops it). A whole
// number of periods per second keeps the loop free of clicks for integer frequencies.
func WriteToneWAV(path string, hz float64, seconds int) error {
	if hz <= 0 || hz >= toneRate/2 || seconds <= 0 {
		return fmt.Errorf("failed to write the tone: bad frequency %v Hz or length %d s", hz, seconds)
	}
	n := toneRate * seconds
	data := make([]byte, 44+2*n)
	copy(data[0:], "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*n))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)         // fmt chunk size
	binary.LittleEndian.PutUint16(data[20:], 1)          // PCM
	binary.LittleEndian.PutUint16(data[22:], 1)          // mono
	binary.LittleEndian.PutUint32(data[24:], toneRate)   // sample rate
	binary.LittleEndian.PutUint32(data[28:], toneRate*2) // byte rate
	binary.LittleEndian.PutUint16(data[32:], 2)          // block align
	binary.LittleEndian.PutUint16(data[34:], 16)         // bits per sample
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*n))
	for i := 0; i < n; i++ {
		v := 0.25 * math.Sin(2*math.Pi*hz*float64(i)/toneRate)
		binary.LittleEndian.PutUint16(data[44+2*i:], uint16(int16(math.Round(v*math.MaxInt16))))
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("failed to write the tone: %w", err)
	}
	return nil
}
