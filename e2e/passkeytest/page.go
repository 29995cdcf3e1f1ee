package passkeytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Page is one browser tab of a scenario, on the app, with a virtual authenticator. The
// hooks of App get it.
type Page struct {
	ctx  context.Context
	auth *virtualauth.Authenticator
	url  string
	keep bool // Open keeps the page it is on (a scenario running two ceremonies in it)
}

// Context is the tab's chromedp context, for chromedp.Run and virtualauth.Eval.
func (p *Page) Context() context.Context { return p.ctx }

// Authenticator is the tab's virtual authenticator.
func (p *Page) Authenticator() *virtualauth.Authenticator { return p.auth }

// URL is the app's origin (http://localhost:PORT).
func (p *Page) URL() string { return p.url }

// Goto loads path (or an absolute URL) and waits until it has loaded.
func (p *Page) Goto(path string) error {
	u := path
	if !strings.Contains(path, "://") {
		u = p.url + path
	}
	if err := chromedp.Do(p.ctx, chromedp.Navigate(u)); err != nil {
		return fmt.Errorf("loading %s: %w", u, err)
	}
	return nil
}

// Open loads path, as Goto, for a hook about to start a ceremony, unless a scenario asked
// to keep the page the tab shows (to run a second ceremony beside a pending one): then
// it does nothing if the tab is already at path.
func (p *Page) Open(path string) error {
	if p.keep {
		var here string
		if err := p.Eval(`location.pathname + location.search`, &here); err == nil && here == path {
			return nil
		}
	}
	return p.Goto(path)
}

// Eval evaluates a JavaScript expression in the page (awaiting a promise) and decodes its
// value into out (nil drops it). See virtualauth.Eval.
func (p *Page) Eval(js string, out any) error { return virtualauth.Eval(p.ctx, js, out) }

// Fill sets the value of the field that selector (CSS) finds, as typing would.
func (p *Page) Fill(selector, value string) error {
	var ok bool
	err := p.Eval(`(() => { const el = document.querySelector(`+jsString(selector)+`); if (!el) return false;
		el.focus(); el.value = `+jsString(value)+`;
		el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true}));
		return true; })()`, &ok)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no element %s on %s", selector, p.where())
	}
	return nil
}

// Click clicks the element that selector finds.
func (p *Page) Click(selector string) error {
	var ok bool
	if err := p.Eval(`(() => { const el = document.querySelector(`+jsString(selector)+`); if (!el) return false; el.click(); return true; })()`, &ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no element %s on %s", selector, p.where())
	}
	return nil
}

// ClickAndLoad clicks the element that selector finds and waits until the page it leads
// to (a form post, a script's location.assign or reload) has loaded.
func (p *Page) ClickAndLoad(selector string) error {
	return p.Navigating(func() error { return p.Click(selector) })
}

// Navigating runs act, which makes the tab load another document (submits a form,
// clicks a link), and waits until that document has loaded.
func (p *Page) Navigating(act func() error) error {
	if err := p.Eval(`window.__pktOld = true`, nil); err != nil {
		return err
	}
	if err := act(); err != nil {
		return err
	}
	return p.WaitFor(`!window.__pktOld && document.readyState === "complete"`, 15*time.Second)
}

// WaitFor polls the JavaScript expression cond until it is true, for at most d. Errors
// of the evaluation (the page is changing) count as false.
func (p *Page) WaitFor(cond string, d time.Duration) error {
	deadline := time.Now().Add(d)
	var ok bool
	var err error
	for {
		ok = false
		if err = p.Eval(`!!(`+cond+`)`, &ok); err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) || p.ctx.Err() != nil {
			if err == nil {
				err = errors.New("still false")
			}
			return fmt.Errorf("waiting %v for %s on %s: %v", d, cond, p.where(), err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Text returns the text of the page's body.
func (p *Page) Text() (string, error) {
	var s string
	err := p.Eval(`document.body ? document.body.innerText : ""`, &s)
	return s, err
}

// where describes the page for messages.
func (p *Page) where() string {
	var href string
	if err := p.Eval(`location.href`, &href); err != nil {
		return "the page"
	}
	return href
}

// clearCookies deletes the cookies of the tab's browser context.
func (p *Page) clearCookies() error {
	if _, err := chromedp.Call(p.ctx, network.ClearBrowserCookies, struct{}{}); err != nil {
		return fmt.Errorf("clearing cookies: %w", err)
	}
	return nil
}

// Form returns a SignUp or SignIn hook for a plain HTML form: it loads path, fills the
// field that usernameField (CSS) finds with the username and, if passwordField is not
// "", the password field with Password, submits the username field's form, and waits
// for the next page.
func Form(path, usernameField, passwordField string) func(p *Page, username string) error {
	return func(p *Page, username string) error {
		if err := p.Goto(path); err != nil {
			return err
		}
		if err := p.Fill(usernameField, username); err != nil {
			return err
		}
		if passwordField != "" {
			if err := p.Fill(passwordField, Password); err != nil {
				return err
			}
		}
		return p.Navigating(func() error {
			var ok bool
			if err := p.Eval(`(() => { const f = document.querySelector(`+jsString(usernameField)+`).form; if (!f) return false;
				f.requestSubmit(); return true; })()`, &ok); err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%s on %s is in no form", usernameField, p.where())
			}
			return nil
		})
	}
}

// Bridge runs a call of window.chirp.passkeys (a JavaScript expression, such as
// `window.chirp.passkeys.registerWith({begin: "/b", finish: "/f"})`) in the page and
// returns how it ended, for Register and Authenticate hooks.
func (p *Page) Bridge(call string) (Outcome, error) {
	var res bridgeResult
	if err := p.Eval(outcomeJS(call), &res); err != nil {
		return Outcome{}, err
	}
	return res.outcome(), nil
}

// bridgeResult is what outcomeJS resolves to.
type bridgeResult struct {
	OK     bool            `json:"ok"`
	Result json.RawMessage `json:"result"`
	Err    *struct {
		Reason     string `json:"passkeyReason"`
		Code       string `json:"code"`
		Status     int    `json:"status"`
		ServerCode string `json:"serverCode"`
		Message    string `json:"message"`
		Name       string `json:"name"`
	} `json:"err"`
}

func (b *bridgeResult) outcome() Outcome {
	if b.OK {
		o := Outcome{OK: true}
		var res struct {
			Redirect string `json:"redirect"`
		}
		_ = json.Unmarshal(b.Result, &res)
		o.Redirect = res.Redirect
		return o
	}
	if b.Err == nil {
		return Outcome{Reason: "failed", Message: "the call did not settle"}
	}
	e := b.Err
	o := Outcome{Reason: e.Reason, Code: e.Code, Status: e.Status, ServerCode: e.ServerCode, Message: e.Message}
	if o.Reason == "" { // not a PasskeyError
		o.Reason, o.Code = "failed", e.Name
	}
	return o
}

// outcomeJS wraps a promise expression so that it resolves to {ok, result} or {err}.
func outcomeJS(call string) string {
	return `(async () => { try { return {ok: true, result: (await (` + call + `)) ?? null}; } catch (e) {
		return {ok: false, err: {name: String(e && e.name), passkeyReason: e && e.passkeyReason, code: e && e.code,
			status: e && e.status, serverCode: e && e.serverCode, message: String(e && e.message)}}; } })()`
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// watchJS runs in every document of the suite's tabs before the page's scripts. It wraps
// window.fetch to record the finish requests (a JSON body with clientDataJSON) and the
// last begin answer (JSON with a challenge) in sessionStorage, to hold finishes back
// (localStorage pkt-hold) or until N begins happened in the browser (localStorage
// pkt-gate), and counts the calls of navigator.credentials.get and create.
const watchJS = `(() => {
	if (window.__pkt) return;
	const orig = window.fetch.bind(window);
	const P = window.__pkt = {fetch: orig, gets: 0, creates: 0, id: Math.random().toString(36).slice(2)};
	const hdrs = (h) => { const o = {}; try { new Headers(h || {}).forEach((v, k) => { o[k] = v; }); } catch (e) {} return o; };
	const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
	const begun = () => Object.keys(localStorage).filter((k) => k.startsWith("pkt-begun-")).length;
	// A synced passkey counts nothing: the registration's counter is set to 0 (possible
	// with attestation "none" only, whose authenticator data nothing signs).
	const b64d = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
	const b64e = (b) => btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
	const find = (b, pat) => { outer: for (let i = 0; i + pat.length <= b.length; i++) { for (let j = 0; j < pat.length; j++) if (b[i + j] !== pat[j]) continue outer; return i; } return -1; };
	const bytes = (s) => Array.from(s, (c) => c.charCodeAt(0));
	const zeroCounter = (body) => {
		const j = JSON.parse(body), r = j.response || {};
		const att = b64d(r.attestationObject);
		if (find(att, [0x63, ...bytes("fmt"), 0x64, ...bytes("none")]) < 0) return body;
		let i = find(att, [0x68, ...bytes("authData")]);
		if (i < 0) return body;
		i += 9;
		const start = att[i] === 0x58 ? i + 2 : att[i] === 0x59 ? i + 3 : -1;
		if (start < 0) return body;
		att.fill(0, start + 33, start + 37);
		r.attestationObject = b64e(att);
		if (r.authenticatorData) { const ad = b64d(r.authenticatorData); ad.fill(0, 33, 37); r.authenticatorData = b64e(ad); }
		P.zeroed = (P.zeroed || 0) + 1;
		return JSON.stringify(j);
	};
	window.fetch = async function (input, init) {
		const url = new URL(input instanceof Request ? input.url : String(input), location.href).href;
		let body = init && typeof init.body === "string" ? init.body : null;
		const finish = body !== null && body.includes('"clientDataJSON"');
		if (finish && body.includes('"attestationObject"') && localStorage.getItem("pkt-synced") === "1") {
			body = zeroCounter(body);
			init = Object.assign({}, init, {body});
		}
		if (finish) {
			const list = JSON.parse(sessionStorage.getItem("pkt-finishes") || "[]");
			list.push({url, body, headers: hdrs(init.headers)});
			sessionStorage.setItem("pkt-finishes", JSON.stringify(list));
			if (localStorage.getItem("pkt-hold") === "1") throw new TypeError("passkeytest: finish held back");
			const gate = Number(localStorage.getItem("pkt-gate") || 0);
			const until = Date.now() + 10000;
			while (gate && begun() < gate && Date.now() < until) await sleep(10);
		}
		const res = await orig(input, init);
		if (!finish) {
			try {
				const j = await res.clone().json();
				if (j && typeof j.challenge === "string") {
					sessionStorage.setItem("pkt-begin", JSON.stringify(j));
					if (localStorage.getItem("pkt-gate")) localStorage.setItem("pkt-begun-" + P.id + "-" + Math.random(), "1");
				}
			} catch (e) {}
		}
		return res;
	};
	const c = navigator.credentials;
	if (c) {
		const get = c.get.bind(c), create = c.create.bind(c);
		c.get = (o) => {
			P.gets++;
			if (P.stallNext) {
				// This request waits, as for a person who does not answer, until its signal
				// aborts it (as a browser rejects: with the signal's reason).
				P.stallNext = false;
				const signal = o && o.signal;
				return new Promise((_, reject) => {
					if (signal) signal.addEventListener("abort", () => reject(signal.reason ?? new DOMException("aborted", "AbortError")));
				});
			}
			return get(o);
		};
		c.create = (o) => { P.creates++; return create(o); };
	}
})();`

// newPage opens a tab in a fresh browser context, with the watch script and a virtual
// authenticator (the default: a platform passkey authenticator with user verification).
func (r *run) newPage() *Page {
	r.t.Helper()
	tab := virtualauth.Tab(r.t)
	return r.setUp(tab)
}

// pageIn opens another tab in p's browser context (shared cookies and storage), with an
// authenticator of its own.
func (r *run) pageIn(p *Page) *Page {
	r.t.Helper()
	return r.setUp(virtualauth.TabIn(r.t, p.ctx))
}

func (r *run) setUp(tab context.Context) *Page {
	r.t.Helper()
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchJS}); err != nil {
		r.t.Fatalf("passkeytest: adding the watch script: %v", err)
	}
	auth, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{})
	if err != nil {
		r.t.Fatalf("passkeytest: %v", err)
	}
	p := &Page{ctx: tab, auth: auth, url: r.url}
	r.mu.Lock()
	r.pages = append(r.pages, p)
	r.mu.Unlock()
	return p
}

// captured is a finish request recorded by watchJS.
type captured struct {
	URL     string            `json:"url"`
	Body    string            `json:"body"`
	Headers map[string]string `json:"headers"`
}

// answer is what a request sent by resend got.
type answer struct {
	Status int             `json:"status"`
	JSON   json.RawMessage `json:"json"`
}

func (a answer) String() string {
	if len(a.JSON) > 0 && string(a.JSON) != "null" {
		return fmt.Sprintf("%d %s", a.Status, a.JSON)
	}
	return fmt.Sprint(a.Status)
}

// resend sends a recorded finish request again from the page p shows, with its headers,
// except the CSRF header, which gets the page's own token (<meta name="csrf-token">),
// as the bridge sends it.
func (p *Page) resend(c captured) (answer, error) {
	var a answer
	err := p.Eval(`(async () => {
		const c = `+mustJSON(c)+`;
		const h = Object.assign({}, c.headers);
		const meta = document.querySelector('meta[name="csrf-token"]');
		for (const k of Object.keys(h)) if (k.toLowerCase() === "x-csrf-token") delete h[k];
		if (meta && meta.content) h["X-CSRF-Token"] = meta.content;
		const f = (window.__pkt && window.__pkt.fetch) || fetch;
		const r = await f(c.url, {method: "POST", credentials: "same-origin", headers: h, body: c.body});
		return {status: r.status, json: await r.json().catch(() => null)};
	})()`, &a)
	return a, err
}

// post sends a same-origin JSON POST from the page, with the CSRF header set to csrf when
// withToken (the page's token when csrf is "").
func (p *Page) post(path, body string, withToken bool, csrf string) (answer, error) {
	var a answer
	err := p.Eval(`(async () => {
		const h = {"Content-Type": "application/json", "Accept": "application/json"};
		if (`+fmt.Sprint(withToken)+`) {
			let tok = `+jsString(csrf)+`;
			if (!tok) { const m = document.querySelector('meta[name="csrf-token"]'); tok = m ? m.content : ""; }
			h["X-CSRF-Token"] = tok;
		}
		const f = (window.__pkt && window.__pkt.fetch) || fetch;
		const r = await f(`+jsString(path)+`, {method: "POST", credentials: "same-origin", headers: h, body: `+jsString(body)+`});
		return {status: r.status, json: await r.json().catch(() => null)};
	})()`, &a)
	return a, err
}

// finishes returns the finish requests recorded in this tab (for the app's origin).
func (p *Page) finishes() ([]captured, error) {
	var s string
	if err := p.Eval(`sessionStorage.getItem("pkt-finishes") || "[]"`, &s); err != nil {
		return nil, err
	}
	var out []captured
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

// lastBegin returns the last begin answer recorded in this tab.
func (p *Page) lastBegin() (map[string]any, error) {
	var s string
	if err := p.Eval(`sessionStorage.getItem("pkt-begin") || "null"`, &s); err != nil {
		return nil, err
	}
	var out map[string]any
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
