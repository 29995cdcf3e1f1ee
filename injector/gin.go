package injector

import (
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// ginWriter is the writer as a gin.ResponseWriter.
type ginWriter struct {
	writer
	g gin.ResponseWriter
}

var ginWriterPool = sync.Pool{New: func() any { return new(ginWriter) }}

var _ gin.ResponseWriter = (*ginWriter)(nil)

// Status implements gin.ResponseWriter.
func (w *ginWriter) Status() int { return w.g.Status() }

// Size implements gin.ResponseWriter: the bytes written to the wrapped writer.
func (w *ginWriter) Size() int { return w.g.Size() }

// Written implements gin.ResponseWriter; bytes held back count as written.
func (w *ginWriter) Written() bool { return w.g.Written() || w.nheld > 0 }

// WriteHeaderNow implements gin.ResponseWriter.
func (w *ginWriter) WriteHeaderNow() {
	if w.state == stNew {
		w.commit(nil, true)
	}
	w.g.WriteHeaderNow()
}

// Pusher implements gin.ResponseWriter.
func (w *ginWriter) Pusher() http.Pusher { return w.g.Pusher() }

// CloseNotify implements http.CloseNotifier for gin.ResponseWriter.
//
// Deprecated: use the request's context.
func (w *ginWriter) CloseNotify() <-chan bool { return w.g.CloseNotify() }
