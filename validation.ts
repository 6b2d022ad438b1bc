/**
 * `@aw/capsule-aks/validation`: the validation helpers the constructs use (and the kubelogin `exec` block), for authors of their own constructs
 * (errors in the same form: construct path, field, bad value, what is allowed). The package root does not export
 * them; this list is explicit (`__tests__/library.test.ts` asserts it).
 */
// Names and patterns of Azure and Kubernetes objects.
export { AZURE_LOCATIONS, AZURE_NAMES, DOMAIN_RE, GUID_RE, RFC1123_LABEL_RE, UPN_RE } from './constructs/validation';
// Checks that throw a ValidationError naming the construct path, the field, the value and what is allowed.
export { checkCidrs, checkGuid, checkIntRange, checkPattern, invalid, isCidr, isUnresolved, ValidationError } from './constructs/validation';
export type { AzureLocation } from './constructs/validation';
export { escapeTemplateText, terraformLiteral, terraformLiterals } from './constructs/terraform-literal';
export { kubeloginExec } from './constructs/kubelogin';
export { reportPolicyFinding } from './constructs/policy-finding';
export type { PolicyCheckId, ReportPolicyFindingOptions } from './constructs/policy-finding';
