// Lucky Cat's page script. It runs after htmx and the injected bridge (all three are
// deferred scripts with the page's CSP nonce) and talks to window.chirp.passkeys and to
// the library's ready routes under /auth/passkey. No inline script, no inline handler.
"use strict";

const routes = {
  register: { begin: "/auth/passkey/register/begin", finish: "/auth/passkey/register/finish" },
  login: { begin: "/auth/passkey/login/begin", finish: "/auth/passkey/login/finish" },
  rename: "/auth/passkey/credentials/rename",
  remove: "/auth/passkey/credentials/delete",
};

// What a person reads, by passkeyReason: nothing when they cancelled.
const messages = {
  cancelled: "",
  duplicate: "This device already has a passkey for your account.",
  unsupported: "This browser can't use passkeys. Use your password instead.",
  misconfigured: "Passkeys are not available on this site right now. Use your password, and please tell us.",
  failed: "That didn't work.",
};

// Finer messages for what the server said (serverCode of a server_rejected error, or
// the code of the management routes' JSON errors).
const serverMessages = {
  credential_exists: messages.duplicate,
  last_credential: "This passkey is your only way to sign in. Add another passkey first, then delete this one.",
  unknown_credential: "This passkey is no longer registered here. Sign in another way, then add a new one.",
  rate_limited: "Too many attempts. Wait a moment, then try again.",
  challenge_expired: "This page was open too long. Try again.",
  username_taken: "That username is taken.",
  bad_username: "Choose a username of 1 to 64 characters.",
};

const $ = (sel) => document.querySelector(sel);
const csrf = () => $('meta[name="csrf-token"]').content;

// setCSRF replaces the page's CSRF token (the bridge reads the meta, htmx hx-headers).
function setCSRF(token) {
  $('meta[name="csrf-token"]').content = token;
  document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRF-Token": token }));
  for (const i of document.querySelectorAll('input[name="csrf_token"]')) i.value = token;
}

let retryAction = null;

// show tells the user about a failure (or clears the message with null). A retryable
// failure gets a "Try again" button that runs retry.
function show(err, retry) {
  const box = $("#passkey-status");
  if (!box) return;
  const msg = $("#passkey-message");
  const again = $("#passkey-retry");
  retryAction = null;
  again.hidden = true;
  if (!err) {
    box.hidden = true;
    delete box.dataset.reason;
    delete box.dataset.code;
    msg.textContent = "";
    return;
  }
  const reason = err.passkeyReason || "failed";
  box.dataset.reason = reason;
  box.dataset.code = err.serverCode || err.code || "";
  let text = serverMessages[err.serverCode] ?? messages[reason] ?? messages.failed;
  if (reason === "failed" && err.retryable && retry && !serverMessages[err.serverCode]) {
    text += " Please try again.";
    retryAction = retry;
    again.hidden = false;
  }
  msg.textContent = text;
  box.hidden = text === "";
  if (reason === "misconfigured") console.error("passkeys are misconfigured:", err.code, err.cause);
}

// hidePasskeys hides every passkey control, for a browser without passkeys.
function hidePasskeys() {
  for (const el of document.querySelectorAll("[data-passkey]")) el.hidden = true;
}

// post sends JSON (or a form) to the app with the page's CSRF token, and resolves to
// the JSON answer; a non-2xx answer rejects with an error shaped like a PasskeyError
// from the server ({passkeyReason: "failed", serverCode, serverMessage}).
async function post(url, body, form) {
  const headers = { Accept: "application/json", "X-CSRF-Token": csrf() };
  let data;
  if (form) {
    data = new URLSearchParams(body);
  } else {
    headers["Content-Type"] = "application/json";
    data = JSON.stringify(body);
  }
  const r = await fetch(url, { method: "POST", credentials: "same-origin", headers, body: data });
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw { passkeyReason: "failed", retryable: true, code: "server_rejected", serverCode: j.code, serverMessage: j.error, status: r.status };
  return j;
}

// The WebAuthn signals, which tell the user's passkey providers what this site accepts:
// after a delete, the provider hides the deleted passkey; the user's current name too.
// The bridge resolves quietly where the browser lacks a signal.
async function signal() {
  const pk = window.chirp && window.chirp.passkeys;
  if (!pk || !pk.signalAccepted) return;
  try {
    const r = await fetch("/settings/security/accepted", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!r.ok) return;
    const o = await r.json();
    await pk.signalAccepted(o.accepted);
    await pk.signalUser(o.details);
    document.body.dataset.signalled = String(o.accepted.allAcceptedCredentialIds.length);
  } catch (e) {
    console.warn("passkey signals:", e);
  }
}

const refreshList = () => window.htmx && htmx.trigger(document.body, "passkeys-changed");
const goHome = (res) => location.assign((res && res.redirect) || "/");

document.addEventListener("DOMContentLoaded", () => {
  const pk = window.chirp && window.chirp.passkeys;
  $("#passkey-retry")?.addEventListener("click", () => retryAction && retryAction());
  if (!pk || !pk.isSupported()) {
    hidePasskeys();
    $("#upgrade")?.remove();
    if ($("#login-form") || $("#signup-form") || $("#add-passkey")) show({ passkeyReason: "unsupported", code: "no_webauthn" });
    document.body.dataset.passkeys = "unsupported";
    return;
  }
  document.body.dataset.passkeys = "supported";

  // Sign in with the button (the home and sign-in pages). It supersedes autofill.
  const signIn = async () => {
    show(null);
    try {
      goHome(await pk.authenticateWith(routes.login));
    } catch (err) {
      show(err, signIn);
    }
  };
  $("#passkey-login")?.addEventListener("click", signIn);

  // Autofill: a conditional request waits for the user to pick a passkey from the
  // username field's suggestions.
  if ($('input[autocomplete~="webauthn"]')) {
    pk.isConditionalSupported().then((ok) => {
      if (!ok) return;
      document.body.dataset.autofill = "pending";
      pk.authenticateWith({ ...routes.login, conditional: true, body: { conditional: true } })
        .then(goHome)
        .catch((err) => { if (err.passkeyReason !== "cancelled") show(err, signIn); });
    });
  }

  // Sign up with a passkey alone: a pending account, then its first passkey.
  const signUp = async () => {
    show(null);
    const username = $("#username").value.trim();
    if (!username) {
      $("#username").reportValidity();
      return;
    }
    try {
      setCSRF((await post("/signup/passkey", { username }, true)).csrf);
    } catch (err) {
      show(err, signUp);
      return;
    }
    document.body.dataset.signup = "pending";
    try {
      await pk.registerWith(routes.register);
      document.body.dataset.signup = "done";
      location.assign("/");
    } catch (err) {
      // Free the username again (and get a visitor's CSRF token back).
      try { setCSRF((await post("/signup/cancel", {}, true)).csrf); } catch {}
      document.body.dataset.signup = "cancelled";
      show(err, signUp);
    }
  };
  $("#signup-passkey")?.addEventListener("click", signUp);

  // Add a passkey (settings) and the upgrade prompt's button.
  const add = async () => {
    show(null);
    try {
      await pk.registerWith(routes.register);
      if ($("#passkey-list")) {
        refreshList();
      } else {
        location.reload();
      }
    } catch (err) {
      show(err, add);
    }
  };
  $("#add-passkey")?.addEventListener("click", add);
  $("#upgrade-create")?.addEventListener("click", add);

  // The passkey upgrade after a password sign-in: a conditional create where the
  // browser has it (the browser may make the passkey without asking), else the prompt.
  const upgrade = $("#upgrade");
  if (upgrade) {
    const prompt = () => { upgrade.hidden = false; document.body.dataset.upgrade = "prompt"; };
    if (upgrade.dataset.upgrade !== "conditional") {
      prompt();
    } else {
      pk.capabilities().then((c) => {
        if (!c.conditionalCreate) return prompt();
        document.body.dataset.upgrade = "conditional";
        pk.registerWith({ ...routes.register, conditional: true, body: { conditional: true } })
          .then(() => { document.body.dataset.upgrade = "created"; location.reload(); })
          .catch((err) => { if (err.passkeyReason !== "cancelled") prompt(); });
      });
    }
  }

  // Settings → Security: rename and delete go to the ready routes; htmx redraws the list.
  document.addEventListener("submit", async (e) => {
    const form = e.target.closest(".rename-form");
    if (!form) return;
    e.preventDefault();
    show(null);
    try {
      await post(routes.rename, { id: form.dataset.id, label: form.querySelector(".label-input").value });
      refreshList();
    } catch (err) {
      show(err);
    }
  });
  document.addEventListener("click", async (e) => {
    const button = e.target.closest(".delete-passkey");
    if (!button) return;
    // Two steps: the first click asks, the second deletes.
    if (!button.classList.contains("confirm")) {
      button.classList.add("confirm");
      button.textContent = "Really delete?";
      return;
    }
    show(null);
    try {
      await post(routes.remove, { id: button.dataset.id });
      await signal();
      refreshList();
    } catch (err) {
      button.classList.remove("confirm");
      button.textContent = "Delete";
      show(err);
    }
  });
  if ($("#passkey-list")) signal();
});
