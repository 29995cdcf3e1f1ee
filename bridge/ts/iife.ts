// Entry of the injected script: installs window.chirp.passkeys once (a second copy keeps the first).
import { abort } from "./abort.js";
import { authenticate } from "./authenticate.js";
import { authenticateWith } from "./authenticate-with.js";
import { capabilities } from "./capabilities.js";
import { PasskeyError } from "./error.js";
import { isConditionalSupported } from "./is-conditional-supported.js";
import { isSupported } from "./is-supported.js";
import { register } from "./register.js";
import { registerWith } from "./register-with.js";
import type { ChirpPasskeys } from "./types.js";
import { version } from "./version.js";

((window as any).chirp ||= {}).passkeys ||= {
  version,
  register,
  authenticate,
  registerWith,
  authenticateWith,
  isSupported,
  isConditionalSupported,
  capabilities,
  abort,
  PasskeyError,
} satisfies ChirpPasskeys;
