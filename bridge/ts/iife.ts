// Entry of the injected script: installs window.chirp.passkeys once (a second copy keeps the first).
import { abort } from "./abort";
import { authenticate } from "./authenticate";
import { authenticateWith } from "./authenticate-with";
import { capabilities } from "./capabilities";
import { PasskeyError } from "./error";
import { isConditionalSupported } from "./is-conditional-supported";
import { isSupported } from "./is-supported";
import { register } from "./register";
import { registerWith } from "./register-with";
import type { ChirpPasskeys } from "./types";
import { version } from "./version";

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
