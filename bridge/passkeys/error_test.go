package passkeys

import (
	"errors"
	"fmt"
	"testing"
)

func TestSentinels(t *testing.T) {
	sentinels := map[Reason]error{
		ReasonCancelled: ErrCancelled, ReasonDuplicate: ErrDuplicate, ReasonMisconfigured: ErrMisconfigured,
		ReasonUnsupported: ErrUnsupported, ReasonFailed: ErrFailed,
	}
	for code, info := range codeInfo {
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
	if len(codeInfo) != 19 {
		t.Errorf("%d codes, want 19", len(codeInfo))
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
	if got, want := ErrDuplicate.Error(), "passkeys: duplicate"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e = NewError(CodeExcludedCredential, CeremonyRegister)
	e.Cause = "InvalidStateError"
	if got, want := e.Error(), "passkeys: register: duplicate (excluded_credential): InvalidStateError"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
