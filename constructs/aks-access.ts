import { Construct } from 'constructs';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { checkGuid, checkIntRange, invalid, RFC1123_LABEL_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** Kind of Entra ID principal; lets Azure skip a directory lookup. */
export type AksPrincipalType = 'Group' | 'User' | 'ServicePrincipal';

/** A principal to grant roles to. */
export interface AksAccessPrincipal {
  /** Object ID of the principal (a GUID, or a token from a group or user resource). */
  readonly objectId: string;
  /**
   * Kind of principal.
   * @default - not set (Azure looks it up)
   */
  readonly type?: AksPrincipalType;
}

/** Where roles are assigned: a resource ID, or the resource itself (an `AksCluster`, a key vault, … anything with an `id`). */
export type AksAccessScope = string | { readonly id: string };

export interface AksAccessProps {
  /**
   * The scope the roles are assigned at (cluster, resource group or subscription): the resource itself (anything
   * with an `id`, e.g. an `AksCluster`), or its resource ID.
   */
  readonly scope: AksAccessScope;
  /** Principals by stable key (the key names the Terraform resources). */
  readonly principals: Readonly<Record<string, AksAccessPrincipal>>;
  /**
   * Built-in role names to assign to every principal.
   * @default ['Reader', 'Azure Kubernetes Service Cluster User Role']
   */
  readonly roles?: readonly string[];
  /**
   * Seconds to wait after the assignments are created (a `time_sleep`, provider `time` needed in the stack), for
   * roles used right away, e.g. by a later stack of the same deploy. 0: no wait.
   * @default 0
   */
  readonly propagationWaitSeconds?: number;
}

/**
 * Azure RBAC for Kubernetes Authorization: "New role assignments can take up to five minutes to propagate and be
 * updated by the authorization server" (https://learn.microsoft.com/azure/aks/manage-azure-rbac, "Before you
 * begin"); Azure RBAC in general up to 10 minutes (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting).
 */
export const AKS_RBAC_PROPAGATION_SECONDS = 300;

/** The roles a tenant owner needs to fetch a kubeconfig: read the cluster and list the user credentials. */
export const TENANT_OWNER_ROLES = ['Reader', 'Azure Kubernetes Service Cluster User Role'] as const;
/** The Azure RBAC role that administers the Kubernetes API (used for the identity that installs Capsule). */
export const CLUSTER_ADMIN_ROLE = 'Azure Kubernetes Service RBAC Cluster Admin';

/** Azure role assignments of built-in roles for a set of principals at one scope. */
export class AksAccess extends Construct {
  /** The role assignments by `<principal key>-<role slug>`. */
  public readonly assignments: Readonly<Record<string, RoleAssignment>>;
  /** The wait after the assignments (`propagationWaitSeconds` > 0): depend on it to use the roles. */
  public readonly propagated?: Sleep;

  constructor(scope: Construct, id: string, props: AksAccessProps) {
    super(scope, id);
    const roles = props.roles ?? TENANT_OWNER_ROLES;
    const scopeId = typeof props.scope === 'string' ? props.scope : props.scope?.id;
    if (typeof scopeId !== 'string' || scopeId === '') invalid(this, 'scope', props.scope === undefined ? undefined : String(props.scope), 'must be a resource ID or a resource with an id (e.g. an AksCluster)');
    if (roles.length === 0) invalid(this, 'roles', roles, 'must name at least one built-in role');
    const assignments: Record<string, RoleAssignment> = {};
    for (const [key, principal] of Object.entries(props.principals)) {
      if (!RFC1123_LABEL_RE.test(key)) invalid(this, 'principals key', key, 'must be lowercase letters, digits and "-"');
      checkGuid(this, `principals.${key}.objectId`, principal.objectId);
      for (const role of roles) {
        const rid = `${key}-${slug(role)}`;
        if (assignments[rid]) invalid(this, `principals.${key}`, role, `gives the same construct ID "${rid}" as another principal and role; rename the principal key`);
        assignments[rid] = new RoleAssignment(
          this,
          rid,
          terraformLiterals(this, `assignments.${rid}`, { scope: scopeId, roleDefinitionName: role, principalId: principal.objectId, principalType: principal.type }),
        );
      }
    }
    this.assignments = assignments;
    const wait = props.propagationWaitSeconds ?? 0;
    checkIntRange(this, 'propagationWaitSeconds', wait, 0, 3600);
    if (wait > 0) {
      // Waits on create, and again whenever an assignment is replaced (its ID is a trigger).
      this.propagated = new Sleep(this, 'propagation', terraformLiterals(this, 'propagation', {
        createDuration: `${wait}s`,
        triggers: Object.fromEntries(Object.entries(assignments).map(([k, a]) => [k, a.id])),
        dependsOn: Object.values(assignments),
      }));
    }
  }
}

function slug(role: string): string {
  return role.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
