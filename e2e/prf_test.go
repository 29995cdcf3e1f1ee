package e2e

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
)

// prfJS registers a passkey with the prf extension and signs in three times with PRF
// salts, through the bridge's register / authenticate (no server: the test is about
// what the bridge makes of Chromium's outputs).
const prfJS = `
const pk = window.chirp.passkeys;
const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const rnd = (n) => b64(crypto.getRandomValues(new Uint8Array(n)));
const s1 = b64(new TextEncoder().encode("chirp salt one")), s2 = b64(new TextEncoder().encode("chirp salt two"));
const reg = await pk.register({challenge: rnd(32), rp: {name: "prf", id: "localhost"},
	user: {id: rnd(16), name: "ada", displayName: "Ada"}, pubKeyCredParams: [{type: "public-key", alg: -7}, {type: "public-key", alg: -257}],
	authenticatorSelection: {residentKey: "required", userVerification: "required"}, extensions: {prf: {}}});
const get = (ev, opts) => pk.authenticate({challenge: rnd(32), rpId: "localhost", userVerification: "required",
	extensions: {prf: {eval: ev}}}, opts);
const both = await get({first: s1, second: s2}), again = await get({first: s1}), other = await get({first: s2});
const sent = await get({first: s1}, {sendPrf: true});
const bytes = (u) => u instanceof Uint8Array ? Array.from(u) : null;
return {
	enabled: reg.clientExtensionResults.prf?.enabled ?? null,
	first: bytes(both.prf?.first), second: bytes(both.prf?.second),
	again: bytes(again.prf?.first), other: bytes(other.prf?.first), onlyFirstHasSecond: "second" in (again.prf ?? {}),
	json: JSON.stringify(both), sentJSON: JSON.stringify(sent.clientExtensionResults), sentFirst: sent.prf ? b64(sent.prf.first) : null, hasPrf: [both, again, other, sent].map((r) => "prf" in r),
};
`

// prfResult is what prfJS returns.
type prfResult struct {
	Enabled            *bool  `json:"enabled"`
	FirstA             []int  `json:"first"`
	SecondA            []int  `json:"second"`
	AgainA             []int  `json:"again"`
	OtherA             []int  `json:"other"`
	OnlyFirstHasSecond bool   `json:"onlyFirstHasSecond"`
	JSON               string `json:"json"`
	SentJSON           string `json:"sentJSON"`
	SentFirst          string `json:"sentFirst"`
	HasPRF             []bool `json:"hasPrf"`
}

// TestPRFOutputsStayInThePage: Chromium's virtual authenticator evaluates PRF
// (VirtualAuthenticatorOptions.hasPrf; the default ctap2 version is enough); the bridge hands the outputs to the page
// as bytes, leaves them out of the credential JSON, and puts them in with sendPrf.
func TestPRFOutputsStayInThePage(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, _ := signalTab(t, a, virtualauth.AuthenticatorOptions{PRF: true})
	var res prfResult
	evalJS(t, tab, prfJS, &res)
	if res.Enabled == nil || !*res.Enabled {
		t.Fatalf("registration: prf.enabled = %v, want true", res.Enabled)
	}
	first, second, again, other := toBytes(res.FirstA), toBytes(res.SecondA), toBytes(res.AgainA), toBytes(res.OtherA)
	if len(first) != 32 || len(second) != 32 {
		t.Fatalf("PRF outputs of %d and %d bytes, want 32 and 32 (Uint8Array)", len(first), len(second))
	}
	if bytes.Equal(first, second) {
		t.Fatal("two salts gave the same output")
	}
	if !bytes.Equal(first, again) || !bytes.Equal(second, other) {
		t.Fatal("PRF outputs are not a function of the salt")
	}
	if res.OnlyFirstHasSecond {
		t.Error("one salt, yet prf.second is set")
	}
	if strings.Contains(res.JSON, `"results"`) || !strings.Contains(res.JSON, `"prf":{}`) {
		t.Errorf("the credential JSON (what is POSTed) = %s, want prf without results", res.JSON)
	}
	if !strings.Contains(res.SentJSON, `"results":{"first":"`+res.SentFirst+`"`) {
		t.Errorf("sendPrf: clientExtensionResults = %s, want the first output %s", res.SentJSON, res.SentFirst)
	}
}

func toBytes(a []int) []byte {
	b := make([]byte, len(a))
	for i, v := range a {
		b[i] = byte(v)
	}
	return b
}

// TestPRFWithoutSupport: an authenticator without PRF: no outputs, no prf member on the
// results, and the JSON is what the browser made of it.
func TestPRFWithoutSupport(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, _ := signalTab(t, a, virtualauth.AuthenticatorOptions{})
	var res prfResult
	evalJS(t, tab, prfJS, &res)
	if res.Enabled != nil && *res.Enabled {
		t.Errorf("prf.enabled = true without PRF support")
	}
	for i, has := range res.HasPRF {
		if has {
			t.Errorf("sign-in %d: the result has a prf member without PRF outputs", i)
		}
	}
	if strings.Contains(res.JSON, `"results"`) || res.SentFirst != "" {
		t.Errorf("PRF results out of nowhere: %s / %q", res.JSON, res.SentFirst)
	}
}
