import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group';
import { DataAzurermSubscription } from '@cdktf/provider-azurerm/lib/data-azurerm-subscription';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { Sleep } from '@cdktf/provider-time/lib/sleep';
import { terraformLiterals } from '../constructs/terraform-literal';
import { reportPolicyFinding } from '../constructs/policy-finding';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { AKS_RBAC_PROPAGATION_SECONDS, AksAccess, AksAccessPrincipal, CLUSTER_ADMIN_ROLE, TENANT_OWNER_ROLES } from '../constructs/aks-access';
import { AksCluster } from '../constructs/aks-cluster';
import { AksAuditLogCategory, AksMonitoring } from '../constructs/aks-monitoring';
import { EntraDirectory, EntraGroupSpec, EntraUserSpec } from '../constructs/entra-directory';
import { CapsuleUser } from '../constructs/capsule-operator';
import { KubeconfigVault } from '../constructs/kubeconfig-vault';
import { StringResource } from '@cdktf/provider-random/lib/string-resource';
import { TenantOwner } from '../constructs/capsule-tenant-types';
import { userPrincipalName } from '../config/collisions';
import type { EnvironmentConfig } from '../config/environment-config';
import type { TenantOwnerConfig } from '../config/environment-types';
import { configureBackend } from './backend';
import { externalOwnerEntries, isEntraOwner, ownerCapsuleUsers, ownerKey, ownerPrincipal, tenantOwner } from './tenant-owners';

export interface ClusterStackProps {
  /** The validated environment. */
  readonly env: EnvironmentConfig;
}

/**
 * `<env>-cluster`: Entra ID groups, users and memberships; the AKS cluster; Azure role assignments.
 * Later stacks use its public properties, which cdktf turns into cross-stack references (remote state).
 */
export class ClusterStack extends TerraformStack {
  public readonly directory: EntraDirectory;
  public readonly aks: AksCluster;
  /** Container Insights, managed Prometheus and audit logs, when the environment turns any of them on. */
  public readonly monitoring?: AksMonitoring;
  /** Object ID of the cluster admin group (AKS admins, ignored by capsule-proxy). */
  public readonly adminGroupObjectId: string;
  /** Object ID of the Capsule users group. */
  public readonly capsuleUsersGroupObjectId: string;
  /** Key Vault of the published tenant kubeconfigs (unless `tenancy.kubeconfigs.publish` is false or no tenants). */
  public readonly kubeconfigVault?: KubeconfigVault;
  private readonly env: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    const env = props.env;
    this.env = env;
    configureBackend(this, env, id);

    new AzurermProvider(this, 'azurerm', {
      features: [{}],
      subscriptionId: env.azure?.subscriptionId,
      tenantId: env.azure?.tenantId,
      storageUseAzuread: true,
    });
    new AzureadProvider(this, 'azuread', { tenantId: env.azure?.tenantId });
    new RandomProvider(this, 'random', {});
    new TimeProvider(this, 'time', {});

    // ServiceAccount owners live in the cluster: no Entra object, no Azure role.
    const ownerRefs = Object.entries(env.tenants ?? {})
      .flatMap(([, t]) => t.owners)
      .filter(isEntraOwner);
    const groups: Record<string, EntraGroupSpec> = { ...env.entra.groups };
    const users: Record<string, EntraUserSpec> = {};
    for (const [key, u] of Object.entries(env.entra.users ?? {})) {
      users[key] = { userPrincipalName: userPrincipalName(env, key), displayName: u.displayName, memberOf: u.memberOf };
    }
    // Owners given by object ID or UPN outside the entra section are referenced (for their Azure roles).
    const external = externalOwnerEntries(ownerRefs);
    Object.assign(groups, external.groups);
    Object.assign(users, external.users);
    const owners = new Map(ownerRefs.map((o) => [ownerKey(o), o]));
    // No membership of owners in the Capsule users group: every owner is listed in Capsule's manager.options.users
    // by itself (CapsuleStack), so no nested Entra membership is needed, and none is created between groups this
    // environment only references (azuread 3.7.0 group_member_resource.go refuses to create one that exists).
    this.directory = new EntraDirectory(this, 'entra', { groups, users });
    this.adminGroupObjectId = this.directory.groupObjectId(env.entra.clusterAdminGroup);
    this.capsuleUsersGroupObjectId = this.directory.groupObjectId(env.entra.capsuleUsersGroup);

    const c = env.cluster;
    this.aks = new AksCluster(this, 'aks', {
      name: c.name,
      location: env.location,
      resourceGroupName: c.resourceGroup,
      createResourceGroup: c.createResourceGroup,
      nodeResourceGroupName: c.nodeResourceGroup,
      dnsPrefix: c.dnsPrefix,
      tenantId: env.azure?.tenantId,
      kubernetesVersion: c.kubernetesVersion,
      skuTier: c.skuTier,
      networkPolicy: c.networkPolicy,
      localAccountsEnabled: c.localAccountsEnabled,
      authorizedIpRanges: c.authorizedIpRanges,
      nodePool: c.nodePool,
      nodePools: c.nodePools,
      network: c.network,
      automaticUpgradeChannel: c.automaticUpgradeChannel,
      nodeOsUpgradeChannel: c.nodeOsUpgradeChannel,
      maintenanceWindows: c.maintenanceWindows,
      adminGroupObjectIds: [this.adminGroupObjectId],
      preventDestroy: env.protected ?? false,
      tags: { environment: env.name, 'managed-by': 'capsule-aks', ...(c.tags ?? {}) },
    });

    const mon = env.monitoring;
    if (mon && (mon.containerInsights || mon.managedPrometheus || mon.auditLogs?.length)) {
      this.monitoring = new AksMonitoring(this, 'monitoring', {
        cluster: this.aks,
        logAnalytics: mon.logAnalytics,
        containerInsights: mon.containerInsights,
        managedPrometheus: mon.managedPrometheus,
        auditLogs: mon.auditLogs as AksAuditLogCategory[] | undefined,
        tags: { environment: env.name, 'managed-by': 'capsule-aks', ...(c.tags ?? {}) },
      });
    }

    const access = env.access ?? {};
    const scopeKind = access.tenantRoleScope ?? 'cluster';
    const subscription = scopeKind === 'cluster' ? undefined : new DataAzurermSubscription(this, 'subscription', {});
    const roleScope =
      scopeKind === 'cluster'
        ? this.aks
        : scopeKind === 'resourceGroup'
          ? `${subscription!.id}/resourceGroups/${c.resourceGroup}`
          : subscription!.id;
    const principals: Record<string, AksAccessPrincipal> = {};
    for (const k of [...owners.keys()].sort()) principals[k] = ownerPrincipal(owners.get(k)!, this.directory);
    new AksAccess(this, 'tenant-owner-access', { scope: roleScope, principals, roles: TENANT_OWNER_ROLES });

    if (access.clusterAdminPrincipalId !== undefined || (access.deployerClusterAdmin ?? true)) {
      const objectId = access.clusterAdminPrincipalId ?? new DataAzurermClientConfig(this, 'deployer', {}).objectId;
      const installer = new AksAccess(this, 'installer-access', {
        scope: this.aks,
        principals: { 'capsule-installer': { objectId } },
        roles: [CLUSTER_ADMIN_ROLE],
        // The capsule stack uses this role right after this stack in one `cdktf deploy $(npm run -s stacks -- <env>)`: without the wait
        // its first API call gets 403 until Azure RBAC has propagated (AKS_RBAC_PROPAGATION_SECONDS cites the docs).
        propagationWaitSeconds: access.clusterAdminPropagationSeconds ?? AKS_RBAC_PROPAGATION_SECONDS,
      });
      if (access.clusterAdminPrincipalId === undefined) {
        reportPolicyFinding(installer, 'CAKS011', '"AKS RBAC Cluster Admin" goes to whoever runs Terraform (access.deployerClusterAdmin, the default): a deploy by another person or by CI moves it to them, and the previous holder loses it', {
          fix: 'set access.clusterAdminPrincipalId to the identity that deploys this environment',
        });
      }
    }

    // Tenant kubeconfigs (no credentials) published where each tenant's owners read them with their own identity.
    const publication = env.tenancy?.kubeconfigs;
    if ((publication?.publish ?? true) && Object.keys(env.tenants ?? {}).length > 0) {
      const suffix = publication?.keyVaultName
        ? undefined
        : new StringResource(this, 'kubeconfig-vault-suffix', { length: 8, special: false, upper: false, lower: true, numeric: true });
      this.kubeconfigVault = new KubeconfigVault(this, 'kubeconfig-vault', {
        name: publication?.keyVaultName ?? `kubeconfigs-${suffix!.result}`,
        location: env.location,
        resourceGroupName: this.aks.resourceGroupName,
        tenantId: this.aks.tenantId,
        // The identity deploying <env>-tenants writes the secrets.
        writerObjectId: access.clusterAdminPrincipalId ?? new DataAzurermClientConfig(this, 'kubeconfig-writer', {}).objectId,
        purgeProtection: env.protected ?? false,
        preventDestroy: env.protected ?? false,
        tags: { environment: env.name, 'managed-by': 'capsule-aks' },
      });
      new TerraformOutput(this, 'kubeconfig_vault', { value: this.kubeconfigVault.vault.name, description: 'Key Vault of the tenant kubeconfigs (secret kubeconfig-<tenant>)' });
    }

    // The CI plan identity (README "CI/CD") plans <env>-capsule and <env>-tenants right after this stack is applied
    // (deploy.yml plan-2, plan-3): it is granted its read access here, with the cluster, so that even the first
    // plans of a new cluster work (a role assignment at the cluster's scope cannot be made before the cluster exists).
    if (access.planPrincipalId !== undefined) this.grantPlanReader(access.planPrincipalId, access.clusterAdminPropagationSeconds ?? AKS_RBAC_PROPAGATION_SECONDS);

    new TerraformOutput(this, 'cluster_name', { value: this.aks.name, description: 'AKS cluster name' });
    new TerraformOutput(this, 'cluster_id', { value: this.aks.id, description: 'AKS cluster resource ID' });
    new TerraformOutput(this, 'resource_group', { value: this.aks.resourceGroupName, description: 'Resource group of the cluster' });
    new TerraformOutput(this, 'host', { value: this.aks.host, sensitive: true, description: 'API server URL' });
    new TerraformOutput(this, 'cluster_ca_certificate', { value: this.aks.clusterCaCertificate, sensitive: true, description: 'Base64 cluster CA' });
    new TerraformOutput(this, 'oidc_issuer_url', { value: this.aks.oidcIssuerUrl, description: 'OIDC issuer for workload identity' });
    new TerraformOutput(this, 'group_object_ids', {
      value: Object.fromEntries(this.directory.groupKeys.map((k) => [k, this.directory.groupObjectId(k)])),
      description: 'Entra ID group object IDs by key',
    });
    // No password outputs: the capsule and tenants stacks read this stack with terraform_remote_state, which copies
    // every output (sensitive ones too) into their state. The initial passwords stay in this stack's state only
    // (random_password resources): `npm run initial-passwords -- <env>` prints them for an admin.
    for (const k of this.directory.createdUserKeys) {
      new TerraformOutput(this, `user_${k.replace(/-/g, '_')}_upn`, { value: this.directory.userPrincipalName(k) });
    }
  }

  /**
   * Read access for the CI plan identity: a custom role "capsule-aks plan reader (<subscription>/<resource group>/<cluster>)" on the
   * cluster with the Kubernetes data action of every kind's read (the wildcard data action below; Secrets
   * included: the helm provider refreshes its release records, which are Secrets; the built-in "Azure Kubernetes
   * Service RBAC Reader" excludes Secrets and custom resources such as Tenants), the cluster's control-plane read and
   * listClusterUserCredential, and "Key Vault Secrets User" on the kubeconfig vault (Terraform refreshes each
   * azurerm_key_vault_secret by reading its value). Then a wait for Azure RBAC to propagate, as for the admin role.
   */
  private grantPlanReader(principalId: string, waitSeconds: number): void {
    const c = this.env.cluster;
    // The resource group's own ID: azurerm v4.55.0 role_definition_resource.go:64-67 makes `scope` ForceNew, and an ID
    // derived from the cluster's would be unknown (a replaced role) whenever the cluster is replaced. An existing
    // group's ID comes from a data source, read at plan time (resource_group_data_source.go:46-56 formats it from the
    // provider's subscription and the name, as the resource does).
    const rgId =
      this.aks.resourceGroup?.id ??
      new DataAzurermResourceGroup(this, 'plan-reader-resource-group', terraformLiterals(this, 'plan-reader-resource-group', { name: c.resourceGroup })).id;
    // Custom role names are unique in the whole Entra tenant, across subscriptions: the subscription is part of it.
    const subscription = this.env.azure?.subscriptionId;
    const role = new RoleDefinition(this, 'plan-reader-role', {
      ...terraformLiterals(this, 'plan-reader-role', {
        name: `capsule-aks plan reader (${subscription ? `${subscription}/` : ''}${c.resourceGroup}/${c.name})`,
        description: `Read-only access of the CI plan identity to AKS cluster ${c.name}: Kubernetes objects (Secrets included) and the cluster resource`,
      }),
      scope: rgId,
      assignableScopes: [rgId],
      permissions: [
        {
          actions: ['Microsoft.ContainerService/managedClusters/read', 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action'],
          dataActions: ['Microsoft.ContainerService/managedClusters/*/read'],
        },
      ],
    });
    const assignments = [
      new RoleAssignment(this, 'plan-reader', { scope: this.aks.id, roleDefinitionId: role.roleDefinitionResourceId, principalId, principalType: 'ServicePrincipal' }),
    ];
    if (this.kubeconfigVault) {
      assignments.push(new RoleAssignment(this, 'plan-reader-kubeconfigs', { scope: this.kubeconfigVault.vault.id, roleDefinitionName: 'Key Vault Secrets User', principalId, principalType: 'ServicePrincipal' }));
    }
    if (waitSeconds > 0) {
      new Sleep(this, 'plan-reader-propagation', {
        createDuration: `${waitSeconds}s`,
        triggers: Object.fromEntries(assignments.map((a) => [a.node.id, a.id])),
        dependsOn: assignments,
      });
    }
  }

  /** Object ID of a group by key (entra.groups, or `ext-…` for owners given by object ID). */
  public groupObjectId(key: string): string {
    return this.directory.groupObjectId(key);
  }

  /** A tenant owner as Capsule sees it on AKS (stacks/tenant-owners.ts). */
  public tenantOwner(o: TenantOwnerConfig): TenantOwner {
    return tenantOwner(o, this.directory);
  }

  /** Every tenant owner of the environment once (kind and name), sorted: Capsule users by themselves. */
  public tenantOwnerUsers(): CapsuleUser[] {
    return ownerCapsuleUsers(Object.values(this.env.tenants ?? {}).flatMap((t) => t.owners), this.directory);
  }

  /** The environment this stack was built from. */
  public get environment(): EnvironmentConfig {
    return this.env;
  }
}
