import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentError, loadEnvironments } from '../config/load';
import { stringify } from 'yaml';
import { baseEnv, ENV_DIR, Json, problemsOf, renamedEnv, runApp } from './helpers';

const POC = fs.readFileSync(path.join(ENV_DIR, 'poc.yaml'), 'utf8');

function mutated(fn: (e: Json) => void): Json {
  const e = baseEnv();
  fn(e);
  return e;
}

describe('bundled environments', () => {
  test('poc and production load', () => {
    const envs = loadEnvironments(ENV_DIR);
    expect(envs.map((e) => e.name)).toEqual(expect.arrayContaining(['poc', 'production']));
  });
  test('a tenant pinned to an existing pool (its labels, a dedicated pool, or the AKS agentpool label) is accepted', () => {
    for (const selector of [{ workload: 'apps' }, { 'capsule-aks.io/pool': 'tenants' }, { 'kubernetes.azure.com/agentpool': 'system' }]) {
      const data = mutated((e) => {
        e.cluster.nodePools = { apps: { labels: { workload: 'apps' } }, tenants: { dedicated: true } };
        e.tenants.dev.nodeSelector = selector;
      });
      expect(problemsOf(data)).toEqual([]);
    }
  });
  test('production pins a Kubernetes minor in AKS standard support on 2026-11-28 (1.35: upstream end of life 2027-02-28; 1.34 ended 2026-10-27)', () => {
    const prod = loadEnvironments(ENV_DIR).find((e) => e.name === 'production');
    const [major, minor] = (prod?.cluster.kubernetesVersion ?? '0.0').split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(35);
  });
});

describe('environment file validation', () => {
  test.each<[string, Json | string, RegExp]>([
    ['malformed YAML', 'location: francecentral\nfoo: [\n', /test\.yaml:\d+:\d+: malformed YAML/],
    ['malformed YAML: one problem, the first (not one per token after it)', 'location: francecentral\nentra:\n  groups:\n    admin: { displayName: capsuleAdminGroup ${file("/etc/hostname")} }\ncluster:\n  name: a\n  resourceGroup: b\n', /^test\.yaml:4:\d+: malformed YAML: .*\d+ more errors? after it, usually caused by this one\)$/],
    ['duplicate YAML keys', 'location: francecentral\nlocation: westeurope\n', /test\.yaml:2: \(top level\): duplicate key "location" \(first defined on line 1\)/],
    ['duplicate tenants', POC.replace(/^tenants:\n/m, 'tenants:\n  dev:\n    owners:\n      - group: staging\n'), /test\.yaml:\d+: tenants: duplicate tenant "dev" \(first defined on line \d+\); each tenant must appear once/],
    ['not a mapping', '- a\n- b\n', /must be a YAML mapping/],
    ['unknown key with suggestion', mutated((e) => (e.cluster.nodepool = {})), /cluster\.nodepool: unknown key "nodepool" \(did you mean "nodePool"\?\)/],
    ['unknown key in one of several forms, with suggestion', mutated((e) => (e.tenants.dev.owners = [{ grop: 'dev' }])), /tenants\.dev\.owners\.0: \{"grop":"dev"\} matches none of the allowed forms .*\{ group \} \| \{ user \}.*; did you mean "grop" -> "group"\?/],
    ['wrong type', mutated((e) => (e.protected = 'yes')), /protected: "yes" .*boolean/],
    ['missing required field', mutated((e) => delete e.cluster.name), /cluster\.name: is required/],
    ['unknown location', mutated((e) => (e.location = 'francecentrl')), /location: "francecentrl" must be an Azure region/],
    ['object ID not a GUID', mutated((e) => (e.entra.groups.admin = { objectId: 'abc' })), /entra\.groups\.admin\.objectId: "abc" must be a GUID/],
    ['invalid CIDR', mutated((e) => (e.cluster.authorizedIpRanges = ['300.1.1.1/24'])), /cluster\.authorizedIpRanges\.0: "300.1.1.1\/24" must be an IPv4 or IPv6 CIDR/],
    ['invalid cluster name', mutated((e) => (e.cluster.name = 'aw capsule')), /cluster\.name: "aw capsule" must be 1-63 characters/],
    ['invalid resource group', mutated((e) => (e.cluster.resourceGroup = 'rg.')), /cluster\.resourceGroup: "rg\." must be/],
    ['invalid storage account', mutated((e) => (e.state = { backend: 'azurerm', resourceGroupName: 'tf', storageAccountName: 'Bad-Name', containerName: 'tfstate' })), /state\.storageAccountName: "Bad-Name" must be 3-24 lowercase/],
    ['invalid UPN domain', mutated((e) => (e.entra.upnDomain = 'contoso')), /entra\.upnDomain: "contoso" must be a DNS domain/],
    ['unknown admin group key', mutated((e) => (e.entra.clusterAdminGroup = 'admins')), /entra\.clusterAdminGroup: "admins" must be a key of entra\.groups: admin, dev, staging, capsule/],
    ['unknown memberOf group', mutated((e) => (e.entra.users['capsule-admin'].memberOf = ['root'])), /entra\.users\.capsule-admin\.memberOf\.0: "root" must be a key of entra\.groups/],
    ['tenant owner with unknown group', mutated((e) => (e.tenants.dev.owners = [{ group: 'devs' }])), /tenants\.dev\.owners\.0\.group: "devs" must be a key of entra\.groups/],
    ['tenant name with uppercase', mutated((e) => (e.tenants.Dev = { owners: [{ group: 'dev' }] })), /tenants\.Dev: key "Dev" must be 1-40 lowercase letters/],
    ['tenant name with underscore', mutated((e) => (e.tenants.dev_team = { owners: [{ group: 'dev' }] })), /tenants\.dev_team: key "dev_team" must be 1-40 lowercase letters, digits and "-"/],
    ['tenant name too long', mutated((e) => (e.tenants['t'.repeat(41)] = { owners: [{ group: 'dev' }] })), /tenants\.t{41}: key "t{41}" must be 1-40 lowercase/],
    ['tenant owner with unknown user', mutated((e) => (e.tenants.dev.owners = [{ user: 'bob' }])), /tenants\.dev\.owners\.0\.user: "bob" must be a key of entra\.users: capsule-admin/],
    ['UPN without a domain (user)', mutated((e) => (e.entra.users['capsule-admin'].userPrincipalName = 'alice')), /entra\.users\.capsule-admin\.userPrincipalName: "alice" must be a user principal name/],
    ['UPN without a domain (tenant owner)', mutated((e) => (e.tenants.dev.owners = [{ userPrincipalName: 'bob@' }])), /tenants\.dev\.owners\.0\.userPrincipalName: "bob@" must be a user principal name/],
    ['invalid DNS prefix', mutated((e) => (e.cluster.dnsPrefix = 'aw_capsule')), /cluster\.dnsPrefix: "aw_capsule" must be 1-54 characters of letters, digits and "-"/],
    ['chart version not pinned', mutated((e) => (e.capsule.chartVersion = '^0.14.0')), /capsule\.chartVersion: "\^0\.14\.0" must be a pinned chart version such as 0\.14\.0/],
    ['chart version "latest"', mutated((e) => (e.capsule.proxy.chartVersion = 'latest')), /capsule\.proxy\.chartVersion: "latest" must be a pinned chart version such as 0\.14\.0/],
    ['local accounts opt-in without local accounts', mutated((e) => (e.policy = { allowLocalAccounts: 'break-glass access for the lab' })), /policy\.allowLocalAccounts: "break-glass access for the lab" is an opt-in for cluster\.localAccountsEnabled: true, which is not set/],
    ['policy section: unknown key with suggestion', mutated((e) => (e.policy = { acknowledged: {} })), /policy\.acknowledged: unknown key "acknowledged" \(did you mean "acknowledge"\?\)/],
    ['node resource group equal to the resource group', mutated((e) => (e.cluster.nodeResourceGroup = 'AW-CAPSULE')), /cluster\.nodeResourceGroup: "AW-CAPSULE" must differ from the cluster's resource group \(AKS creates/],
    ['temporary node pool name equal to the pool name', mutated((e) => (e.cluster.nodePool.temporaryNameForRotation = 'system')), /cluster\.nodePool\.temporaryNameForRotation: "system" must differ from nodePool\.name/],
    ['node count with autoscaling', mutated((e) => (e.cluster.nodePool.autoscaling = { minCount: 1, maxCount: 3 })), /cluster\.nodePool\.nodeCount: 2 must not be set together with autoscaling/],
    ['users without UPN domain', mutated((e) => delete e.entra.upnDomain), /entra\.users\.capsule-admin: .*needs userPrincipalName, or entra\.upnDomain/],
    ['user pool name AKS refuses', mutated((e) => (e.cluster.nodePools = { 'user-pool': {} })), /cluster\.nodePools\.user-pool: key "user-pool" must be 1-12 lowercase letters and digits/],
    ['user pool autoscaling bounds out of order', mutated((e) => (e.cluster.nodePools = { apps: { autoscaling: { minCount: 5, maxCount: 3 } } })), /cluster\.nodePools\.apps\.autoscaling\.maxCount: 3 must be at least minCount \(5\)/],
    ['user pool named like the default pool', mutated((e) => (e.cluster.nodePools = { system: {} })), /cluster\.nodePools\.system: .*pool name "system" is already used by cluster\.nodePool\.name/],
    ['node label Kubernetes refuses', mutated((e) => (e.cluster.nodePools = { apps: { labels: { 'team/': 'a' } } })), /cluster\.nodePools\.apps\.labels\.team\/: .*must be a Kubernetes label key/],
    ['node label value Kubernetes refuses', mutated((e) => (e.cluster.nodePools = { apps: { labels: { team: '-a' } } })), /cluster\.nodePools\.apps\.labels\.team: "-a" must be a Kubernetes label value/],
    ['taint Kubernetes refuses', mutated((e) => (e.cluster.nodePools = { apps: { taints: [{ key: 'dedicated', effect: 'NoRun' }] } })), /cluster\.nodePools\.apps\.taints\.0\.effect: "NoRun" .*NoSchedule/],
    ['tenant pinned to a pool that does not exist', mutated((e) => { e.cluster.nodePools = { apps: { labels: { workload: 'apps' } } }; e.tenants.dev.nodeSelector = { workload: 'gpu' }; }), /tenants\.dev\.nodeSelector: \{"workload":"gpu"\} of tenant "dev" matches the labels of no node pool its pods can run on; pools: system \{agentpool: system, .*\}; apps \{workload: apps, /],
    ['tenant pinned to a system pool that runs critical add-ons only', mutated((e) => { e.cluster.nodePool = { name: 'system', onlyCriticalAddons: true }; e.cluster.nodePools = { apps: {} }; e.tenants.dev.nodeSelector = { agentpool: 'system' }; }), /tenants\.dev\.nodeSelector: \{"agentpool":"system"\} of tenant "dev" matches the labels of no node pool its pods can run on; pools: apps \{.*\} \(the system pool system runs critical add-ons only/],
    ['maintenance window that is not a schedule', mutated((e) => (e.cluster.maintenanceWindows = { nodeOs: { dayOfWeek: 'Someday', startTime: '2am' } })), /cluster\.maintenanceWindows\.nodeOs\.dayOfWeek: "Someday" .*Monday[\s\S]*cluster\.maintenanceWindows\.nodeOs\.startTime: "2am" must be a time of day HH:MM/],
    ['maintenance window too short', mutated((e) => (e.cluster.maintenanceWindows = { autoUpgrade: { dayOfWeek: 'Sunday', startTime: '02:00', durationHours: 1 } })), /cluster\.maintenanceWindows\.autoUpgrade\.durationHours: 1 .*4/],
    ['maintenance window UTC offset', mutated((e) => (e.cluster.maintenanceWindows = { autoUpgrade: { dayOfWeek: 'Sunday', startTime: '02:00', utcOffset: 'CET' } })), /cluster\.maintenanceWindows\.autoUpgrade\.utcOffset: "CET" must be a UTC offset/],
    ['auto-upgrade window without channel', mutated((e) => { e.cluster.automaticUpgradeChannel = 'none'; e.cluster.maintenanceWindows = { autoUpgrade: { dayOfWeek: 'Sunday', startTime: '02:00' } }; }), /cluster\.maintenanceWindows\.autoUpgrade: .*has no effect with automaticUpgradeChannel none/],
    ['node-image channel needs NodeImage', mutated((e) => { e.cluster.automaticUpgradeChannel = 'node-image'; e.cluster.nodeOsUpgradeChannel = 'None'; }), /cluster\.nodeOsUpgradeChannel: "None" must be NodeImage when automaticUpgradeChannel is node-image/],
    ['system pool only for add-ons without a pool for Capsule', mutated((e) => { e.cluster.nodePool.onlyCriticalAddons = true; e.cluster.nodePools = { tenants: { dedicated: true } }; }), /cluster\.nodePool\.onlyCriticalAddons: true needs a user pool in cluster\.nodePools without NoSchedule\/NoExecute taints/],
    ['Log Analytics workspace ID that is not one', mutated((e) => (e.monitoring = { containerInsights: true, logAnalytics: { workspaceId: '/subscriptions/abc/workspaces/x' } })), /monitoring\.logAnalytics.*must be a Log Analytics workspace ID/],
    ['unknown audit log category', mutated((e) => (e.monitoring = { auditLogs: ['kube-apiserver'] })), /monitoring\.auditLogs\.0: "kube-apiserver" .*kube-audit-admin/],
    ['subnet ID that is not an Azure subnet ID', mutated((e) => (e.cluster.network = { nodeSubnetId: '/subscriptions/abc/resourceGroups/x/subnets/y' })), /cluster\.network\.nodeSubnetId: ".*" must be an Azure subnet ID: \/subscriptions\/<guid>/],
    ['malformed address range', mutated((e) => (e.cluster.network = { vnet: { addressSpace: ['10.20.0.0/33'], nodeSubnet: '10.20.0.0/22' } })), /cluster\.network\.vnet\.addressSpace\.0: "10\.20\.0\.0\/33" must be an IPv4 or IPv6 CIDR/],
    ['overlapping address ranges', mutated((e) => (e.cluster.network = { mode: 'overlay', vnet: { addressSpace: ['10.20.0.0/16'], nodeSubnet: '10.20.0.0/22' }, podCidr: '10.20.128.0/17' })), /test\.yaml:\d+: cluster\.network\.podCidr: "10\.20\.128\.0\/17" must not overlap the VNet address space \(10\.20\.0\.0\/16\)/],
    ['node subnet outside the VNet', mutated((e) => (e.cluster.network = { vnet: { addressSpace: ['10.20.0.0/16'], nodeSubnet: '10.30.0.0/24' } })), /cluster\.network\.vnet\.nodeSubnet: "10\.30\.0\.0\/24" must lie inside vnet\.addressSpace/],
    ['max surge not a count or percentage', mutated((e) => (e.cluster.nodePool.upgradeSettings = { maxSurge: '10 %' })), /cluster\.nodePool\.upgradeSettings\.maxSurge: "10 %" must be a node count such as "1" or a percentage/],
  ])('%s', (_name, data, message) => {
    const problems = problemsOf(data);
    expect(problems.join('\n')).toMatch(message);
  });

  test('reports the line of the bad value', () => {
    const text = fs.readFileSync(path.join(ENV_DIR, 'poc.yaml'), 'utf8').replace('name: aw-capsule', 'name: "aw capsule"');
    const line = text.split('\n').findIndex((l) => l.includes('"aw capsule"')) + 1;
    expect(problemsOf(text).join('\n')).toContain(`test.yaml:${line}: cluster.name`);
  });

  test('a valid environment has no problems', () => expect(problemsOf(baseEnv())).toEqual([]));

  test('an invalid user pool name is one problem: no extra onlyCriticalAddons line about a pool that is there', () => {
    const problems = problemsOf(mutated((e) => {
      e.cluster.nodePool.onlyCriticalAddons = true;
      e.cluster.nodePools = { Bad_Pool: {} };
    }));
    expect(problems).toEqual([expect.stringMatching(/cluster\.nodePools\.Bad_Pool: key "Bad_Pool" must be 1-12 lowercase letters and digits/)]);
  });

  test('a clash of a default rotation name (not in the file) is reported on the pool\'s own line, saying what to set', () => {
    const text = fs.readFileSync(path.join(ENV_DIR, 'poc.yaml'), 'utf8').replace(/\ncluster:\n/, '\ncluster:\n  nodePools:\n    appstmp: {}\n    apps: {}\n');
    const line = text.split('\n').findIndex((l) => l === '    apps: {}') + 1;
    expect(problemsOf(text)).toEqual([
      `test.yaml:${line}: cluster.nodePools.apps: "appstmp" its default temporaryNameForRotation "appstmp" is already used by cluster.nodePools.appstmp (AKS pool names are unique per cluster); set temporaryNameForRotation to another name`,
    ]);
  });

  test('all problems of a file at once, cross-references included when other fields are invalid', () => {
    const problems = problemsOf(
      mutated((e) => {
        e.location = 'mars';
        e.cluster.nodepool = {};
        e.entra.clusterAdminGroup = 'admins';
        e.tenants.dev.owners = [{ group: 'devs' }];
        e.entra.groups.dev = { objectId: 'abc' };
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/location: "mars"/),
      expect.stringMatching(/entra\.groups\.dev\.objectId: "abc" must be a GUID/),
      expect.stringMatching(/cluster\.nodepool: unknown key/),
      expect.stringMatching(/entra\.clusterAdminGroup: "admins" must be a key of entra\.groups/),
      expect.stringMatching(/tenants\.dev\.owners\.0\.group: "devs" must be a key of entra\.groups/),
    ]);
  });

  test('a duplicate tenant and a schema problem in the same file are both reported', () => {
    const text = POC.replace(/^tenants:\n/m, 'tenants:\n  dev:\n    owners:\n      - group: staging\n').replace(/^location: .*$/m, 'location: mars');
    const problems = problemsOf(text);
    expect(problems).toEqual([expect.stringMatching(/duplicate tenant "dev"/), expect.stringMatching(/location: "mars"/)]);
  });
});

describe('environment directory', () => {
  function dirWith(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envs-'));
    for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), t);
    return dir;
  }
  const poc = fs.readFileSync(path.join(ENV_DIR, 'poc.yaml'), 'utf8');

  test('two files with the same name in different case', () => {
    expect(() => loadEnvironments(dirWith({ 'dev.yaml': poc, 'dev.YAML': poc }))).toThrow(/dev\.yaml: environment name "dev" clashes with .*dev\.YAML \(names must differ in more than case\)/);
  });
  test('a file with a bad or clashing name still has its content validated (all problems at once)', () => {
    expect(() => loadEnvironments(dirWith({ 'dev.yaml': poc, 'Dev.yml': 'location: mars\n' }))).toThrow(/Dev\.yml: file name "Dev" is not a valid[\s\S]*Dev\.yml:1: location: "mars"[\s\S]*dev\.yaml: environment name "dev" clashes with/);
  });
  test('the environments directory missing, empty, or a file: one clear error each', () => {
    expect(() => loadEnvironments(path.join(os.tmpdir(), 'no-such-environments-dir'))).toThrow(/no-such-environments-dir: the environments directory does not exist/);
    expect(() => loadEnvironments(dirWith({ 'notes.txt': 'x' }))).toThrow(/no environment files \(\*\.yaml\)/);
    expect(() => loadEnvironments(path.join(ENV_DIR, 'poc.yaml'))).toThrow(/poc\.yaml: is a file, not the directory of environment files/);
  });
  test('invalid environment file name', () => {
    expect(() => loadEnvironments(dirWith({ 'My_Env.yaml': poc }))).toThrow(/file name "My_Env" is not a valid environment name/);
  });
  test('all problems of all files at once', () => {
    try {
      loadEnvironments(dirWith({ 'a.yaml': 'location: nowhere\n', 'b.yaml': 'x: [\n' }));
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(EnvironmentError);
      expect((e as EnvironmentError).problems.some((p) => p.includes('a.yaml'))).toBe(true);
      expect((e as EnvironmentError).problems.some((p) => p.includes('b.yaml'))).toBe(true);
    }
  });

  test('main exits non-zero with the message and leaves cdktf.out untouched', () => {
    const envDir = dirWith({ 'bad.yaml': 'location: nowhere\n' });
    const { res, out } = runApp(envDir);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/bad\.yaml.*location: "nowhere" must be an Azure region/);
    expect(fs.readdirSync(out)).toEqual(['marker']);
  });
});

describe('environments that would create the same Azure names or share state are refused, naming both files and the field', () => {
  const poc = fs.readFileSync(path.join(ENV_DIR, 'poc.yaml'), 'utf8');
  function problems(files: Record<string, string>): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envs-'));
    for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), t);
    try {
      loadEnvironments(dir);
      return [];
    } catch (e) {
      // File names without their directory.
      return (e as EnvironmentError).problems.map((p) => p.replace(new RegExp(`\\S*${path.basename(dir)}/`, 'g'), ''));
    }
  }
  /** poc.yaml with other names everywhere (made from `n`), then `change` applied. */
  function lab(change: (e: Json) => void = () => undefined, n = 'lab'): string {
    const e = renamedEnv(n);
    change(e);
    return stringify(e);
  }

  test('a verbatim copy (cp poc.yaml lab.yaml): cluster, resource groups, DNS label, groups and users', () => {
    const withLabel = stringify({ ...(baseEnv() as Json), capsule: { proxy: { dnsLabel: 'capsule-proxy' } } });
    const p = problems({ 'poc.yaml': withLabel, 'lab.yaml': withLabel });
    const poc1 = (field: string) => expect.stringMatching(new RegExp(`^poc\\.yaml: ${field.replace(/[.+]/g, '\\$&')} ".*" is also ${field.replace(/[.+]/g, '\\$&')} of lab\\.yaml: `));
    expect(p).toEqual(
      expect.arrayContaining([
        poc1('cluster.name + cluster.resourceGroup'),
        poc1('cluster.resourceGroup'),
        poc1('cluster.nodeResourceGroup'),
        poc1('capsule.proxy.dnsLabel'),
        poc1('entra.groups.admin.displayName'),
        poc1('entra.users.capsule-admin'),
      ]),
    );
    expect(p.find((x) => x.includes('cluster.name'))).toBe(
      'poc.yaml: cluster.name + cluster.resourceGroup "aw-capsule in aw-capsule" is also cluster.name + cluster.resourceGroup of lab.yaml: both would manage the same AKS cluster (same name and resource group in the same subscription); give each environment its own names (or explicit, different azure.subscriptionId / azure.tenantId where the names are per subscription / tenant)',
    );
    expect(p.find((x) => x.includes('dnsLabel'))).toContain('"capsule-proxy.francecentral.cloudapp.azure.com"');
  });

  test('different names everywhere: accepted', () => {
    expect(problems({ 'poc.yaml': poc, 'lab.yaml': lab() })).toEqual([]);
  });

  test('each kind of name alone', () => {
    const only = (change: (e: Json) => void) => problems({ 'poc.yaml': poc, 'lab.yaml': lab(change) });
    expect(only((e) => (e.cluster.resourceGroup = 'AW-CAPSULE'))).toEqual([expect.stringMatching(/^poc\.yaml: cluster\.resourceGroup "aw-capsule" is also cluster\.resourceGroup of lab\.yaml: both would create/)]);
    expect(only((e) => (e.cluster.nodeResourceGroup = 'aw-capsule'))).toEqual([expect.stringMatching(/^poc\.yaml: cluster\.resourceGroup "aw-capsule" is also cluster\.nodeResourceGroup of lab\.yaml/)]);
    expect(problems({ 'poc.yaml': lab(() => undefined, 'x'), 'lab.yaml': lab((e) => (e.capsule.proxy.dnsLabel = 'capsule-proxy-x')) })).toEqual([
      expect.stringMatching(/^poc\.yaml: capsule\.proxy\.dnsLabel "capsule-proxy-x\.francecentral\.cloudapp\.azure\.com" is also capsule\.proxy\.dnsLabel of lab\.yaml: both capsule-proxies would claim the same Azure DNS name/),
    ]);
    expect(only((e) => (e.entra.groups.dev.displayName = 'capsuleDevGroup'))).toEqual([expect.stringMatching(/^poc\.yaml: entra\.groups\.dev\.displayName "capsuleDevGroup" is also entra\.groups\.dev\.displayName of lab\.yaml/)]);
    expect(only((e) => (e.entra.users['capsule-admin'].userPrincipalName = 'Capsule-User-Dev@contoso.onmicrosoft.com'))).toEqual([
      expect.stringMatching(/^poc\.yaml: entra\.users\.capsule-user-dev "capsule-user-dev@contoso\.onmicrosoft\.com" is also entra\.users\.capsule-admin of lab\.yaml: both would create the same Entra user/),
    ]);
  });

  test('the same DNS label in another region, or the same names in explicitly different subscriptions and tenants: accepted', () => {
    expect(problems({ 'poc.yaml': lab(() => undefined, 'x'), 'lab.yaml': lab((e) => ((e.capsule.proxy.dnsLabel = 'capsule-proxy-x'), (e.location = 'westeurope'))) })).toEqual([]);
    const sub = (s: string) => (e: Json) => (e.azure = { subscriptionId: `${s}a2b1c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d`, tenantId: `${s}b2b1c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d` });
    const copyIn = (s: string) => {
      const e = baseEnv() as Json;
      sub(s)(e);
      return stringify(e);
    };
    expect(problems({ 'poc.yaml': copyIn('1'), 'lab.yaml': copyIn('2') }).filter((p) => !p.includes('dnsLabel'))).toEqual([]);
    // One of them without a subscription: it may be deployed into the other's, so refused.
    expect(problems({ 'poc.yaml': poc, 'lab.yaml': copyIn('2') }).some((p) => p.includes('cluster.name'))).toBe(true);
  });

  test('the same Terraform state blobs: same storage account, container and <keyPrefix><env>-', () => {
    const state = (keyPrefix: string) => (e: Json) => (e.state = { backend: 'azurerm', resourceGroupName: 'tf', storageAccountName: 'capsuletfstate', containerName: 'tfstate', keyPrefix });
    // lab with keyPrefix team-lab- and lab-lab with keyPrefix team-: both write team-lab-lab-<stack>.tfstate.
    const a = lab(state('team-lab-'), 'a');
    const b = lab(state('team-'), 'b');
    expect(problems({ 'lab.yaml': a, 'lab-lab.yaml': lab(state('team-lab-'), 'c') })).toEqual([]);
    expect(problems({ 'lab.yaml': a, 'lab-lab.yaml': b })).toEqual([
      expect.stringMatching(/^lab\.yaml: state \(storageAccountName, containerName, keyPrefix\) "blobs capsuletfstate\/tfstate\/team-lab-lab-\*\.tfstate" is also state .* of lab-lab\.yaml: both would use the same Terraform state/),
    ]);
  });
});
