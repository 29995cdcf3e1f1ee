// The demo's page script. It runs after the injected bridge (both are deferred, and
// DOMContentLoaded waits for every deferred script), and talks to window.chirp.passkeys.
"use strict";

// What a UI says for each passkeyReason: nothing on cancelled (the user chose to stop).
const messages = {
  cancelled: "",
  duplicate: "This device already has a passkey for your account.",
  misconfigured: "Passkeys are not set up correctly on this site. Please tell us.",
  unsupported: "This browser cannot use passkeys. Use your password instead.",
  failed: "That did not work. Please try again.",
};

function show(err) {
  const el = document.getElementById("passkey-status");
  if (!el) return;
  if (err) {
    el.dataset.reason = err.passkeyReason || "failed";
    el.dataset.code = err.code || "";
    el.textContent = messages[el.dataset.reason] ?? messages.failed;
  } else {
    delete el.dataset.reason;
    delete el.dataset.code;
    el.textContent = "";
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const pk = window.chirp && window.chirp.passkeys;
  const add = document.getElementById("add-passkey");
  const login = document.getElementById("passkey-login");
  if (!pk || !pk.isSupported()) {
    for (const b of [add, login]) if (b) b.hidden = true;
    if (add || login) show({ passkeyReason: "unsupported", code: "no_webauthn" });
    return;
  }
  if (add) {
    add.addEventListener("click", async () => {
      show(null);
      try {
        await pk.registerWith({ begin: "/auth/passkey/register/begin", finish: "/auth/passkey/register/finish" });
        location.reload();
      } catch (err) {
        show(err);
      }
    });
  }
  const signedIn = (res) => location.assign((res && res.redirect) || "/dashboard");
  if (login) {
    login.addEventListener("click", async () => {
      show(null);
      try {
        signedIn(await pk.authenticateWith({ begin: "/auth/passkey/login/begin", finish: "/auth/passkey/login/finish" }));
      } catch (err) {
        show(err);
      }
    });
  }
  // Autofill sign-in: a conditional request waits for the user to pick a passkey from
  // the username field's suggestions. A click on the button supersedes it.
  const username = document.querySelector('input[autocomplete~="webauthn"]');
  if (username) {
    pk.isConditionalSupported().then((ok) => {
      if (!ok) return;
      pk.authenticateWith({ begin: "/auth/passkey/login/begin", finish: "/auth/passkey/login/finish", conditional: true })
        .then(signedIn)
        .catch((err) => { if (err.passkeyReason !== "cancelled") show(err); });
    });
  }
});
