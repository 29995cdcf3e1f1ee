package virtualauth

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// chromePaths are the absolute paths that FindChrome tries, in order.
var chromePaths = []string{
	"/usr/bin/chromium",
	"/usr/bin/chromium-browser",
	"/usr/bin/google-chrome",
	"/usr/bin/google-chrome-stable",
	"/snap/bin/chromium",
	"/usr/local/bin/chromium",
	"/usr/local/bin/chrome",
	"/Applications/Chromium.app/Contents/MacOS/Chromium",
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
}

// chromeNames are the program names that FindChrome looks up in $PATH.
var chromeNames = []string{
	"chromium",
	"chromium-browser",
	"google-chrome",
	"google-chrome-stable",
	"chrome",
	"headless_shell",
	"headless-shell",
}

// ErrNoChrome is the error that FindChrome wraps when it finds no browser.
var ErrNoChrome = errors.New("virtualauth: no Chromium or Chrome found")

// FindChrome returns the path of a Chromium or Chrome executable. It tries, in
// order: the environment variable CHROME_PATH, the usual install paths
// (/usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome,
// /usr/bin/google-chrome-stable, /snap/bin/chromium, the macOS application
// bundles), and then the usual program names in $PATH.
//
// A CHROME_PATH that does not name an executable file is an error: FindChrome
// does not silently fall back to another browser.
//
// The error wraps [ErrNoChrome] and says how to install a browser.
func FindChrome() (string, error) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		if found, err := exec.LookPath(p); err == nil {
			return found, nil
		}
		return "", fmt.Errorf("%w: CHROME_PATH=%q is not an executable file", ErrNoChrome, p)
	}
	for _, p := range chromePaths {
		if isExecutable(p) {
			return p, nil
		}
	}
	for _, name := range chromeNames {
		if found, err := exec.LookPath(name); err == nil {
			return found, nil
		}
	}
	return "", fmt.Errorf("%w (tried $CHROME_PATH, %s and $PATH for %s). %s",
		ErrNoChrome, strings.Join(chromePaths, ", "), strings.Join(chromeNames, ", "), installHint())
}

// installHint says how to get a browser on this operating system.
func installHint() string {
	switch runtime.GOOS {
	case "darwin":
		return "Install one with `brew install --cask chromium` (or Google Chrome), or set CHROME_PATH to the browser executable."
	default:
		return "Install one (Debian/Ubuntu: `apt-get install chromium`; Fedora: `dnf install chromium`; Alpine: `apk add chromium`), or set CHROME_PATH to the browser executable."
	}
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		return false
	}
	return runtime.GOOS == "windows" || fi.Mode()&0o111 != 0
}
