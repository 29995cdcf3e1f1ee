package injector

import (
	"bytes"
	"html"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/chirpkit/passkeys/bridge"
)

// DefaultPath is where the bridge script is served when Options.Path is empty.
const DefaultPath = "/_chirp/passkeys.js"

// Marker is the attribute every tag rendered by this package carries. A page
// that already contains it (byte for byte, before its closing body tag) is
// left alone, so templates that call [Tag] are not injected twice.
const Marker = `data-chirp="passkeys"`

// Options configures [Middleware], [NewAdapter] (and so ginpasskeys.Middleware),
// [Handler] and [Tag]. The zero value is ready to use.
type Options struct {
	// Path is the URL path the bridge script is served at, and the src of the
	// injected tag. Default [DefaultPath]. Apps mounted below a prefix set the
	// full path as the browser sees it.
	Path string

	// Inline puts the script itself into the page (<script data-chirp=...>JS</script>)
	// instead of a <script src> tag: no second request, no integrity attribute.
	// The script is still served at Path.
	Inline bool

	// Nonce, when set, returns the CSP nonce for the request; it is written,
	// HTML-attribute-escaped, as nonce="…" on the tag. An empty result omits
	// the attribute.
	Nonce func(r *http.Request) string

	// Statuses lists the status codes whose HTML responses get the tag.
	// Default {200}. 1xx, 204, 206 and 304 are never injected.
	Statuses []int

	// InjectHTMXPartials also injects into htmx requests (HX-Request: true
	// without HX-Boosted: true). By default those partial responses are left
	// alone.
	InjectHTMXPartials bool
}

// config is Options resolved once, with the tags prepared.
type config struct {
	path      string
	inline    bool
	nonce     func(*http.Request) string
	statuses  []int
	htmx      bool
	tag       []byte // complete tag without nonce
	tagStart  []byte // tag up to the place of the nonce attribute
	tagEnd    []byte // rest of the tag after the nonce attribute
	scriptURL string
	assets    *assets
}

func newConfig(o Options) *config {
	c := &config{
		path:     o.Path,
		inline:   o.Inline,
		nonce:    o.Nonce,
		statuses: slices.Clone(o.Statuses),
		htmx:     o.InjectHTMXPartials,
	}
	if c.path == "" {
		c.path = DefaultPath
	}
	if len(c.statuses) == 0 {
		c.statuses = []int{http.StatusOK}
	}
	c.scriptURL = c.path + "?v=" + bridge.Version()
	c.assets = newAssets()
	if c.inline {
		c.tagStart = []byte(`<script`)
		c.tagEnd = []byte(" " + Marker + ">" + inlineScript() + "</script>")
	} else {
		c.tagStart = []byte(`<script src="` + html.EscapeString(c.scriptURL) +
			`" integrity="` + html.EscapeString(bridge.Integrity()) + `"`)
		c.tagEnd = []byte(" " + Marker + " defer></script>")
	}
	c.tag = append(slices.Clip(c.tagStart), c.tagEnd...)
	return c
}

// inlineScript returns the script made safe for a <script> element: every
// "</script" (any case) becomes "<\/script" and "<!--" becomes "<\!--", which
// JavaScript reads the same inside strings, templates and regular
// expressions, where a minifier leaves them.
func inlineScript() string { return escapeScript(bridge.Script()) }

func escapeScript(s []byte) string {
	if !bytes.Contains(s, []byte("<")) {
		return string(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '<' && i+1 < len(s) {
			if s[i+1] == '/' && hasFoldPrefix(s[i+2:], "script") {
				b.WriteString(`<\/`)
				i++
				continue
			}
			if bytes.HasPrefix(s[i+1:], []byte("!--")) {
				b.WriteString(`<\!`)
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func hasFoldPrefix(s []byte, lower string) bool {
	if len(s) < len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		if s[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// tagFor returns the tag for r: the prepared one, or one with r's nonce.
func (c *config) tagFor(r *http.Request) []byte {
	if c.nonce == nil || r == nil {
		return c.tag
	}
	n := c.nonce(r)
	if n == "" {
		return c.tag
	}
	n = html.EscapeString(n)
	b := make([]byte, 0, len(c.tagStart)+len(` nonce=""`)+len(n)+len(c.tagEnd))
	b = append(b, c.tagStart...)
	b = append(b, ` nonce="`...)
	b = append(b, n...)
	b = append(b, '"')
	return append(b, c.tagEnd...)
}

func (c *config) injectStatus(code int) bool {
	switch {
	case code < 200, code == http.StatusNoContent, code == http.StatusPartialContent,
		code == http.StatusNotModified:
		return false
	}
	for _, s := range c.statuses {
		if s == code {
			return true
		}
	}
	return false
}

// Tag renders the script tag the middleware injects, for apps that place it in
// their own templates (a page that contains it is not injected again). r
// supplies the nonce when Options.Nonce is set; it may be nil otherwise.
//
// Tag prepares the options on every call; templates rendering many pages
// should keep the result of [NewTagger] instead.
func Tag(opts Options, r *http.Request) template.HTML {
	return NewTagger(opts)(r)
}

// NewTagger prepares opts once and returns a function that renders the tag
// for a request, as [Tag] does.
func NewTagger(opts Options) func(r *http.Request) template.HTML {
	c := newConfig(opts)
	return func(r *http.Request) template.HTML {
		return template.HTML(c.tagFor(r))
	}
}
