/**
 * `@aw/capsule-aks/validation`: the validation helpers the constructs use, for authors of their own constructs
 * (errors in the same form: construct path, field, bad value, what is allowed). The package root does not export
 * them; this list is explicit (`__tests__/library.test.ts` asserts it).
 */
export {
  AZURE_LOCATIONS,
  AZURE_NAMES,
  checkCidrs,
  checkGuid,
  checkIntRange,
  checkPattern,
  DOMAIN_RE,
  GUID_RE,
  invalid,
  isCidr,
  isUnresolved,
  RFC1123_LABEL_RE,
  UPN_RE,
  ValidationError,
} from './constructs/validation';
export type { AzureLocation } from './constructs/validation';
export { escapeTemplateText, terraformLiteral, terraformLiterals } from './constructs/terraform-literal';
export { reportPolicyFinding } from './constructs/policy-finding';
export type { PolicyCheckId, ReportPolicyFindingOptions } from './constructs/policy-finding';
