//go:build race

package injector

// raceEnabled: sync.Pool drops items at random under the race detector.
const raceEnabled = true
