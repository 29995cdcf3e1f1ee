//go:build race

package injector_test

// raceEnabled: sync.Pool drops items at random under the race detector.
const raceEnabled = true
