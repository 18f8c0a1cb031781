/** Fake Secrets Manager and SSM Parameter Store read APIs over the fake account's stored values. */
import { AwsWireError, unknownOperation } from "./aws-error.js";
import { authorize } from "./authorize.js";
import type { IssuedCredentials } from "./credential-store.js";
import type { SecretStore } from "./secret-store.js";
import { epochSeconds } from "./wire-protocols.js";

const STARTED = new Date();

export function handleSecretsManager(store: SecretStore, action: string, input: Record<string, unknown>, caller: IssuedCredentials): unknown {
  if (action !== "GetSecretValue") throw unknownOperation("secretsmanager", action, "GetSecretValue");
  const id = typeof input.SecretId === "string" ? input.SecretId : "";
  if (id === "") throw new AwsWireError("InvalidParameterException", "SecretId must not be empty.");
  const secret = store.secret(id);
  authorize(caller, "secretsmanager:GetSecretValue", secret?.arn ?? store.secretArnFor(id));
  if (!secret) throw new AwsWireError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
  return {
    ARN: secret.arn,
    Name: secret.name,
    SecretString: secret.value,
    VersionId: "00000000-0000-0000-0000-000000000001",
    VersionStages: ["AWSCURRENT"],
    CreatedDate: epochSeconds(STARTED),
  };
}

export function handleSsm(store: SecretStore, action: string, input: Record<string, unknown>, caller: IssuedCredentials): unknown {
  switch (action) {
    case "GetParameters": {
      const names = Array.isArray(input.Names) ? (input.Names as unknown[]).map(String) : [];
      if (names.length === 0 || names.length > 10) throw new AwsWireError("ValidationException", "Names must contain between 1 and 10 parameter names.");
      for (const name of names) authorize(caller, "ssm:GetParameters", store.parameterArn(name));
      const found = names.map((name) => ({ name, parameter: store.parameter(name) }));
      return {
        Parameters: found.flatMap(({ name, parameter }) => (parameter ? [wireParameter(name, parameter)] : [])),
        InvalidParameters: found.filter(({ parameter }) => !parameter).map(({ name }) => name),
      };
    }
    case "GetParameter": {
      const name = typeof input.Name === "string" ? input.Name : "";
      authorize(caller, "ssm:GetParameter", store.parameterArn(name));
      const parameter = store.parameter(name);
      if (!parameter) throw new AwsWireError("ParameterNotFound", `Parameter ${name} not found.`);
      return { Parameter: wireParameter(name, parameter) };
    }
    default:
      throw unknownOperation("ssm", action, "GetParameters, GetParameter");
  }
}

function wireParameter(requestedName: string, parameter: { arn: string; name: string; value: string }): Record<string, unknown> {
  return { Name: requestedName, Type: "String", Value: parameter.value, Version: 1, ARN: parameter.arn, DataType: "text", LastModifiedDate: epochSeconds(STARTED) };
}
