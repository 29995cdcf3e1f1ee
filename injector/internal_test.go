package injector

import (
	"html/template"
	"testing"
)

// The tests that run through the exported API are in package injector_test, with the
// table and helpers of internal/injectortest (shared with module ginpasskeys, which
// imports injector: package injector's own tests cannot import it).

func TestInlineEscape(t *testing.T) {
	if got := escapeScript([]byte(`a="</SCRIPT><!--";b='</scripts'`)); got != `a="<\/SCRIPT><\!--";b='<\/scripts'` {
		t.Errorf("%s", got)
	}
}

// TestDefaultTag: the tag injectortest expects (Tag with the zero Options) is the one
// the middleware injects.
func TestDefaultTag(t *testing.T) {
	if got, want := Tag(Options{}, nil), template.HTML(newConfig(Options{}).tag); got != want {
		t.Errorf("Tag\n got %s\nwant %s", got, want)
	}
}
