import type { TenantOwnerConfig } from '../config/environment-types';
import type { AksAccessPrincipal } from '../constructs/aks-access';
import type { CapsuleUser } from '../constructs/capsule-operator';
import type { TenantOwner } from '../constructs/capsule-tenant-types';
import type { EntraDirectory, EntraGroupSpec, EntraUserSpec } from '../constructs/entra-directory';
import { joinedId, stableHash } from '../constructs/validation';

/**
 * The one home of the tenant owner mapping: how an owner of the environment file (`tenants.<name>.owners[]`: a group
 * or user of the `entra` section by key, an existing group by object ID or user by UPN, or a ServiceAccount) becomes
 * an Entra directory entry (ClusterStack), an Azure principal (role assignments, Key Vault readers) and a Tenant
 * owner / Capsule user (CapsuleStack, TenantsStack).
 */

/** An owner with an Entra ID identity (a group or a user); ServiceAccount owners live in the cluster only. */
export type EntraOwnerConfig = Exclude<TenantOwnerConfig, { serviceAccount: string }>;

/** Whether the owner is a group or user of Entra ID (not a ServiceAccount). */
export function isEntraOwner(o: TenantOwnerConfig): o is EntraOwnerConfig {
  return !('serviceAccount' in o);
}

/** Whether an Entra owner is a group (by key or object ID), else a user. */
function isGroupOwner(o: EntraOwnerConfig): boolean {
  return 'group' in o || 'groupObjectId' in o;
}

/** Stable directory key of a tenant owner (never a list position); two different owners never get one key. */
export function ownerKey(o: TenantOwnerConfig): string {
  if ('group' in o) return o.group;
  if ('user' in o) return o.user;
  if ('groupObjectId' in o) return `ext-group-${o.groupObjectId.toLowerCase()}`;
  // UPNs are case-insensitive in Entra ID, so lowercase is the same user; the readable part merges "." and "-"
  // (bob.smith / bob-smith), so a hash of the whole UPN keeps two users apart (injective).
  if ('userPrincipalName' in o) {
    const upn = o.userPrincipalName.toLowerCase();
    return `ext-user-${upn.replace(/[^a-z0-9]+/g, '-').slice(0, 40).replace(/-+$/, '')}-${stableHash(upn).slice(0, 12)}`;
  }
  // Namespace and name may both contain "--": joinedId keeps two service accounts apart.
  return `sa-${joinedId(...o.serviceAccount.split('/'))}`;
}

/** The directory entries of owners given outside the `entra` section (referenced for their Azure roles, not created). */
export function externalOwnerEntries(owners: readonly EntraOwnerConfig[]): { groups: Record<string, EntraGroupSpec>; users: Record<string, EntraUserSpec> } {
  const groups: Record<string, EntraGroupSpec> = {};
  const users: Record<string, EntraUserSpec> = {};
  for (const o of owners) {
    if ('groupObjectId' in o) groups[ownerKey(o)] = { objectId: o.groupObjectId };
    if ('userPrincipalName' in o) users[ownerKey(o)] = { userPrincipalName: o.userPrincipalName, existing: true };
  }
  return { groups, users };
}

/** The owner as an Azure principal (role assignments, Key Vault readers), from the environment's directory. */
export function ownerPrincipal(o: EntraOwnerConfig, directory: EntraDirectory): AksAccessPrincipal {
  const k = ownerKey(o);
  return isGroupOwner(o) ? { objectId: directory.groupObjectId(k), type: 'Group' } : { objectId: directory.userObjectId(k), type: 'User' };
}

/**
 * A tenant owner as Capsule sees it on AKS: groups by object ID, users by UPN, ServiceAccounts as
 * `system:serviceaccount:<namespace>:<name>`.
 */
export function tenantOwner(o: TenantOwnerConfig, directory: EntraDirectory): TenantOwner {
  const clusterRoles = o.clusterRoles;
  if ('group' in o) return { kind: 'Group', name: directory.groupObjectId(o.group), clusterRoles };
  if ('groupObjectId' in o) return { kind: 'Group', name: o.groupObjectId, clusterRoles };
  if ('user' in o) return { kind: 'User', name: directory.userPrincipalName(o.user), clusterRoles };
  if ('userPrincipalName' in o) return { kind: 'User', name: o.userPrincipalName, clusterRoles };
  const [namespace, name] = o.serviceAccount.split('/');
  return { kind: 'ServiceAccount', name: `system:serviceaccount:${namespace}:${name}`, clusterRoles };
}

/** Every owner once (kind and name), sorted: the Capsule users of the environment's tenants. */
export function ownerCapsuleUsers(owners: readonly TenantOwnerConfig[], directory: EntraDirectory): CapsuleUser[] {
  const seen = new Map<string, CapsuleUser>();
  for (const o of owners) {
    const { kind, name } = tenantOwner(o, directory);
    seen.set(`${kind}:${ownerKey(o)}`, { kind, name });
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, u]) => u);
}
