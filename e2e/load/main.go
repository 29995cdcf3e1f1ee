// Command load drives whole passkey ceremonies against two instances of the example app
// (examples/minimal, built with go build and run as processes on free loopback ports)
// that share one redis-server (the ceremony store) and one SQLite file (users, passkeys,
// sessions), and compares the throughput with the CPU floor: what this machine's cores
// do when all they do is verify signatures in process.
//
//	cd e2e && GOWORK=off go run ./load [-duration 20s] [-concurrency 64] [-cross 0.5] [-register 0.5]
//
// (make load at the repository root.) Each of the -concurrency virtual clients is a
// browser (its own cookie jar and session, a software authenticator from
// internal/softauth) signed up with a password and holding one passkey. Until -duration
// is over, each runs one ceremony after another: a passkey registration (share -register)
// (with a new authenticator each time, another device of the user's: the options exclude
// the passkeys the account has) or a usernameless sign-in, begun on a random instance and finished on the other one
// (share -cross) or on the same. After a sign-in the client loads the dashboard for its new
// session's CSRF token, as the page would.
//
// It prints ceremonies per second, p50 and p99 latency of each verb, and the lost
// ceremonies: begun (200), then not finished with 200 for any reason but expiry. It exits
// 1 when a ceremony was lost or any request failed.
//
// The example runs with -client-limit off: every client comes from 127.0.0.1, and the
// library's per-client limit on begins is keyed by the remote address.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/chirpkit/passkeys/e2e/internal/rig"
	"github.com/chirpkit/passkeys/internal/softauth"
	"github.com/go-webauthn/webauthn/protocol"
)

func main() {
	duration := flag.Duration("duration", 20*time.Second, "how long to start new ceremonies")
	concurrency := flag.Int("concurrency", 64, "virtual clients, each running one ceremony at a time")
	cross := flag.Float64("cross", 0.5, "share of ceremonies finished on the other instance than the one they began on")
	register := flag.Float64("register", 0.5, "share of ceremonies that are registrations (the rest are sign-ins)")
	floorFor := flag.Duration("floor", 3*time.Second, "how long to measure the CPU floor")
	flag.Parse()
	if err := run(*duration, *concurrency, *cross, *register, *floorFor); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// The four verbs, and the dashboard a sign-in ends on.
const (
	regBegin = iota
	regFinish
	loginBegin
	loginFinish
	dashboard
	nVerbs
)

var verbNames = [nVerbs]string{"register/begin", "register/finish", "login/begin", "login/finish", "GET /dashboard (after sign-in)"}

// tally is one client's results.
type tally struct {
	lat       [nVerbs][]time.Duration
	done      [2]int // registrations, sign-ins finished with 200
	crossed   int    // of them, finished on the other instance
	lost      int    // begun, then the finish failed (not challenge_expired)
	expired   int
	beginFail int // begins not answered 200
	other     int // dashboard loads that failed
	samples   []string
}

func (t *tally) fail(what string, err error) {
	if len(t.samples) < 5 {
		t.samples = append(t.samples, what+": "+err.Error())
	}
}

func run(duration time.Duration, concurrency int, cross, register float64, floorFor time.Duration) error {
	dir, err := os.MkdirTemp("", "passkeys-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	loadavg := ""
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		loadavg = strings.Join(strings.Fields(string(la))[:3], " ")
	}

	t0 := time.Now()
	bin, err := rig.BuildExample(ctx, dir)
	if err != nil {
		return err
	}
	built := time.Since(t0)
	redis, err := rig.StartRedis(dir, false)
	if err != nil {
		return err
	}
	defer redis.Kill()
	opts := rig.AppOptions{DB: filepath.Join(dir, "load.db"), RedisURL: redis.URL(), Args: []string{"-client-limit", "off"}}
	var apps [2]*rig.App
	for i := range apps {
		if apps[i], err = rig.StartApp(bin, opts); err != nil {
			return err
		}
		defer apps[i].Stop()
	}
	base := [2]string{apps[0].Base, apps[1].Base}

	// Set-up: every client signs up with a password and registers one passkey.
	t0 = time.Now()
	transport := rig.NewTransport()
	clients := make([]*rig.Browser, concurrency)
	errs := make(chan error, concurrency)
	for i := range clients {
		go func() {
			b := rig.NewBrowser(transport)
			clients[i] = b
			if err := b.Signup(base[i%2], fmt.Sprintf("load-%d", i), "correct horse battery staple"); err != nil {
				errs <- err
				return
			}
			errs <- b.Register(base[i%2], base[(i+1)%2])
		}()
	}
	for range clients {
		if err := <-errs; err != nil {
			return fmt.Errorf("set-up: %w", err)
		}
	}
	setup := time.Since(t0)

	cpu0 := cpuTimes(apps, redis)
	mach0 := machineCPU()
	stop := make(chan struct{})
	tallies := make([]*tally, concurrency)
	var wg sync.WaitGroup
	t0 = time.Now()
	for i, b := range clients {
		tallies[i] = &tally{}
		wg.Go(func() { work(b, base, tallies[i], cross, register, stop) })
	}
	time.Sleep(duration)
	close(stop)
	wg.Wait()
	elapsed := time.Since(t0)
	cpu1 := cpuTimes(apps, redis)
	mach1 := machineCPU()

	var all tally
	for _, t := range tallies {
		for v := range nVerbs {
			all.lat[v] = append(all.lat[v], t.lat[v]...)
		}
		all.done[0] += t.done[0]
		all.done[1] += t.done[1]
		all.crossed += t.crossed
		all.lost += t.lost
		all.expired += t.expired
		all.beginFail += t.beginFail
		all.other += t.other
		all.samples = append(all.samples, t.samples...)
	}
	done := all.done[0] + all.done[1]
	rate := float64(done) / elapsed.Seconds()

	fmt.Printf("load: 2 instances of examples/minimal (go build in %.1fs) on loopback, one %s (ceremony store), one SQLite file (WAL) shared\n",
		built.Seconds(), redisVersion())
	fmt.Printf("      %d clients, %v, %.0f%% registrations, %.0f%% finished on the other instance; GOMAXPROCS %d, %d CPUs\n",
		concurrency, duration, register*100, cross*100, runtime.GOMAXPROCS(0), runtime.NumCPU())
	if loadavg != "" {
		fmt.Printf("      load average before start (other work on this machine): %s\n", loadavg)
	}
	fmt.Printf("set-up: %d users signed up (bcrypt cost 10) with one passkey each in %.1fs\n", concurrency, setup.Seconds())
	fmt.Printf("ceremonies: %d in %.1fs = %.1f/s (%d registrations, %d sign-ins; %d finished on the other instance)\n",
		done, elapsed.Seconds(), rate, all.done[0], all.done[1], all.crossed)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "verb\tn\tp50\tp99\tmax\t")
	for v := range nVerbs {
		l := all.lat[v]
		slices.Sort(l)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t\n", verbNames[v], len(l), pct(l, 50), pct(l, 99), pct(l, 100))
	}
	tw.Flush()
	fmt.Printf("lost ceremonies: %d (begun, then not finished for a reason other than expiry); expired: %d; begins refused: %d; other failures: %d\n",
		all.lost, all.expired, all.beginFail, all.other)
	for _, s := range all.samples[:min(len(all.samples), 10)] {
		fmt.Println("  e.g.", s)
	}
	ncpu := float64(runtime.NumCPU())
	var cpuPer float64 // CPU seconds per ceremony, all our processes
	if cpu0 != nil && cpu1 != nil {
		var d [4]float64
		for i := range d {
			d[i] = cpu1[i] - cpu0[i]
		}
		total := d[0] + d[1] + d[2] + d[3]
		fmt.Printf("CPU used during the run: app A %.1fs, app B %.1fs, redis %.1fs, load generator %.1fs = %.1f of %.1f CPU-seconds\n",
			d[0], d[1], d[2], d[3], total, elapsed.Seconds()*ncpu)
		if mach0 != nil && mach1 != nil {
			busy, idle, iowait := mach1[0]-mach0[0], mach1[1]-mach0[1], mach1[2]-mach0[2]
			fmt.Printf("machine during the run (/proc/stat): %.1f CPU-seconds busy (%.1f of them not ours: other work on this machine), %.1f idle, %.1f waiting for I/O\n",
				busy, max(0, busy-total), idle, iowait)
		}
		if done > 0 {
			cpuPer = total / float64(done)
			fmt.Printf("CPU per ceremony: %.2f ms in the apps and redis, %.2f ms with the load generator\n",
				1000*(d[0]+d[1]+d[2])/float64(done), 1000*cpuPer)
		}
	}

	// The floor is measured after the apps are stopped.
	for _, a := range apps {
		a.Stop()
	}
	redis.Kill()
	fl, err := floor(floorFor)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	fmt.Printf("CPU floor: %d goroutines in process (no HTTP, store or database) for %v; per CPU-second used, times %d CPUs (wall-clock rate in brackets):\n",
		runtime.NumCPU(), floorFor, runtime.NumCPU())
	fmt.Printf("  ECDSA P-256 verify of a softauth assertion (crypto/ecdsa):            %7.0f/s  (%.0f/s)\n", fl.ecdsa.perCPU*ncpu, fl.ecdsa.wall)
	fmt.Printf("  parse + verify of a softauth assertion (go-webauthn protocol.Verify): %7.0f/s  (%.0f/s)\n", fl.full.perCPU*ncpu, fl.full.wall)
	floorFull, floorECDSA := fl.full.perCPU*ncpu, fl.ecdsa.perCPU*ncpu
	fmt.Printf("ratio, wall clock: %.1f ceremonies/s = %.1f%% of the go-webauthn floor, %.1f%% of the ECDSA floor\n",
		rate, 100*rate/floorFull, 100*rate/floorECDSA)
	if cpuPer > 0 {
		own := ncpu / cpuPer
		fmt.Printf("ratio, CPU-normalised: %d CPUs / %.2f ms per ceremony = %.0f ceremonies/s if CPU were the only limit = %.1f%% of the go-webauthn floor, %.1f%% of the ECDSA floor\n",
			runtime.NumCPU(), 1000*cpuPer, own, 100*own/floorFull, 100*own/floorECDSA)
	}

	if all.lost > 0 || all.beginFail > 0 || all.other > 0 {
		return fmt.Errorf("%d lost ceremonies, %d begins refused, %d other failures", all.lost, all.beginFail, all.other)
	}
	return nil
}

// work runs ceremonies until stop is closed. A begun ceremony is always finished.
func work(b *rig.Browser, base [2]string, t *tally, cross, register float64, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		on := rand.IntN(2)
		fin := on
		if rand.Float64() < cross {
			fin = 1 - on
		}
		reg := rand.Float64() < register
		bv, fv, kind := loginBegin, loginFinish, 1
		if reg {
			bv, fv, kind = regBegin, regFinish, 0
		}
		start := time.Now()
		r, err := b.Verb(base[on], verbNames[bv], "{}")
		if err != nil {
			t.beginFail++
			t.fail(verbNames[bv], err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		t.lat[bv] = append(t.lat[bv], time.Since(start))
		var resp string
		if reg {
			// Another device of the same user: the client's own authenticator already
			// holds a passkey of this account, which the options exclude.
			var rb []byte
			rb, _, err = softauth.New().Create(r.Body, rig.Origin, softauth.Tamper{})
			resp = string(rb)
		} else {
			resp, err = b.Get(r.Body)
		}
		if err != nil {
			t.lost++
			t.fail("authenticator", err)
			continue
		}
		start = time.Now()
		_, err = b.Verb(base[fin], verbNames[fv], resp)
		if err != nil {
			if e := rig.StatusOf(err); e != nil && e.Code() == "challenge_expired" {
				t.expired++
			} else {
				t.lost++
				t.fail(verbNames[fv], err)
			}
			continue
		}
		t.lat[fv] = append(t.lat[fv], time.Since(start))
		t.done[kind]++
		if fin != on {
			t.crossed++
		}
		if !reg {
			// The sign-in started a new session: the page loads the dashboard.
			start = time.Now()
			if err := b.Page(base[fin], "/dashboard"); err != nil {
				t.other++
				t.fail("dashboard", err)
				return // without a CSRF token this client can do nothing more
			}
			t.lat[dashboard] = append(t.lat[dashboard], time.Since(start))
		}
	}
}

func pct(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	i := (len(sorted)*p+99)/100 - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i].Round(100 * time.Microsecond).String()
}

// rates is a floor measurement: calls per CPU-second this process used, and per second.
type rates struct{ perCPU, wall float64 }

type floors struct{ ecdsa, full rates }

// floor measures, on every CPU, how many softauth assertions per second crypto/ecdsa
// verifies, and how many go-webauthn parses and verifies (protocol.Verify: client data,
// authenticator data, signature), which is the cryptographic core of a sign-in finish.
// Rates are per CPU-second this process used, so that other work on the machine does not
// lower them; the two are measured in alternating rounds.
func floor(d time.Duration) (floors, error) {
	auth := softauth.New()
	opts := `{"rp":{"id":"localhost"},"user":{"id":"dXNlcg"},"challenge":"Y2hhbGxlbmdlLWNoYWxsZW5nZS1jaGFsbGVuZ2U"}`
	reg, cred, err := auth.Create([]byte(opts), rig.Origin, softauth.Tamper{})
	if err != nil {
		return floors{}, err
	}
	parsedReg, err := protocol.ParseCredentialCreationResponseBytes(reg)
	if err != nil {
		return floors{}, err
	}
	cose := parsedReg.Response.AttestationObject.AuthData.AttData.CredentialPublicKey
	auth.Counting = false
	const n = 64
	type assertion struct {
		challenge string
		raw       []byte
		digest    []byte
		sig       []byte
	}
	var as [n]assertion
	for i := range as {
		ch := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("challenge-%032d", i)))
		raw, err := auth.Sign(cred, ch, "localhost", rig.Origin, softauth.Tamper{})
		if err != nil {
			return floors{}, err
		}
		p, err := protocol.ParseCredentialRequestResponseBytes(raw)
		if err != nil {
			return floors{}, err
		}
		cd := sha256.Sum256(p.Raw.AssertionResponse.ClientDataJSON)
		digest := sha256.Sum256(append(slices.Clone(p.Raw.AssertionResponse.AuthenticatorData), cd[:]...))
		as[i] = assertion{ch, raw, digest[:], p.Response.Signature}
	}
	key := &cred.Key.PublicKey
	verifyECDSA := func(i int) error {
		if !ecdsa.VerifyASN1(key, as[i%n].digest, as[i%n].sig) {
			return errors.New("ecdsa: signature does not verify")
		}
		return nil
	}
	verifyFull := func(i int) error {
		a := as[i%n]
		p, err := protocol.ParseCredentialRequestResponseBytes(a.raw)
		if err != nil {
			return err
		}
		return p.Verify(a.challenge, "localhost", "", []string{rig.Origin}, nil, nil, protocol.TopOriginDefaultVerificationMode,
			false, true, true, cose, protocol.SignaturePolicy{})
	}
	var e, f counts
	const rounds = 6
	for range rounds {
		if err := e.run(d/(2*rounds), verifyECDSA); err != nil {
			return floors{}, err
		}
		if err := f.run(d/(2*rounds), verifyFull); err != nil {
			return floors{}, err
		}
	}
	return floors{e.rates(), f.rates()}, nil
}

// counts adds up calls, wall time and this process's CPU time over rounds.
type counts struct {
	calls     int64
	wall, cpu time.Duration
}

func (c counts) rates() rates {
	return rates{float64(c.calls) / c.cpu.Seconds(), float64(c.calls) / c.wall.Seconds()}
}

// run runs f on runtime.NumCPU() goroutines for d.
func (c *counts) run(d time.Duration, f func(int) error) error {
	var total atomic.Int64
	var firstErr atomic.Value
	cpu0 := selfCPU()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			i := 0
			for time.Now().Before(deadline) {
				for range 16 {
					if err := f(i); err != nil {
						firstErr.CompareAndSwap(nil, err)
						return
					}
					i++
				}
			}
			total.Add(int64(i))
		})
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return err
	}
	c.wall += time.Since(start)
	c.cpu += selfCPU() - cpu0
	c.calls += total.Load()
	return nil
}

// selfCPU is the CPU time (user+system) this process used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuTimes returns the CPU seconds (user+system) used so far by app A, app B, redis and
// this process, or nil where /proc cannot be read.
func cpuTimes(apps [2]*rig.App, redis *rig.Redis) []float64 {
	out := make([]float64, 4)
	for i, pid := range []int{apps[0].Pid(), apps[1].Pid(), redis.Pid()} {
		s, err := procCPU(pid)
		if err != nil {
			return nil
		}
		out[i] = s
	}
	out[3] = selfCPU().Seconds()
	return out
}

// machineCPU returns the machine's busy, idle and iowait CPU seconds so far, from the
// cpu line of /proc/stat (clock ticks of 1/100 s), or nil.
func machineCPU() []float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return nil
	}
	var v [7]float64
	for i := range v {
		if v[i], err = strconv.ParseFloat(f[i+1], 64); err != nil {
			return nil
		}
	}
	// user nice system idle iowait irq softirq
	busy := v[0] + v[1] + v[2] + v[5] + v[6]
	return []float64{busy / 100, v[3] / 100, v[4] / 100}
}

// procCPU reads utime+stime of pid from /proc/PID/stat (in clock ticks of 1/100 s, the
// value on Linux).
func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	// The command name (field 2) is in parentheses and may hold spaces.
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseFloat(fields[11], 64)
	stime, err2 := strconv.ParseFloat(fields[12], 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return (utime + stime) / 100, nil
}

func redisVersion() string {
	out, err := exec.Command("redis-server", "--version").Output()
	if err != nil {
		return "redis-server"
	}
	for _, f := range strings.Fields(string(out)) {
		if v, ok := strings.CutPrefix(f, "v="); ok {
			return "redis-server " + v
		}
	}
	return "redis-server"
}
