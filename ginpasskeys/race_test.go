//go:build race

package ginpasskeys_test

// raceEnabled: sync.Pool drops items at random under the race detector.
const raceEnabled = true
