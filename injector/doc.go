// Package injector serves the passkeys bridge script and injects its
// <script> tag into the HTML pages of a Go web app, as net/http middleware
// ([Middleware]). Gin apps use ginpasskeys.Middleware, from the module
// github.com/chirpkit/passkeys/ginpasskeys (so that apps on net/http never download
// gin), built on this package's [Adapter]: one implementation is behind both.
//
// The script is served at Options.Path (default [DefaultPath]) for GET and
// HEAD, with an ETag, 304 on If-None-Match, a one-year immutable cache policy
// for the versioned URL (?v=<hash>), no-cache for the plain one, and the gzip
// (and brotli) variants prepared by package bridge at go generate time.
//
// The tag
//
//	<script src="/_chirp/passkeys.js?v=<hash>" integrity="sha384-…" data-chirp="passkeys" defer></script>
//
// goes before the first "</body" (any letter case, followed by '>', '/' or
// whitespace) of a response that is:
//
//   - text/html, or has no Content-Type and sniffs as HTML
//     (http.DetectContentType on the first write, up to 512 bytes);
//   - of a status in Options.Statuses (default 200; never 1xx, 204, 206, 304);
//   - not for a HEAD request, not an htmx partial (HX-Request without
//     HX-Boosted, unless Options.InjectHTMXPartials);
//   - without Content-Encoding or Content-Range: place compression middleware
//     outside (around) this one, so that it sees the plain page;
//   - without data-chirp="passkeys" before its "</body" (a page rendering
//     [Tag] itself).
//
// Everything else passes through untouched, as do hijacked connections.
// For an HTML response the decision is taken when the headers are written,
// before anyone knows whether a "</body>" will come, so Content-Length is
// removed (the response is chunked or delimited by the connection close), and
// ETag and Accept-Ranges are dropped; Content-Length is never increased
// speculatively. Last-Modified is kept.
//
// The writer does not buffer the page: each write of the handler becomes one
// write to the wrapped writer as it comes (no extra writes, which would cost
// net/http extra chunks), holding back at most 6 bytes when a write ends with
// a possible start of "</body"; those are joined to the next write. Flush
// writes them too, so a streamed page reaches the client as it is flushed (a
// "</body>" split by a Flush is not recognized). Memory per response is a
// struct of about 100 bytes (not pooled: a router may write through it after the
// handler returned, and it then passes writes through), plus a pooled 32 KiB
// buffer while a write is joined.
//
// The tag goes before the first "</body" seen, not the last one of the
// document (which a stream cannot know); a "</body>" inside a comment or a
// script before the real one takes the tag. The wrapper implements http.Flusher, http.Hijacker,
// io.ReaderFrom, io.StringWriter and Unwrap (for http.ResponseController);
// under a router adapter (ginpasskeys) it is a [RouterWriter], which is a
// gin.ResponseWriter, and the adapter restores c.Writer before gin writes its
// own 404/405 bodies.
//
// # Performance
//
// The injector allocates nothing per request, whatever the size of the page, and
// its cost is the scan, which looks for the byte 'y' (in both "</body" and the
// marker) with bytes.IndexByte. The benchmarks are in bench_test.go (make bench);
// their figures, against no middleware and a naive buffer-and-replace one, are
// in one place: the Performance table of the repository's README.
package injector
