package throttle

import (
	"fmt"
	"testing"
	"time"
)

// TestLimiterTableIsBounded: a flood of new keys keeps the table at its size, and a key
// in debt keeps its debt through the flood (the newcomers share the overflow bucket).
func TestLimiterTableIsBounded(t *testing.T) {
	l := New(2, time.Minute, 100)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	l.Take("victim", now)
	l.Take("victim", now)
	for i := range 100000 {
		l.Take(fmt.Sprintf("flood%d", i), now.Add(time.Duration(i)*10*time.Microsecond))
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("%d buckets, want at most 100", n)
	}
	if b, retry := l.Take("victim", now.Add(2*time.Second)); b != nil || retry <= 0 {
		t.Fatalf("victim's bucket was reset by the flood")
	}
	// Once the buckets have refilled, the table makes room again.
	later := now.Add(time.Hour)
	if b, _ := l.Take("newcomer", later); b == nil {
		t.Fatal("newcomer refused after the table refilled")
	}
	if n := l.Len(); n > 2 {
		t.Fatalf("%d buckets after the sweep", n)
	}
}
