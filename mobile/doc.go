// Package mobile is where Android and iOS specifics go (push, lifecycle, platform policy), each
// behind build tags (android, ios). There is no code yet.
//
// Fyne code cannot be type-checked for android or ios on the build machines (no NDK, no Xcode), so
// logic that can be pure Go (policy parsing, push payload handling, lifecycle state) belongs in
// packages that do not import Fyne: those build and vet for android/arm64 and darwin in CI.
package mobile
