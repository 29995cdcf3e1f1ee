package main

import (
	"net/http/httptest"
	"testing"

	"github.com/chirpkit/passkeys/examples/internal/memapp/memapptest"
	"github.com/chirpkit/passkeys/internal/testapp"
)

func TestChi(t *testing.T) {
	h, err := newHandler(testapp.Origin)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	memapptest.Run(t, srv.URL, "Passkeys on chi")
}
