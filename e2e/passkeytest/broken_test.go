package passkeytest_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chirpkit/passkeys/e2e/passkeytest"
)

// recorder is a passkeytest.T that records what each subtest reported instead of
// failing, so that a test can check which scenarios the suite failed on a broken app.
type recorder struct {
	testing.TB // the real test: Helper, Context, TempDir, Logf

	name string
	root *record

	mu       sync.Mutex
	failed   bool
	skipped  bool
	cleanups []func()
}

// record is what a recorder and its subtests saw.
type record struct {
	mu      sync.Mutex
	wg      sync.WaitGroup
	sem     chan struct{}
	results map[string]*result
}

type result struct {
	failed, skipped bool
	messages        []string
}

func newRecorder(t testing.TB) *recorder {
	return &recorder{TB: t, name: t.Name(), root: &record{sem: make(chan struct{}, 2), results: map[string]*result{}}}
}

func (r *recorder) res() *result {
	r.root.mu.Lock()
	defer r.root.mu.Unlock()
	res := r.root.results[r.name]
	if res == nil {
		res = &result{}
		r.root.results[r.name] = res
	}
	return res
}

func (r *recorder) note(failed, skipped bool, msg string) {
	res := r.res()
	r.root.mu.Lock()
	res.failed = res.failed || failed
	res.skipped = res.skipped || skipped
	res.messages = append(res.messages, msg)
	r.root.mu.Unlock()
	r.mu.Lock()
	r.failed = r.failed || failed
	r.skipped = r.skipped || skipped
	r.mu.Unlock()
}

func (r *recorder) Name() string { return r.name }
func (r *recorder) Errorf(format string, args ...any) {
	r.note(true, false, fmt.Sprintf(format, args...))
}
func (r *recorder) Error(args ...any) { r.note(true, false, fmt.Sprint(args...)) }
func (r *recorder) Fail()             { r.note(true, false, "Fail") }
func (r *recorder) FailNow()          { r.note(true, false, "FailNow"); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) {
	r.note(true, false, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) { r.note(true, false, fmt.Sprint(args...)); runtime.Goexit() }
func (r *recorder) Skipf(format string, args ...any) {
	r.note(false, true, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *recorder) Skip(args ...any) { r.note(false, true, fmt.Sprint(args...)); runtime.Goexit() }
func (r *recorder) SkipNow()         { r.note(false, true, "SkipNow"); runtime.Goexit() }
func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}
func (r *recorder) Skipped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.skipped
}
func (r *recorder) Logf(format string, args ...any) {
	r.TB.Logf("%s: %s", r.name, fmt.Sprintf(format, args...))
}
func (r *recorder) Log(args ...any) { r.TB.Logf("%s: %s", r.name, fmt.Sprint(args...)) }

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	r.cleanups = append(r.cleanups, f)
	r.mu.Unlock()
}

// Run runs f as a subtest in a goroutine (at most two at once) and returns at once;
// wait waits for all of them.
func (r *recorder) Run(name string, f func(passkeytest.T)) bool {
	sub := &recorder{TB: r.TB, name: r.name + "/" + name, root: r.root}
	sub.res()
	r.root.wg.Add(1)
	go func() {
		defer r.root.wg.Done()
		r.root.sem <- struct{}{}
		defer func() { <-r.root.sem }()
		defer func() {
			for i := len(sub.cleanups) - 1; i >= 0; i-- {
				sub.cleanups[i]()
			}
		}()
		f(sub)
	}()
	return true
}

// wait waits for the subtests and returns the names (without the parent's) of those
// that failed and of those skipped.
func (r *recorder) wait() (failed, skipped []string, messages map[string][]string) {
	r.root.wg.Wait()
	messages = map[string][]string{}
	for name, res := range r.root.results {
		short := strings.TrimPrefix(name, r.name+"/")
		if short == name {
			continue
		}
		if res.failed {
			failed = append(failed, short)
		}
		if res.skipped {
			skipped = append(skipped, short)
		}
		messages[short] = res.messages
	}
	slices.Sort(failed)
	slices.Sort(skipped)
	return failed, skipped, messages
}

// smallDescription describes a small app with flaw f to the suite.
func smallDescription(f flaw) passkeytest.App {
	return passkeytest.App{
		Handler:     smallHandler(f),
		SignUp:      passkeytest.Form("/", "#name", ""),
		NoPasswords: true,
		NoCSRFToken: true,
	}
}

// TestSmallApp runs the suite on the small app without a flaw: everything passes but
// what it declares it lacks, which is skipped.
func TestSmallApp(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t)
	app := smallDescription(noFlaw)
	if os.Getenv("PASSKEYTEST_FULL") == "" {
		// The loop and the two scenarios it declares it lacks, to keep the suite fast:
		// TestMinimal and TestWasm run the whole battery; PASSKEYTEST_FULL=1 runs it here.
		app.Scenarios = []string{passkeytest.ScenarioSignUpThenSignIn, passkeytest.ScenarioPassword, passkeytest.ScenarioCSRFToken}
	}
	passkeytest.Run(rec, app)
	failed, skipped, msgs := rec.wait()
	if len(failed) != 0 {
		for _, f := range failed {
			t.Errorf("%s: %s", f, strings.Join(msgs[f], "\n"))
		}
	}
	want := []string{passkeytest.ScenarioCSRFToken, passkeytest.ScenarioPassword}
	slices.Sort(want)
	if !slices.Equal(skipped, want) {
		t.Errorf("skipped %q, want %q (the declarations NoPasswords and NoCSRFToken)", skipped, want)
	}
}

// TestBrokenApps runs the suite on apps broken on purpose: each must fail the scenario
// that names its flaw, and only that one.
func TestBrokenApps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		flaw     flaw
		scenario string
		says     string // in the failure message
	}{
		{"accepts a replayed finish", acceptsReplay, passkeytest.ScenarioReplay, "sent again"},
		{"ignores the sign count", ignoresSignCount, passkeytest.ScenarioCloned, "counter went back"},
		{"lets another browser finish", anyBrowserFinishes, passkeytest.ScenarioOtherBrowser, "another browser"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t)
			app := smallDescription(tc.flaw)
			if os.Getenv("PASSKEYTEST_FULL") == "" {
				// The flaw's scenario only. TestSmallApp runs the whole battery on the same
				// app without a flaw; PASSKEYTEST_FULL=1 runs it here too, and then the
				// suite must fail this scenario and no other.
				app.Scenarios = []string{tc.scenario}
			}
			passkeytest.Run(rec, app)
			failed, _, msgs := rec.wait()
			if !slices.Equal(failed, []string{tc.scenario}) {
				for _, f := range failed {
					t.Logf("failed %s: %s", f, strings.Join(msgs[f], "\n"))
				}
				t.Fatalf("the suite failed %q, want exactly %q", failed, tc.scenario)
			}
			msg := strings.Join(msgs[tc.scenario], "\n")
			if !strings.Contains(msg, tc.says) || !strings.Contains(msg, "the app:") || !strings.Contains(msg, "a passkey app should:") {
				t.Fatalf("the failure of %q says %q: want what the app did (%q) and what it should do", tc.scenario, msg, tc.says)
			}
			t.Logf("%s fails %q:%s", tc.name, tc.scenario, msg)
		})
	}
}

func b64url(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
