import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import { CapsuleStack } from './capsule-stack';
import { ClusterStack } from './cluster-stack';
import { TenantsStack } from './tenants-stack';
import { applyPolicyChecks, CapsulePolicyChecksProps } from '../policy/policy-checks';
import { applyProtectedRecord } from './protected-record';

/** The stacks of one environment, deployed in this order and destroyed in reverse. */
export interface EnvironmentStacks {
  /** `<env>-cluster`: Entra ID, AKS, IAM. */
  readonly cluster: ClusterStack;
  /** `<env>-capsule`: cert-manager, Capsule, capsule-proxy. */
  readonly capsule: CapsuleStack;
  /** `<env>-tenants`: Capsule tenants and their kubeconfigs. */
  readonly tenants: TenantsStack;
}

/** Stack names of an environment, in deployment order. */
export function stackNames(env: string): { cluster: string; capsule: string; tenants: string } {
  return { cluster: `${env}-cluster`, capsule: `${env}-capsule`, tenants: `${env}-tenants` };
}

/** Options of {@link createEnvironmentStacks}. */
export interface EnvironmentStacksOptions {
  /**
   * How to fix policy findings in the caller's terms (e.g. the environment file's keys; main.ts passes them).
   * @default - the fixes of POLICY_CHECKS, in construct props terms
   */
  readonly policyFixes?: CapsulePolicyChecksProps['fixes'];
}

/** Creates the stacks of one environment in `scope` (the cdktf App). */
export function createEnvironmentStacks(scope: Construct, env: EnvironmentConfig, options: EnvironmentStacksOptions = {}): EnvironmentStacks {
  const names = stackNames(env.name);
  const cluster = new ClusterStack(scope, names.cluster, { env });
  const capsule = new CapsuleStack(scope, names.capsule, { cluster });
  const tenants = new TenantsStack(scope, names.tenants, { cluster, capsule });
  applyEnvironmentPolicy(scope, env, options.policyFixes);
  // Protected environments: renames become moved blocks, removals not allowed by policy.allowRemoval fail here.
  applyProtectedRecord(env, [cluster, capsule, tenants]);
  return { cluster, capsule, tenants };
}

/**
 * Creates the stacks of one environment (as {@link createEnvironmentStacks}) and returns the names of every
 * top-level stack this added to `scope`, in creation order: exactly this environment's stacks, found by what was
 * created rather than by a name pattern (environment names may contain "-", so `'poc-*'` also matches `poc-eu-*`).
 * The `cdktf deploy` / `destroy` commands, CI and the reports name an environment's stacks from this list.
 */
export function addEnvironmentStacks(scope: Construct, env: EnvironmentConfig, options: EnvironmentStacksOptions = {}): { stacks: EnvironmentStacks; names: string[] } {
  const before = new Set(scope.node.children);
  const stacks = createEnvironmentStacks(scope, env, options);
  return { stacks, names: scope.node.children.filter((c) => !before.has(c) && TerraformStack.isStack(c)).map((c) => c.node.id) };
}

/** Synth-time policy checks (policy/policy-checks.ts) on every stack of the environment, from its `policy` section. */
function applyEnvironmentPolicy(scope: Construct, env: EnvironmentConfig, fixes: CapsulePolicyChecksProps['fixes']): void {
  for (const name of Object.values(stackNames(env.name))) {
    const stack = scope.node.tryFindChild(name);
    if (stack) applyPolicyChecks(stack, { protected: env.protected ?? false, allowLocalAccounts: env.policy?.allowLocalAccounts, acknowledged: env.policy?.acknowledge, fixes });
  }
}
