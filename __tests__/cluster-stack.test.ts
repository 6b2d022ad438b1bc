import { Testing } from 'cdktf';
import { ClusterStack } from '../stacks/cluster-stack';
import { loadEnvironments } from '../config/load';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { baseEnv, ENV_DIR, envFrom, Json, problemsOf, resources, synthJson } from './helpers';

function synthPoc(mutate: (e: Json) => void = () => undefined) {
  const data = baseEnv();
  mutate(data);
  const app = Testing.app();
  const stack = new ClusterStack(app, 'poc-cluster', { env: envFrom(data, 'poc') });
  return synthJson(stack);
}

const poc = synthPoc();

describe('ClusterStack (POC environment)', () => {
  test('creates the four POC groups as security groups', () => {
    const groups = resources(poc, 'azuread_group');
    expect(groups.map((g: Json) => g.display_name).sort()).toEqual(['capsuleAdminGroup', 'capsuleDevGroup', 'capsuleGroup', 'capsuleStagingGroup']);
    for (const g of groups) expect(g).toMatchObject({ security_enabled: true, mail_enabled: false, prevent_duplicate_names: true });
  });

  test('creates the POC users at the UPN domain with forced password change and generated passwords', () => {
    const users = resources(poc, 'azuread_user');
    expect(users.map((u: Json) => u.user_principal_name).sort()).toEqual([
      'capsule-admin@contoso.onmicrosoft.com',
      'capsule-user-dev@contoso.onmicrosoft.com',
      'capsule-user-staging@contoso.onmicrosoft.com',
    ]);
    for (const u of users) {
      expect(u.force_password_change).toBe(true);
      expect(u.password).toMatch(/^\$\{random_password\.[^}]+\.result\}$/);
    }
    expect(resources(poc, 'random_password')).toHaveLength(3);
  });

  test('memberships: created users join created groups; no owner group is nested in the Capsule group (issue 12.5)', () => {
    const members = Object.keys(poc.resource.azuread_group_member);
    const pairs = members.map((k) => k.replace(/^entra_member-/, '').replace(/_[0-9A-F]{8}$/, '')).sort();
    expect(pairs).toEqual(['admin--capsule-admin', 'dev--capsule-user-dev', 'staging--capsule-user-staging']);
  });

  test('passwords are never outputs (the other stacks copy every output): only the UPNs are', () => {
    expect(Object.keys(poc.output).filter((k) => k.includes('password'))).toEqual([]);
    expect(Object.keys(poc.output).filter((k) => /^user_.*_upn$/.test(k))).toHaveLength(3);
  });

  test('tenant owner groups get Reader and AKS Cluster User Role on the cluster', () => {
    const ra = resources(poc, 'azurerm_role_assignment').filter((r: Json) => r.principal_type === 'Group');
    expect(ra.map((r: Json) => r.role_definition_name).sort()).toEqual([
      'Azure Kubernetes Service Cluster User Role',
      'Azure Kubernetes Service Cluster User Role',
      'Reader',
      'Reader',
    ]);
    for (const r of ra) expect(r.scope).toMatch(/azurerm_kubernetes_cluster\..*\.id/);
  });

  test('the deploying identity gets AKS RBAC Cluster Admin on the cluster', () => {
    const ra = resources(poc, 'azurerm_role_assignment').filter((r: Json) => r.role_definition_name === 'Azure Kubernetes Service RBAC Cluster Admin');
    expect(ra).toHaveLength(1);
    expect(ra[0].principal_id).toMatch(/data\.azurerm_client_config\..*\.object_id/);
  });

  test('the POC cluster names', () => {
    const c = resources(poc, 'azurerm_kubernetes_cluster')[0];
    expect(c).toMatchObject({ name: 'aw-capsule', location: 'francecentral', node_resource_group: 'aw-capsule-vm' });
    expect(resources(poc, 'azurerm_resource_group')[0].name).toBe('aw-capsule');
  });

  test('no monitoring resources (the POC had none)', () => {
    const c = resources(poc, 'azurerm_kubernetes_cluster')[0];
    expect(c.oms_agent).toBeUndefined();
    expect(c.monitor_metrics).toBeUndefined();
    expect(Object.keys(poc.resource).filter((t) => /monitor|log_analytics/.test(t))).toEqual([]);
  });

  test('local backend by default', () => expect(poc.terraform.backend).toEqual({ local: { path: '../../../terraform.poc-cluster.tfstate' } }));

  test('outputs for later stacks; host and CA sensitive', () => {
    expect(Object.keys(poc.output)).toEqual(expect.arrayContaining(['cluster_name', 'cluster_id', 'host', 'cluster_ca_certificate', 'group_object_ids']));
    expect(poc.output.host.sensitive).toBe(true);
    expect(poc.output.cluster_ca_certificate.sensitive).toBe(true);
  });
});

describe('ClusterStack options', () => {
  test('subscription scope reproduces the POC', () => {
    const json = synthPoc((e) => (e.access = { tenantRoleScope: 'subscription' }));
    const ra = resources(json, 'azurerm_role_assignment').filter((r: Json) => r.principal_type === 'Group');
    for (const r of ra) expect(r.scope).toMatch(/^\$\{data\.azurerm_subscription\.[^}]+\.id\}$/);
  });

  test('resource group scope', () => {
    const json = synthPoc((e) => (e.access = { tenantRoleScope: 'resourceGroup' }));
    const ra = resources(json, 'azurerm_role_assignment').filter((r: Json) => r.principal_type === 'Group');
    for (const r of ra) expect(r.scope).toMatch(/\/resourceGroups\/aw-capsule$/);
  });

  test('deployer cluster admin can be switched off', () => {
    const json = synthPoc((e) => (e.access = { deployerClusterAdmin: false }));
    expect(resources(json, 'azurerm_role_assignment').filter((r: Json) => r.role_definition_name.includes('RBAC Cluster Admin'))).toHaveLength(0);
  });

  test('cluster admin role can go to another principal', () => {
    const id = '99999999-9999-9999-9999-999999999999';
    const json = synthPoc((e) => (e.access = { clusterAdminPrincipalId: id }));
    const ra = resources(json, 'azurerm_role_assignment').filter((r: Json) => r.role_definition_name.includes('RBAC Cluster Admin'));
    expect(ra.map((r: Json) => r.principal_id)).toEqual([id]);
    // Only the cluster's own client config (its Entra tenant), not the deployer's object ID.
    expect(Object.keys(json.data?.azurerm_client_config ?? {})).toEqual([expect.stringMatching(/^aks_client-config_/)]);
  });

  test('existing groups by object ID are referenced, not created, and get no membership', () => {
    const json = synthPoc((e) => {
      e.entra.groups.capsule = { objectId: '22222222-2222-2222-2222-222222222222' };
    });
    expect(resources(json, 'azuread_group').map((g: Json) => g.display_name)).not.toContain('capsuleGroup');
    const members = resources(json, 'azuread_group_member').map((m: Json) => m.group_object_id);
    expect(members).not.toContain('22222222-2222-2222-2222-222222222222');
  });

  test('azurerm backend with a key per stack and Entra ID auth', () => {
    const json = synthPoc((e) => (e.state = { backend: 'azurerm', resourceGroupName: 'tf', storageAccountName: 'tfstate1', containerName: 'tfstate', keyPrefix: 'capsule/' }));
    expect(json.terraform.backend.azurerm).toMatchObject({ key: 'capsule/poc-cluster.tfstate', use_azuread_auth: true, storage_account_name: 'tfstate1' });
  });

  test('protected environments prevent destroy of the cluster', () => {
    const json = synthPoc((e) => {
      e.protected = true;
      e.access = { ...e.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
    });
    expect(resources(json, 'azurerm_kubernetes_cluster')[0].lifecycle).toEqual({ prevent_destroy: true });
  });

  test('owners given by UPN are looked up and joined to the Capsule group', () => {
    const json = synthPoc((e) => e.tenants.dev.owners.push({ userPrincipalName: 'alice@contoso.com' }));
    expect(Object.values(json.data.azuread_user)).toEqual([expect.objectContaining({ user_principal_name: 'alice@contoso.com' })]);
    const ra = resources(json, 'azurerm_role_assignment').filter((r: Json) => r.principal_type === 'User');
    expect(ra).toHaveLength(2);
  });
});

describe('ClusterStack: Azure RBAC propagation before the capsule stack (first deploy)', () => {
  test('a 300 s time_sleep after the deployer\'s AKS RBAC Cluster Admin assignment, with the time provider', () => {
    const [key] = Object.entries(poc.resource.azurerm_role_assignment).find(([, r]) => (r as Json).role_definition_name === 'Azure Kubernetes Service RBAC Cluster Admin')!;
    // (The other time_sleep is the kubeconfig vault writer's, see tenant-rules.test.ts.)
    const sleeps = aksSleeps(poc);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toMatchObject({ create_duration: '300s', depends_on: [`azurerm_role_assignment.${key}`] });
    expect(poc.terraform.required_providers.time).toMatchObject({ source: 'hashicorp/time' });
  });

  test('access.clusterAdminPropagationSeconds sets the wait; 0 turns it off', () => {
    expect(aksSleeps(synthPoc((e) => (e.access.clusterAdminPropagationSeconds = 600)))[0].create_duration).toBe('600s');
    expect(aksSleeps(synthPoc((e) => (e.access.clusterAdminPropagationSeconds = 0)))).toEqual([]);
  });

  test('no installer assignment, no wait', () => {
    expect(aksSleeps(synthPoc((e) => (e.access.deployerClusterAdmin = false)))).toEqual([]);
  });
});

/** The waits after the AKS RBAC Cluster Admin assignment (not the kubeconfig vault writer's). */
function aksSleeps(json: Json): Json[] {
  return resources(json, 'time_sleep').filter((t: Json) => !JSON.stringify(t.depends_on).includes('kubeconfig-vault'));
}

describe('ClusterStack (production environment, issue 15)', () => {
  const app = Testing.app();
  const prod = synthJson(new ClusterStack(app, 'production-cluster', { env: loadEnvironments(ENV_DIR).find((e) => e.name === 'production')! }));
  const cluster = resources(prod, 'azurerm_kubernetes_cluster')[0];

  test('both maintenance windows (weekly) with the patch and NodeImage channels', () => {
    expect(cluster).toMatchObject({ automatic_upgrade_channel: 'patch', node_os_upgrade_channel: 'NodeImage' });
    expect(cluster.maintenance_window_auto_upgrade).toMatchObject({ frequency: 'Weekly', day_of_week: 'Sunday', duration: 4 });
    expect(cluster.maintenance_window_node_os).toMatchObject({ frequency: 'Weekly', day_of_week: 'Wednesday', duration: 4 });
  });
  test('Container Insights and managed Prometheus on, audit logs (kube-audit-admin, guard) to the same workspace', () => {
    const law = Object.keys(prod.resource.azurerm_log_analytics_workspace);
    expect(law).toHaveLength(1);
    expect(cluster.oms_agent.log_analytics_workspace_id).toBe(`\${azurerm_log_analytics_workspace.${law[0]}.id}`);
    expect(cluster.monitor_metrics).toEqual({});
    expect(resources(prod, 'azurerm_monitor_data_collection_rule').map((r: Json) => r.name).sort()).toEqual(['MSCI-westeurope-capsule-prod', 'MSProm-westeurope-capsule-prod']);
    expect(resources(prod, 'azurerm_monitor_data_collection_rule_association')).toHaveLength(3);
    const diag = resources(prod, 'azurerm_monitor_diagnostic_setting');
    expect(diag).toEqual([expect.objectContaining({ log_analytics_workspace_id: cluster.oms_agent.log_analytics_workspace_id, enabled_log: [{ category: 'kube-audit-admin' }, { category: 'guard' }] })]);
  });
  test('nodes in a subnet of their own (created VNet), Azure CNI overlay with Calico, both pools in it', () => {
    expect(resources(prod, 'azurerm_subnet')).toEqual([expect.objectContaining({ name: 'nodes', address_prefixes: ['10.20.0.0/22'] })]);
    expect(cluster.default_node_pool.vnet_subnet_id).toMatch(/^\$\{azurerm_subnet\./);
    expect(resources(prod, 'azurerm_kubernetes_cluster_node_pool')[0].vnet_subnet_id).toBe(cluster.default_node_pool.vnet_subnet_id);
    expect(cluster.network_profile).toMatchObject({ network_plugin: 'azure', network_plugin_mode: 'overlay', network_policy: 'calico' });
  });
  test('one system pool (only critical add-ons) and one user pool', () => {
    expect(cluster.default_node_pool).toMatchObject({ name: 'system', only_critical_addons_enabled: true });
    const pools = resources(prod, 'azurerm_kubernetes_cluster_node_pool');
    expect(pools.map((p: Json) => [p.name, p.mode])).toEqual([['apps', 'User']]);
  });
});

describe('ClusterStack: the CI plan identity can read the new cluster (access.planPrincipalId)', () => {
  const PLAN = '3f2b1c4d-5e6f-4a1b-9c2d-000000000077';
  const json = synthPoc((e) => (e.access = { ...e.access, planPrincipalId: PLAN }));
  test('a custom role on the cluster reads every Kubernetes kind (Secrets: the helm release records; Tenants), assigned to the plan identity at the cluster scope', () => {
    const [role] = resources(json, 'azurerm_role_definition');
    expect(role.permissions).toEqual([
      {
        actions: ['Microsoft.ContainerService/managedClusters/read', 'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action'],
        data_actions: ['Microsoft.ContainerService/managedClusters/*/read'],
      },
    ]);
    // The created resource group's own ID: azurerm role_definition `scope` is ForceNew, and one derived from the
    // cluster's ID would replace the role whenever the cluster is replaced.
    expect(role.scope).toMatch(/^\$\{azurerm_resource_group\.[\w-]+\.id\}$/);
    expect(role.assignable_scopes).toEqual([role.scope]);
    expect(role.name).toBe('capsule-aks plan reader (aw-capsule/aw-capsule)');
    const mine = resources(json, 'azurerm_role_assignment').filter((a: Json) => a.principal_id === PLAN);
    expect(mine.map((a: Json) => [a.role_definition_id ?? a.role_definition_name, a.scope.replace(/_[0-9A-F]{8}\./, '.')]).sort()).toEqual([
      ['${azurerm_role_definition.plan-reader-role.role_definition_resource_id}', '${azurerm_kubernetes_cluster.aks_cluster.id}'],
      ['Key Vault Secrets User', '${azurerm_key_vault.kubeconfig-vault.id}'],
    ]);
  });
  test('an existing resource group: the scope is its ID from a data source (read at plan, not derived from the cluster ID, which a replaced cluster makes unknown); the subscription is in the role name (unique per Entra tenant)', () => {
    const sub = '9b1c2d3e-4f5a-4b6c-8d7e-0123456789ab';
    const j = synthPoc((e) => {
      e.access = { ...e.access, planPrincipalId: PLAN };
      e.azure = { ...e.azure, subscriptionId: sub };
      e.cluster.createResourceGroup = false;
    });
    const [role] = resources(j, 'azurerm_role_definition');
    expect(role.scope).toBe('${data.azurerm_resource_group.plan-reader-resource-group.id}');
    expect(role.assignable_scopes).toEqual([role.scope]);
    expect(j.data.azurerm_resource_group['plan-reader-resource-group'].name).toBe('aw-capsule');
    expect(JSON.stringify(role)).not.toContain('azurerm_kubernetes_cluster');
    expect(role.name).toBe(`capsule-aks plan reader (${sub}/aw-capsule/aw-capsule)`);
  });
  test('then waits for Azure RBAC to propagate (300 s), so plan-2 of the same deploy run gets no 403', () => {
    const sleep = json.resource.time_sleep['plan-reader-propagation'];
    expect(sleep.create_duration).toBe('300s');
    expect(sleep.depends_on).toEqual(['azurerm_role_assignment.plan-reader', 'azurerm_role_assignment.plan-reader-kubeconfigs']);
  });
  test('without planPrincipalId nothing is granted; production names its plan identity', () => {
    expect(resources(poc, 'azurerm_role_definition')).toEqual([]);
    const prod = loadEnvironments(ENV_DIR).find((e) => e.name === 'production')!;
    expect(prod.access?.planPrincipalId).toBeDefined();
  });
});

describe('ClusterStack: "AKS RBAC Cluster Admin" does not follow whoever deploys', () => {
  test('a protected environment without access.clusterAdminPrincipalId is refused at the protected line, saying what to set', () => {
    const data = baseEnv() as Json;
    data.protected = true;
    data.cluster.authorizedIpRanges = ['203.0.113.0/24'];
    expect(problemsOf(data)).toEqual([expect.stringMatching(/^test\.yaml:\d+: protected: true needs access\.clusterAdminPrincipalId: the object ID of the identity that deploys this environment/)]);
    data.access = { ...data.access, deployerClusterAdmin: false };
    expect(problemsOf(data)).toEqual([]);
    data.access = { ...data.access, deployerClusterAdmin: true, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
    expect(problemsOf(data)).toEqual([]);
  });
  test('an unprotected environment gets the warning CAKS011 (acknowledged by the POC, which one person deploys by hand)', () => {
    const data = baseEnv() as Json;
    delete data.policy.acknowledge.CAKS011;
    const app = Testing.app();
    const stacks = createEnvironmentStacks(app, envFrom(data, 'poc'));
    app.synth();
    const warnings = stacks.cluster.node.findAll().flatMap((n) => n.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => `${n.node.path}: ${String(m.data)}`));
    expect(warnings).toEqual([expect.stringMatching(/^poc-cluster\/installer-access: \[CAKS011\] "AKS RBAC Cluster Admin" goes to whoever runs Terraform/)]);
    data.access = { ...data.access, clusterAdminPrincipalId: '3f2b1c4d-5e6f-4a1b-9c2d-000000000066' };
    const app2 = Testing.app();
    const again = createEnvironmentStacks(app2, envFrom(data, 'poc'));
    app2.synth();
    expect(again.cluster.node.findAll().flatMap((n) => n.node.metadata.filter((m) => m.type === '@cdktf/warn'))).toEqual([]);
  });
});
