import { Annotations, Aspects, IAspect } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * How a construct reports a finding of a synth-time policy check it is best placed to see (e.g. an open endpoint
 * from its props). The checks themselves (an Aspect over whole stacks) live in policy/policy-checks.ts; this module
 * is what constructs need of them, so that constructs import nothing above their own layer.
 */

/** Identifier of a policy check. */
export type PolicyCheckId = 'CAKS001' | 'CAKS002' | 'CAKS003' | 'CAKS004' | 'CAKS005' | 'CAKS006' | 'CAKS007' | 'CAKS008' | 'CAKS009' | 'CAKS010' | 'CAKS011';

/** A finding reported by a construct: its check id and message (the construct path is added by the annotation). */
export interface ReportedFinding {
  readonly id: PolicyCheckId;
  readonly message: string;
}

/** Marks an aspect as the policy checks (set by CapsulePolicyChecks): a construct under it does not warn itself. */
export const POLICY_CHECKS_ASPECT: unique symbol = Symbol.for('@aw/capsule-aks/policy-checks');

/** Findings reported by constructs themselves ({@link reportPolicyFinding}), by construct. */
const REPORTED = new WeakMap<IConstruct, ReportedFinding[]>();

/** The findings a construct reported with {@link reportPolicyFinding} (read by the policy checks). */
export function reportedFindings(construct: IConstruct): readonly ReportedFinding[] {
  return REPORTED.get(construct) ?? [];
}

const isPolicyChecksAspect = (a: IAspect): boolean => (a as { [POLICY_CHECKS_ASPECT]?: boolean })[POLICY_CHECKS_ASPECT] === true;

/** Marks the aspect of {@link reportPolicyFinding}, which only adds a warning. */
const FINDING_ASPECT: unique symbol = Symbol.for('@aw/capsule-aks/policy-finding');

/**
 * True for the aspects of this library that only add annotations and change no resource: the policy checks and the
 * warnings of {@link reportPolicyFinding} (the app's synth caches rely on it: app/synth-speed.ts withSynthCaches).
 */
export function annotatesOnly(a: IAspect): boolean {
  return isPolicyChecksAspect(a) || (a as { [FINDING_ASPECT]?: boolean })[FINDING_ASPECT] === true;
}

/** Whether policy checks apply to the construct (added on it or on one of its scopes). */
export function isPolicyChecked(construct: IConstruct): boolean {
  return construct.node.scopes.some((s) => Aspects.of(s).all.some(isPolicyChecksAspect));
}

/** Options of {@link reportPolicyFinding}. */
export interface ReportPolicyFindingOptions {
  /** How to fix it, in terms of the construct's props: shown when no policy checks apply. */
  readonly fix: string;
  /**
   * The policy checks already find the same thing in the synthesized configuration (e.g. CAKS006 in a Tenant
   * manifest): the construct only warns when no checks apply, never twice.
   * @default false
   */
  readonly detectedByChecks?: boolean;
}

/**
 * A construct reports a finding of a policy check. When policy checks apply to the construct, they report it like
 * their own findings (acknowledgeable with a reason); otherwise it becomes a plain warning at synth with the
 * construct's own fix, so a construct used without the checks still warns.
 */
export function reportPolicyFinding(construct: IConstruct, id: PolicyCheckId, message: string, options: ReportPolicyFindingOptions): void {
  if (!options.detectedByChecks) REPORTED.set(construct, [...reportedFindings(construct), { id, message }]);
  // Decided at synth, when every aspect has been added.
  const aspect: IAspect & { readonly [FINDING_ASPECT]: true } = {
    [FINDING_ASPECT]: true,
    visit: (node: IConstruct) => {
      if (node !== construct || isPolicyChecked(construct)) return;
      Annotations.of(construct).addWarning(`[${id}] ${message}. Fix: ${options.fix}`);
    },
  };
  Aspects.of(construct).add(aspect);
}
