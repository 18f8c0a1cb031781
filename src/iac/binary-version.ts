export interface IacBinaryInfo {
  product: "OpenTofu" | "Terraform" | null;
  version: string | null;
  /** `init -json` exists since OpenTofu 1.7 and Terraform 1.9. */
  supportsInitJson: boolean;
}

/** Reads the first line of `tofu version` ("OpenTofu v1.10.7" / "Terraform v1.9.0"). */
export function parseVersionOutput(text: string): IacBinaryInfo {
  const match = /^(OpenTofu|Terraform) v(\d+)\.(\d+)\.(\d+)\S*/m.exec(text);
  if (!match) return { product: null, version: null, supportsInitJson: false };
  const product = match[1] as "OpenTofu" | "Terraform";
  const major = Number(match[2]);
  const minor = Number(match[3]);
  const [minMajor, minMinor] = product === "OpenTofu" ? [1, 7] : [1, 9];
  return {
    product,
    version: `${match[2]}.${match[3]}.${match[4]}`,
    supportsInitJson: major > minMajor || (major === minMajor && minor >= minMinor),
  };
}
