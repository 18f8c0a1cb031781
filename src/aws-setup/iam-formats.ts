import { ValidationError } from "../errors/porch-error.js";
import { formatAwsCli } from "./format-aws-cli.js";
import { formatJson } from "./format-json.js";
import { formatTerraform } from "./format-terraform.js";
import type { IamDocuments } from "./iam-documents.js";

export const IAM_FORMATS = ["json", "terraform", "aws-cli"] as const;
export type IamFormat = (typeof IAM_FORMATS)[number];

export function parseIamFormat(value: string): IamFormat {
  if ((IAM_FORMATS as readonly string[]).includes(value)) return value as IamFormat;
  throw new ValidationError(`invalid --format '${value}': use one of ${IAM_FORMATS.join(", ")}`, [
    { path: "--format", message: `must be one of ${IAM_FORMATS.join(", ")}` },
  ]);
}

export function formatIamDocuments(docs: IamDocuments, format: IamFormat): string {
  switch (format) {
    case "json":
      return formatJson(docs);
    case "terraform":
      return formatTerraform(docs);
    case "aws-cli":
      return formatAwsCli(docs);
  }
}
