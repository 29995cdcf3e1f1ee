//go:build !race

package ginpasskeys_test

const raceEnabled = false
