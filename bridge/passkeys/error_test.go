package passkeys

import (
	"errors"
	"fmt"
	"testing"

	"github.com/chirpkit/passkeys/internal/codes"
)

func TestSentinels(t *testing.T) {
	sentinels := map[Reason]error{
		ReasonCancelled: ErrCancelled, ReasonDuplicate: ErrDuplicate, ReasonMisconfigured: ErrMisconfigured,
		ReasonUnsupported: ErrUnsupported, ReasonFailed: ErrFailed,
	}
	for _, info := range codeTable {
		code := info.code
		err := fmt.Errorf("wrapped: %w", NewError(code, CeremonyRegister))
		for reason, sentinel := range sentinels {
			if got := errors.Is(err, sentinel); got != (reason == info.reason) {
				t.Errorf("errors.Is(%s, Err(%s)) = %v", code, reason, got)
			}
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != code || e.Reason != info.reason || e.Retryable != info.retryable {
			t.Errorf("errors.As(%s) = %+v", code, e)
		}
		if !errors.Is(err, &Error{Code: code}) {
			t.Errorf("errors.Is(%s, &Error{Code}) = false", code)
		}
	}
	if errors.Is(NewError(CodeTimeout, CeremonyRegister), &Error{Code: CodeAborted}) {
		t.Error("timeout matches aborted")
	}
	if errors.Is(errors.New("other"), ErrCancelled) {
		t.Error("plain error matches ErrCancelled")
	}
}

func TestCodes(t *testing.T) {
	cases := []struct {
		code      Code
		reason    Reason
		retryable bool
	}{
		{CodeUserCancelled, ReasonCancelled, true},
		{CodeSuperseded, ReasonCancelled, false},
		{CodeExcludedCredential, ReasonDuplicate, false},
		{CodeRPIDMismatch, ReasonMisconfigured, false},
		{CodeNoWebAuthn, ReasonUnsupported, false},
		{CodeServerRejected, ReasonFailed, true},
		{CodeSignalRefused, ReasonMisconfigured, false},
	}
	for _, c := range cases {
		if e := NewError(c.code, CeremonyAuthenticate); e.Reason != c.reason || e.Retryable != c.retryable {
			t.Errorf("%s: %s retryable=%v, want %s %v", c.code, e.Reason, e.Retryable, c.reason, c.retryable)
		}
	}
	// The table is internal/codes' list, in its order.
	if len(codeTable) != len(codes.BridgeCodes) {
		t.Fatalf("%d codes, internal/codes has %d", len(codeTable), len(codes.BridgeCodes))
	}
	for i, c := range codes.BridgeCodes {
		if got := codeTable[i]; string(got.code) != c.Name || string(got.reason) != c.Reason || got.retryable != c.Retryable {
			t.Errorf("codeTable[%d] = %+v, internal/codes has %+v", i, got, c)
		}
	}
	if e := NewError(CodeSignalRefused, CeremonySignal); e.Error() != "passkeys: signal: misconfigured (signal_refused)" {
		t.Errorf("signal error: %q", e.Error())
	}
	if e := NewError("nonsense", CeremonyRegister); e.Reason != ReasonFailed || !e.Retryable {
		t.Errorf("unknown code: %+v", e)
	}
	if ServerCodeChallengeMissing != "challenge_missing" || ServerCodeInternal != "internal_error" {
		t.Error("server codes")
	}
}

func TestErrorString(t *testing.T) {
	e := NewError(CodeServerRejected, CeremonyRegister)
	e.Status, e.ServerCode, e.ServerMessage = 400, ServerCodeChallengeMissing, "Start again."
	if got, want := e.Error(), "passkeys: register: failed (server_rejected): 400 challenge_missing: Start again."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e.ServerMessage = ""
	if got, want := e.Error(), "passkeys: register: failed (server_rejected): 400 challenge_missing"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := ErrDuplicate.Error(), "passkeys: duplicate"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = NewError(CodeExcludedCredential, CeremonyRegister)
	e.Cause = "InvalidStateError"
	if got, want := e.Error(), "passkeys: register: duplicate (excluded_credential): InvalidStateError"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestItoa(t *testing.T) {
	for _, n := range []int{0, 7, -7, 10, 200, 401, 503, 99999, -1 << 63, 1<<63 - 1} {
		if got, want := itoa(n), fmt.Sprint(n); got != want {
			t.Errorf("itoa(%d) = %q", n, got)
		}
	}
}

func TestCapabilityNames(t *testing.T) {
	if Extension("prf") != "extension:prf" || CapabilityConditionalCreate != "conditionalCreate" {
		t.Error("capability names")
	}
}
