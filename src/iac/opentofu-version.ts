/** The OpenTofu release downloaded when neither PORCH_IAC_BINARY nor `tofu` on PATH is available. */
export const PINNED_OPENTOFU_VERSION = "1.10.7";
