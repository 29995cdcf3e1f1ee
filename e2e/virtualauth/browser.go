package virtualauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// DefaultStartTimeout is the time that Start and NewTab wait when
// Options.Timeout is zero.
const DefaultStartTimeout = 60 * time.Second

// Options configure Start. The zero value is fine: it finds the browser with
// FindChrome and runs it headless.
type Options struct {
	// ExecPath is the browser executable. Empty means FindChrome.
	ExecPath string

	// Visible shows a browser window instead of running headless. It needs
	// a display (DISPLAY or WAYLAND_DISPLAY on Linux). The default is headless.
	Visible bool

	// ExtraFlags are more browser command line flags, such as
	// "--lang=de" or "--disable-gpu". They come after the flags of this
	// package, so they can override them ("--headless=new").
	ExtraFlags []string

	// Timeout limits the start of the browser, and the creation of each
	// tab by NewTab and NewTabIn. Zero means DefaultStartTimeout.
	Timeout time.Duration

	// Output receives the stdout and stderr of the browser process, for
	// debugging. Nil discards them.
	Output io.Writer
}

// Browser is one headless Chromium process. Start it once and reuse it for a
// whole test binary (see Shared and Main): a start costs about a second, a
// new tab in a fresh browser context costs a few milliseconds.
//
// Its methods are safe for concurrent use; each tab context must be used by
// one goroutine at a time.
type Browser struct {
	execPath string
	timeout  time.Duration

	allocCancel context.CancelFunc
	ctx         context.Context // chromedp context of the browser's first tab
	cancel      context.CancelFunc

	closeOnce sync.Once
	closeErr  error
}

// Flags returns the command line flags that Start passes to the browser on
// top of chromedp.DefaultExecAllocatorOptions (which already has
// --headless, --no-first-run, --disable-background-networking,
// --disable-sync and others). chromedp also adds --no-sandbox when the
// process runs as root. See the package documentation for why.
func Flags() []string {
	return []string{
		"--disable-component-update",
		"--disable-domain-reliability",
		"--disable-field-trial-config",
		"--no-pings",
		"--no-service-autorun",
	}
}

// Start launches Chromium with the flags that work headless, as root, and in
// a closed network (see the package documentation). ctx limits only the
// start: the browser runs until Close.
func Start(ctx context.Context, opts Options) (*Browser, error) {
	execPath := opts.ExecPath
	if execPath == "" {
		p, err := FindChrome()
		if err != nil {
			return nil, err
		}
		execPath = p
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}

	allocOpts := append([]chromedp.ExecAllocatorOption(nil), chromedp.DefaultExecAllocatorOptions[:]...)
	allocOpts = append(allocOpts,
		chromedp.ExecPath(execPath),
		// Repeated on purpose: these three are essential in a closed network.
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
	)
	for _, f := range Flags() {
		allocOpts = append(allocOpts, flagOption(f))
	}
	if opts.Visible {
		allocOpts = append(allocOpts, chromedp.VisibleWindow)
	}
	for _, f := range opts.ExtraFlags {
		allocOpts = append(allocOpts, flagOption(f))
	}
	if opts.Output != nil {
		allocOpts = append(allocOpts, chromedp.CombinedOutput(opts.Output))
	}

	// The browser outlives ctx: keep its values, drop its cancellation.
	base := context.WithoutCancel(ctx)
	allocCtx, allocCancel := chromedp.NewExecAllocator(base, allocOpts...)
	bctx, bcancel := chromedp.NewContext(allocCtx)
	b := &Browser{
		execPath:    execPath,
		timeout:     timeout,
		allocCancel: allocCancel,
		ctx:         bctx,
		cancel:      bcancel,
	}

	// The first Run starts the process and binds its life to bctx, so it
	// must run on bctx itself; the timeout and ctx cancel it from outside.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bctx) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		err = fmt.Errorf("timed out after %v", timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		bcancel()
		allocCancel()
		return nil, fmt.Errorf("virtualauth: starting %s: %w", execPath, err)
	}
	return b, nil
}

// flagOption turns "--name=value" or "--name" into a chromedp option.
func flagOption(f string) chromedp.ExecAllocatorOption {
	f = strings.TrimLeft(f, "-")
	if name, value, ok := strings.Cut(f, "="); ok {
		return chromedp.Flag(name, value)
	}
	return chromedp.Flag(f, true)
}

// ExecPath returns the path of the browser executable.
func (b *Browser) ExecPath() string { return b.execPath }

// Context returns the chromedp context of the browser's first tab. Most
// tests want NewTab instead; this is for browser-wide commands
// (chromedp.CallBrowser).
func (b *Browser) Context() context.Context { return b.ctx }

// Close stops the browser process and removes its temporary profile. It
// is safe to call more than once.
func (b *Browser) Close() error {
	b.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		err := chromedp.Cancel(ctx)
		cancel()
		b.cancel()
		b.allocCancel()
		if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			b.closeErr = fmt.Errorf("virtualauth: closing the browser: %w", err)
		}
	})
	return b.closeErr
}

// NewTab opens a tab in a fresh browser context: its own cookies, storage
// and cache, like an incognito window. The WebAuthn domain is enabled in the
// tab (with the browser UI off), so AddAuthenticator works at once.
//
// The returned context is a chromedp context for the tab: use it with
// chromedp.Do, chromedp.Run, chromedp.Call, Eval and AddAuthenticator. It
// has ctx's deadline, and it ends when ctx ends. Cancel closes the tab and
// disposes of the browser context (closing any tab NewTabIn opened in it).
func (b *Browser) NewTab(ctx context.Context) (context.Context, context.CancelFunc, error) {
	return b.newTab(ctx, chromedp.WithNewBrowserContext())
}

// NewTabIn opens another tab in the same browser context as the tab
// context tab, so both tabs share cookies and storage. WebAuthn is enabled in
// the new tab too, but virtual authenticators belong to a tab: add one to the
// new tab if it runs a ceremony. The new tab has tab's deadline and ends with
// it; cancel closes only the new tab.
func (b *Browser) NewTabIn(tab context.Context) (context.Context, context.CancelFunc, error) {
	c := chromedp.FromContext(tab)
	if c == nil || c.Target == nil {
		return nil, nil, errors.New("virtualauth: NewTabIn needs a tab context from NewTab or Tab")
	}
	if c.Browser == nil || chromedp.FromContext(b.ctx).Browser != c.Browser {
		return nil, nil, errors.New("virtualauth: NewTabIn: the tab belongs to another browser")
	}
	if c.BrowserContextID == "" {
		return nil, nil, errors.New("virtualauth: NewTabIn: the tab is in the default browser context; use a tab from NewTab")
	}
	return b.newTab(tab, chromedp.WithExistingBrowserContext(c.BrowserContextID))
}

func (b *Browser) newTab(parent context.Context, opt chromedp.ContextOption) (context.Context, context.CancelFunc, error) {
	if err := parent.Err(); err != nil {
		return nil, nil, err
	}
	if err := b.ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("virtualauth: the browser is closed: %w", err)
	}
	tctx, tcancel := chromedp.NewContext(b.ctx, opt)
	tab := tctx
	cancelDeadline := context.CancelFunc(func() {})
	dl, hasDeadline := parent.Deadline()
	if hasDeadline {
		tab, cancelDeadline = context.WithDeadline(tctx, dl)
	}
	stop := context.AfterFunc(parent, func() {
		if hasDeadline && errors.Is(parent.Err(), context.DeadlineExceeded) {
			// tab has the same deadline: let it expire by itself, so that
			// its calls fail with DeadlineExceeded and not Canceled.
			select {
			case <-tab.Done():
			case <-time.After(time.Until(dl) + time.Second):
			}
		}
		tcancel()
	})
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			stop()
			cancelDeadline()
			tcancel()
		})
	}

	// The first command creates the target and binds it to tab.
	timer := time.AfterFunc(b.timeout, tcancel)
	_, err := chromedp.Call(tab, webauthn.Enable, webauthn.EnableParams{EnableUI: new(false)})
	timedOut := !timer.Stop()
	if err != nil {
		cancel()
		if timedOut {
			err = fmt.Errorf("timed out after %v: %w", b.timeout, err)
		}
		return nil, nil, fmt.Errorf("virtualauth: opening a tab with WebAuthn enabled: %w", err)
	}
	return tab, cancel, nil
}
