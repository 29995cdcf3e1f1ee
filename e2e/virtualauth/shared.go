package virtualauth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// DefaultTabTimeout is the deadline of a tab from Tab.
const DefaultTabTimeout = 30 * time.Second

// SharedOptions are the options Shared starts the browser with. Set them in
// TestMain before Main, if at all.
var SharedOptions Options

var shared struct {
	mu       sync.Mutex
	b        *Browser
	err      error
	notFound bool
}

// Main runs the tests of a test binary and then closes the shared browser,
// if a test started one. Use it in TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(virtualauth.Main(m)) }
//
// Without it, the browser is killed when the test binary exits, but its
// temporary profile directory stays behind.
func Main(m *testing.M) int {
	code := m.Run()
	if err := CloseShared(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return code
}

// CloseShared closes the shared browser, if one was started. Main calls it;
// a TestMain that does more than Main can call it itself.
func CloseShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	b := shared.b
	shared.b = nil
	if shared.err == nil {
		shared.err = errors.New("virtualauth: the shared browser is closed")
	}
	if b == nil {
		return nil
	}
	return b.Close()
}

// Shared returns the one browser of this test binary, started on first use
// with SharedOptions.
//
// When no Chromium is found, it calls t.Skip if the environment variable E2E
// is "skip", and t.Fatal with instructions otherwise: a missing browser must
// not silently turn end-to-end tests into passing ones. When the browser is
// found but fails to start, every caller fails with the same error.
func Shared(t testing.TB) *Browser {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.b == nil && shared.err == nil {
		opts := SharedOptions
		if opts.ExecPath == "" {
			p, err := FindChrome()
			if err != nil {
				shared.err, shared.notFound = err, true
			}
			opts.ExecPath = p
		}
		if shared.err == nil {
			shared.b, shared.err = Start(context.Background(), opts)
		}
	}
	if shared.err != nil {
		if shared.notFound {
			if os.Getenv("E2E") == "skip" {
				t.Skipf("skipping browser test (E2E=skip): %v", shared.err)
			}
			t.Fatalf("\n"+
				"******************************************************************\n"+
				"  BROWSER TESTS NEED CHROMIUM, AND NONE WAS FOUND.\n"+
				"  %v\n"+
				"  Install it:  apt-get install chromium   (Debian/Ubuntu)\n"+
				"  or set CHROME_PATH=/path/to/chrome.\n"+
				"  To skip these tests on purpose, set E2E=skip.\n"+
				"******************************************************************", shared.err)
		}
		t.Fatalf("virtualauth: no shared browser: %v", shared.err)
	}
	return shared.b
}

// Tab opens a tab of the shared browser in a fresh browser context, with
// WebAuthn enabled and a deadline of DefaultTabTimeout. The tab closes when
// the test ends. The page's console messages and uncaught exceptions go to
// t.Log (shown for failed tests and with -v).
func Tab(t testing.TB) context.Context {
	t.Helper()
	return TabWithTimeout(t, DefaultTabTimeout)
}

// TabWithTimeout is Tab with another deadline.
func TabWithTimeout(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	b := Shared(t)
	ctx, cancel := context.WithTimeout(t.Context(), d)
	tab, closeTab, err := b.NewTab(ctx)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		closeTab()
		cancel()
	})
	LogConsole(t, tab)
	return tab
}

// TabIn opens another tab in the same browser context as tab (shared cookies
// and storage), with WebAuthn enabled, and closes it when the test ends.
func TabIn(t testing.TB, tab context.Context) context.Context {
	t.Helper()
	tab2, closeTab, err := Shared(t).NewTabIn(tab)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeTab)
	LogConsole(t, tab2)
	return tab2
}
