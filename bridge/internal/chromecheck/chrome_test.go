//go:build chrome

package chromecheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/bridge"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// The script is included twice: the second copy must keep the first instance.
const page = `<!doctype html><html><head><meta name="csrf-token" content="tok"></head><body>
<script src="/b.js"></script><script>window.first = window.chirp.passkeys</script><script src="/b.js"></script></body></html>`

const script = `(async () => {
  const P = window.chirp.passkeys, out = {};
  const b64 = (a) => btoa(String.fromCharCode(...a)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const ch = (n) => b64(new Array(16).fill(n));
  const reg = (extra = {}) => ({ publicKey: { rp: { name: "x", id: "localhost" }, user: { id: b64([1, 2, 3]), name: "ann", displayName: "Ann" },
    challenge: ch(5), pubKeyCredParams: [{ type: "public-key", alg: -7 }], authenticatorSelection: { residentKey: "required", userVerification: "required" },
    timeout: 60000, ...extra } });
  const res = async (p) => { try { await p; return "ok"; } catch (e) { return (e instanceof P.PasskeyError ? "" : "NOT-PE:") + e.passkeyReason + "/" + e.code; } };
  out.same = window.first === P;
  out.caps = (await P.capabilities()).conditionalGet === true;
  out.cond = await P.isConditionalSupported();
  const cred = await P.register(reg());
  out.regKeys = Object.keys(cred.response).sort().join(",");
  out.dup = await res(P.register(reg({ excludeCredentials: [{ type: "public-key", id: cred.rawId }] })));
  out.mismatch = await res(P.register(reg({ rp: { name: "x", id: "example.com" } })));
  const a = await P.authenticate({ challenge: ch(1), rpId: "localhost", userVerification: "required", extensions: null, hints: null });
  out.authSame = a.id === cred.id && a.rawId === cred.rawId;
  out.authKeys = Object.keys(a.response).sort().join(",");
  out.unknownCred = await res(P.authenticate({ challenge: ch(2), allowCredentials: [{ type: "public-key", id: b64([9, 9, 9]) }] }));
  out.conditional = (await P.authenticate({ publicKey: { challenge: ch(3), rpId: "localhost" }, mediation: "conditional" })).id === cred.id;
  out.abortPre = await res(P.authenticate({ challenge: ch(4) }, { signal: AbortSignal.abort() }));
  const s1 = res(P.register(reg())), s2 = res(P.register(reg()));
  out.super = [await s1, await s2].join(" ");
  out.badOptions = await res(P.register({ publicKey: { challenge: "x" } }));
  out.badChallenge = await res(P.authenticate({ challenge: "###" }));
  return JSON.stringify(out);
})()`

var want = map[string]any{
	"same":         true,
	"caps":         true,
	"cond":         true,
	"regKeys":      "attestationObject,authenticatorData,clientDataJSON,publicKey,publicKeyAlgorithm,transports",
	"dup":          "duplicate/excluded_credential",
	"mismatch":     "misconfigured/rp_id_mismatch",
	"authSame":     true,
	"authKeys":     "authenticatorData,clientDataJSON,signature,userHandle",
	"unknownCred":  "cancelled/user_cancelled",
	"conditional":  true,
	"abortPre":     "cancelled/aborted",
	"super":        "cancelled/superseded ok",
	"badOptions":   "misconfigured/bad_options",
	"badChallenge": "misconfigured/bad_options",
}

func TestBridgeInChromium(t *testing.T) {
	exe := os.Getenv("CHROMIUM")
	if exe == "" {
		exe = "/usr/bin/chromium"
	}
	if _, err := os.Stat(exe); err != nil {
		t.Skipf("no chromium: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/b.js" {
			w.Header().Set("Content-Type", "text/javascript")
			w.Write(bridge.Script())
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, page)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	// localhost, never 127.0.0.1: Chromium rejects IP addresses as RP IDs.
	url := fmt.Sprintf("http://localhost:%d/", ln.Addr().(*net.TCPAddr).Port)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}}); err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(res), &got); err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
}
