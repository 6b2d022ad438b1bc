import { EnvironmentConfig } from './schema';

/**
 * Environments that would create or manage the same Azure or Entra objects, or share Terraform state: a copied
 * `poc.yaml` deployed as `lab` would fight over (or fail on) the resources of `poc`. Checked across all the
 * environment files when they are loaded; each problem names both files and the field.
 */

/** UPN of a created user: `userPrincipalName`, default `<key>@<upnDomain>`. */
export function userPrincipalName(env: EnvironmentConfig, key: string): string {
  return env.entra.users?.[key]?.userPrincipalName ?? `${key}@${env.entra.upnDomain}`;
}

/** One name an environment claims. `scope` undefined: decided at deploy time (could be any other's scope). */
interface Claim {
  readonly kind: string;
  /** Compared case-insensitively. */
  readonly value: string;
  readonly scope?: string;
  readonly field: string;
  /** The value as shown in the message. */
  readonly shown: string;
}

const WHY: Record<string, string> = {
  cluster: 'both would manage the same AKS cluster (same name and resource group in the same subscription)',
  resourceGroup: 'both would create (or one would create and the other\'s AKS would own) the same resource group in the same subscription',
  dnsLabel: 'both capsule-proxies would claim the same Azure DNS name',
  group: 'both would create an Entra group with the same display name in the same tenant',
  user: 'both would create the same Entra user',
  state: 'both would use the same Terraform state',
};

function claims(env: EnvironmentConfig): Claim[] {
  // Without an explicit subscription / tenant, the deploying identity's is used: it may be any other's.
  const subscription = env.azure?.subscriptionId?.toLowerCase();
  const tenant = env.azure?.tenantId?.toLowerCase();
  const c = env.cluster;
  const out: Claim[] = [
    { kind: 'cluster', value: `${c.resourceGroup}/${c.name}`, scope: subscription, field: 'cluster.name + cluster.resourceGroup', shown: `${c.name} in ${c.resourceGroup}` },
  ];
  if (c.createResourceGroup ?? true) out.push({ kind: 'resourceGroup', value: c.resourceGroup, scope: subscription, field: 'cluster.resourceGroup', shown: c.resourceGroup });
  if (c.nodeResourceGroup !== undefined) out.push({ kind: 'resourceGroup', value: c.nodeResourceGroup, scope: subscription, field: 'cluster.nodeResourceGroup', shown: c.nodeResourceGroup });
  // Only a chosen label: the default has a random suffix per deployment (stacks/capsule-stack.ts).
  const label = env.capsule?.proxy?.dnsLabel;
  if (label !== undefined) out.push({ kind: 'dnsLabel', value: `${label}.${env.location}`, field: 'capsule.proxy.dnsLabel', shown: `${label}.${env.location}.cloudapp.azure.com` });
  for (const [key, g] of Object.entries(env.entra.groups)) {
    if ('displayName' in g) out.push({ kind: 'group', value: g.displayName, scope: tenant, field: `entra.groups.${key}.displayName`, shown: g.displayName });
  }
  for (const key of Object.keys(env.entra.users ?? {})) {
    const upn = userPrincipalName(env, key);
    out.push({ kind: 'user', value: upn, scope: tenant, field: `entra.users.${key}`, shown: upn });
  }
  const s = env.state;
  if (s?.backend === 'azurerm') {
    // Blob keys are <keyPrefix><env>-<kind>.tfstate (stacks/backend.ts), with stack kinds that contain no "-":
    // two environments share a key exactly when <keyPrefix><env>- is the same in the same container.
    const stem = `${s.keyPrefix ?? ''}${env.name}-`;
    out.push({
      kind: 'state',
      value: `${s.storageAccountName}/${s.containerName}/${stem}`,
      field: 'state (storageAccountName, containerName, keyPrefix)',
      shown: `blobs ${s.storageAccountName}/${s.containerName}/${stem}*.tfstate`,
    });
  }
  return out;
}

/** Problems for every name two environment files claim. `file` is how each environment is named in messages. */
export function crossEnvironmentProblems(entries: readonly { file: string; env: EnvironmentConfig }[]): string[] {
  const seen = new Map<string, { file: string; claim: Claim }[]>();
  const problems: string[] = [];
  for (const { file, env } of entries) {
    for (const claim of claims(env)) {
      const k = `${claim.kind}\0${claim.value.toLowerCase()}`;
      const earlier = seen.get(k) ?? [];
      const clash = earlier.find((e) => e.file !== file && (e.claim.scope === undefined || claim.scope === undefined || e.claim.scope === claim.scope));
      if (clash) {
        problems.push(
          `${file}: ${claim.field} ${JSON.stringify(claim.shown)} is also ${clash.claim.field} of ${clash.file}: ${WHY[claim.kind]}; ` +
            'give each environment its own names (or explicit, different azure.subscriptionId / azure.tenantId where the names are per subscription / tenant)',
        );
      }
      earlier.push({ file, claim });
      seen.set(k, earlier);
    }
  }
  return problems;
}
