import { AwsWireError } from "./aws-error.js";
import type { IssuedCredentials } from "./credential-store.js";
import { evaluatePolicy, type RequestContext } from "./iam-policy.js";
import type { IamPolicyDocument } from "./types.js";

/** Refuses the call unless the caller's role policy allows `action` on `resource`, with AWS's wording. */
export function authorize(caller: IssuedCredentials, action: string, resource: string, context: RequestContext = {}): void {
  const denial = denialMessage(caller.assumedRoleArn, caller.role.policy, action, resource, context);
  if (denial) throw new AwsWireError("AccessDeniedException", denial, 400);
}

/** The AccessDenied message AWS would give `principal` for this request, or undefined when it is allowed. */
export function denialMessage(principal: string, policy: IamPolicyDocument | undefined, action: string, resource: string, context: RequestContext = {}): string | undefined {
  const decision = evaluatePolicy(policy, action, resource, context);
  if (decision === "allow") return undefined;
  const because = decision === "explicit-deny" ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${action} action`;
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} ${because}`;
}
