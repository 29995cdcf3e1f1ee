// Entry of the injected script: installs window.chirp.passkeys once (a second copy keeps the
// first). It shares its state with every other copy of the same version, such as an
// application's bundled ES module (see shared.ts).
import { abort } from "./abort.js";
import { authenticate } from "./authenticate.js";
import { authenticateWith } from "./authenticate-with.js";
import { capabilities } from "./capabilities.js";
import { PasskeyError } from "./error.js";
import { g } from "./global.js";
import { isConditionalSupported } from "./is-conditional-supported.js";
import { isSupported } from "./is-supported.js";
import { register } from "./register.js";
import { registerWith } from "./register-with.js";
import { signalAccepted } from "./signal-accepted.js";
import { signalUnknown } from "./signal-unknown.js";
import { signalUser } from "./signal-user.js";
import type { ChirpPasskeys } from "./types.js";
import { version } from "./version.js";

// Types only, for `import "@chirpkit/passkeys/script"`: they declare window.chirp.
export type { ChirpNamespace, ChirpPasskeys } from "./types.js";

(g.chirp ||= {}).passkeys ||= {
  version,
  register,
  authenticate,
  registerWith,
  authenticateWith,
  isSupported,
  isConditionalSupported,
  capabilities,
  abort,
  signalUnknown,
  signalAccepted,
  signalUser,
  PasskeyError,
} satisfies ChirpPasskeys;
