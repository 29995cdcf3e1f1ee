//go:build !race

package injector_test

const raceEnabled = false
