import { Construct } from 'constructs';
import { EnvironmentConfig } from '../config/schema';
import { CapsuleStack } from './capsule-stack';
import { ClusterStack } from './cluster-stack';
import { TenantsStack } from './tenants-stack';
import { applyPolicyChecks } from '../constructs/policy-checks';

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

/** Creates the stacks of one environment in `scope` (the cdktf App). */
export function createEnvironmentStacks(scope: Construct, env: EnvironmentConfig): EnvironmentStacks {
  const names = stackNames(env.name);
  const cluster = new ClusterStack(scope, names.cluster, { env });
  const capsule = new CapsuleStack(scope, names.capsule, { cluster });
  const tenants = new TenantsStack(scope, names.tenants, { cluster, capsule });
  applyEnvironmentPolicy(scope, env);
  return { cluster, capsule, tenants };
}

/** Synth-time policy checks (constructs/policy-checks.ts) on every stack of the environment, from its `policy` section. */
function applyEnvironmentPolicy(scope: Construct, env: EnvironmentConfig): void {
  for (const name of Object.values(stackNames(env.name))) {
    const stack = scope.node.tryFindChild(name);
    if (stack) applyPolicyChecks(stack, { protected: env.protected ?? false, allowLocalAccounts: env.policy?.allowLocalAccounts, acknowledged: env.policy?.acknowledge });
  }
}
