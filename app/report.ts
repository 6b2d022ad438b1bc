import * as fs from 'fs';
import * as path from 'path';
import { EnvironmentConfig } from '../config/schema';
import { arr, clusterSection, obj, str } from './report-cluster';
import { hasInterpolation, unescapeTemplateText } from '../constructs/terraform-literal';

/**
 * The environment report: `cdktf.out/<env>.md`, written after synth from the SYNTHESIZED JSON (plus the
 * environment file), so it shows what Terraform will be given, whatever the stacks do internally:
 * stacks and their order, Entra groups -> tenants -> owners, the capsule-proxy endpoint, and a table of tenants
 * ("kubectl get tenants" before deploying). Missing stacks degrade to "(no ... stack)".
 */

type Obj = Record<string, unknown>;

/** One synthesized stack: its name, the stacks it depends on, and its parsed cdk.tf.json. */
export interface SynthesizedStack {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly json: Obj;
  /** Number of warnings cdktf recorded for the stack (annotations). */
  readonly warnings: number;
}

/** One row of the tenants table. */
export interface TenantRow {
  readonly name: string;
  /** Owners as `Group <display name or object ID>` / `User <UPN>` / `ServiceAccount <name>`. */
  readonly owners: readonly string[];
  readonly namespaceQuota: string;
  readonly networkPolicy: string;
  readonly resourceQuota: string;
  readonly protection: string;
  /** Rules (Capsule 0.14 spec.rules) other than the Pod Security one, summarized. */
  readonly rules: string;
  /** Pod Security level enforced on the tenant's namespaces (managed label), or none. */
  readonly podSecurity: string;
  /** Storage / ingress / priority classes the tenant may use. */
  readonly allowedClasses: string;
  /** Where the owners fetch the kubeconfig (Key Vault secret), else how admins get it. */
  readonly kubeconfig: string;
}

const NONE = '—';
const APPLY_TIME = '(known at apply)';

/** Reads every stack of a synthesized output directory (its manifest.json). */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, Obj> };
  return Object.values(manifest.stacks).map((s) => ({
    name: String(s.name),
    dependencies: arr(s.dependencies).map(String),
    json: JSON.parse(fs.readFileSync(path.join(outdir, String(s.synthesizedStackPath)), 'utf8')) as Obj,
    warnings: arr(s.annotations).filter((a) => obj(a).level === '@cdktf/warn').length,
  }));
}

/**
 * The stacks of one environment in deployment order: those of `all` named in `names` (the environment's stacks as
 * created, see addEnvironmentStacks in stacks/environment-stacks.ts; never a name pattern, as environment names
 * may contain "-"), or all of them when `names` is not given.
 */
export function environmentStacks(envName: string, all: readonly SynthesizedStack[], names?: readonly string[]): SynthesizedStack[] {
  const prefix = `${envName}-`;
  const mine = names === undefined ? [...all] : all.filter((s) => names.includes(s.name));
  const rank = (s: SynthesizedStack) => ['cluster', 'capsule', 'tenants'].indexOf(s.name.slice(prefix.length)) >>> 0;
  const sorted = [...mine].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  // Topological order (dependencies first); ties keep the order above.
  const done = new Set<string>();
  const out: SynthesizedStack[] = [];
  const visit = (s: SynthesizedStack, seen: Set<string>) => {
    if (done.has(s.name) || seen.has(s.name)) return;
    seen.add(s.name);
    for (const d of s.dependencies) {
      const dep = sorted.find((x) => x.name === d);
      if (dep) visit(dep, seen);
    }
    done.add(s.name);
    out.push(s);
  };
  for (const s of sorted) visit(s, new Set());
  return out;
}

/** Names Terraform references and literal IDs after the Entra objects they stand for. */
class Names {
  private readonly groups = new Map<string, string>();
  private readonly users = new Map<string, string>();
  private readonly byObjectId = new Map<string, string>();

  constructor(env: EnvironmentConfig, stacks: readonly SynthesizedStack[]) {
    for (const s of stacks) {
      for (const [id, g] of Object.entries(obj(obj(s.json.resource).azuread_group))) this.groups.set(id, str(obj(g).display_name) ?? id);
      for (const [id, u] of Object.entries(obj(obj(s.json.resource).azuread_user))) this.users.set(id, str(obj(u).user_principal_name) ?? id);
    }
    for (const [k, g] of Object.entries(env.entra.groups)) {
      if ('objectId' in g) this.byObjectId.set(g.objectId.toLowerCase(), `${k} (${g.objectId})`);
    }
  }

  /** A readable name for a value that is an Entra object ID or UPN, literal or a Terraform reference. */
  resolve(value: unknown): string {
    const v = typeof value === 'string' ? value : JSON.stringify(value);
    return refersTo(v, 'azuread_group', this.groups) ?? refersTo(v, 'azuread_user', this.users) ?? this.byObjectId.get(v.toLowerCase()) ?? (hasInterpolation(v) ? APPLY_TIME : unescapeTemplateText(v));
  }

  /** Names of every group: created ones by display name, referenced ones by key and object ID. */
  groupLabels(): string[] {
    return [...this.groups.values(), ...this.byObjectId.values()];
  }
}

/**
 * The label of the resource a reference names: `${azuread_group.ID.attr}` in the same stack, or a cross-stack
 * output named `...azuread_group<ID><attr>` (the longest known ID wins).
 */
function refersTo(value: string, type: string, labels: ReadonlyMap<string, string>): string | undefined {
  if (!value.includes(type)) return undefined;
  for (const m of value.matchAll(new RegExp(`${type}\\.?([A-Za-z0-9_-]+)`, 'g'))) {
    for (let i = m[1].length; i > 0; i--) {
      const label = labels.get(m[1].slice(0, i));
      if (label !== undefined) return label;
    }
  }
  return undefined;
}

/** Tenant resources of the synthesized stacks: kubernetes_manifest with manifest.kind Tenant. */
export function synthesizedTenants(stacks: readonly SynthesizedStack[]): { stack: string; resource: Obj; manifest: Obj }[] {
  const out: { stack: string; resource: Obj; manifest: Obj }[] = [];
  for (const s of stacks) {
    for (const r of Object.values(obj(obj(s.json.resource).kubernetes_manifest))) {
      const manifest = obj(obj(r).manifest);
      if (manifest.kind === 'Tenant') out.push({ stack: s.name, resource: obj(r), manifest });
    }
  }
  return out;
}

/** The tenants table: from the synthesized Tenant manifests. */
export function tenantRows(env: EnvironmentConfig, stacks: readonly SynthesizedStack[]): TenantRow[] {
  const names = new Names(env, stacks);
  // Looked up once for all tenants (a scan of every resource per tenant grows with the square of the tenants).
  const replicated = replicatedPolicies(stacks);
  const kubeconfig = kubeconfigLocations(env, stacks);
  return synthesizedTenants(stacks)
    .map(({ resource, manifest }) => {
      const spec = obj(manifest.spec);
      const quota = obj(spec.namespaceOptions).quota;
      const protection = [
        spec.preventDeletion === true ? 'preventDeletion' : undefined,
        obj(resource.lifecycle).prevent_destroy === true ? 'prevent_destroy' : undefined,
      ].filter((x): x is string => x !== undefined);
      return {
        name: str(obj(manifest.metadata).name) ?? '?',
        owners: arr(spec.owners).map((o) => `${str(obj(o).kind) ?? '?'} ${names.resolve(obj(o).name)}`),
        namespaceQuota: quota === undefined ? 'unlimited' : String(quota),
        networkPolicy: networkPolicies(spec.networkPolicies) === NONE ? replicated(str(obj(manifest.metadata).name) ?? '?') : networkPolicies(spec.networkPolicies),
        resourceQuota: [resourceQuotas(spec.resourceQuotas), ...ruleQuotas(spec.rules)].filter((q) => q !== NONE).join('; ') || NONE,
        protection: protection.length ? protection.join(', ') : NONE,
        rules: ruleSummary(spec.rules),
        podSecurity: podSecurityLevel(spec.rules) ?? NONE,
        allowedClasses: allowedClasses(spec),
        kubeconfig: kubeconfig(str(obj(manifest.metadata).name) ?? '?'),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function networkPolicies(np: unknown): string {
  const items = arr(obj(np).items);
  if (!items.length) return NONE;
  const types = [...new Set(items.flatMap((i) => arr(obj(i).policyTypes).map(String)))];
  return `${items.length} ${items.length === 1 ? 'policy' : 'policies'}${types.length ? ` (${types.join(', ')})` : ''}`;
}

function resourceQuotas(rq: unknown): string {
  const items = arr(obj(rq).items);
  if (!items.length) return NONE;
  const scope = str(obj(rq).scope) ?? 'Tenant';
  const hard = items.map((i) =>
    Object.entries(obj(obj(i).hard))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', '),
  );
  return `${scope}: ${hard.filter(Boolean).join('; ') || `${items.length} item(s)`}`;
}

const POD_SECURITY_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * Network policies a GlobalTenantResource replicates into a tenant (selected by its capsule-aks.io/tenant label):
 * the summary for a tenant name, from one pass over the stacks.
 */
function replicatedPolicies(stacks: readonly SynthesizedStack[]): (tenant: string) => string {
  const byTenant = new Map<unknown, unknown[]>();
  for (const s of stacks) {
    for (const r of Object.values(obj(obj(s.json.resource).kubernetes_manifest))) {
      const m = obj(obj(r).manifest);
      if (m.kind !== 'GlobalTenantResource') continue;
      const tenant = obj(obj(obj(m.spec).tenantSelector).matchLabels)['capsule-aks.io/tenant'];
      const items = arr(obj(m.spec).resources)
        .flatMap((x) => arr(obj(x).rawItems))
        .filter((i) => obj(i).kind === 'NetworkPolicy')
        .map((i) => obj(i).spec);
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), ...items]);
    }
  }
  return (tenant) => {
    const items = byTenant.get(tenant) ?? [];
    return items.length ? `${networkPolicies({ items })} (replicated)` : NONE;
  };
}

/** The level of the rule that manages the Pod Security enforce label on namespaces. */
function podSecurityLevel(rules: unknown): string | undefined {
  for (const r of arr(rules)) {
    for (const m of arr(obj(obj(r).enforce).metadata)) {
      const managed = str(obj(obj(obj(m).labels)[POD_SECURITY_LABEL]).managed);
      if (managed && arr(obj(m).kinds).includes('Namespace')) return managed;
    }
  }
  return undefined;
}

/** Rule quotas: `rule <name>: k=v, …`. */
function ruleQuotas(rules: unknown): string[] {
  return arr(rules).flatMap((r) =>
    arr(obj(r).quota).map((q) => `${str(obj(q).name) ?? 'quota'}: ${Object.entries(obj(obj(q).hard)).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`),
  );
}

/** One line per rule (quota and the Pod Security rule are in their own columns). */
function ruleSummary(rules: unknown): string {
  const lines = arr(rules).flatMap((raw) => {
    const r = obj(raw);
    const e = obj(r.enforce);
    const parts: string[] = [];
    const registries = arr(obj(e.workloads).registries).map((g) => {
      const exp = str(obj(g).exp);
      const shown = exp?.match(/^\^(.*)\/\.\*\$$/) ? exp.slice(1, -4).replace(/\\(.)/g, '$1') : exp ?? arr(obj(g).exact).join(', ');
      const policy = arr(obj(g).policy).join('/');
      return policy ? `${shown} (${policy})` : shown;
    });
    if (registries.length) parts.push(`registries ${registries.join(', ')}`);
    const qos = arr(obj(e.workloads).qosClasses);
    if (qos.length) parts.push(`QoS ${qos.join(', ')}`);
    const metadata = arr(e.metadata).filter((m) => !(POD_SECURITY_LABEL in obj(obj(m).labels)));
    if (metadata.length) parts.push(`metadata of ${[...new Set(metadata.flatMap((m) => arr(obj(m).kinds)))].join(', ')}`);
    if (Object.keys(obj(e.services)).length) parts.push(`services ${Object.keys(obj(e.services)).join(', ')}`);
    const perms = obj(r.permissions);
    if (arr(perms.bindings).length) parts.push(`${arr(perms.bindings).length} role binding(s)`);
    if (arr(perms.promotions).length) parts.push(`${arr(perms.promotions).length} promotion(s)`);
    if (!parts.length) return [];
    const where = Object.keys(obj(r.namespaceSelector)).length ? ' (selected namespaces)' : '';
    // An enforcement rule allows or denies (Capsule's default action: deny); a rule with only permissions grants.
    const action = Object.keys(e).length ? `${str(e.action) ?? 'deny'}: ` : '';
    return [`${action}${parts.join('; ')}${where}`];
  });
  return lines.length ? lines.join('<br/>') : NONE;
}

/** Storage, ingress and priority classes the tenant may use. */
function allowedClasses(spec: Obj): string {
  const list = (label: string, a: unknown) => {
    const o = obj(a);
    const def = str(o.default);
    const names = [...new Set([...(def ? [def] : []), ...arr(o.allowed).map(String)])].map((n) => (n === def ? `${n} (default)` : n));
    const labels = Object.entries(obj(o.matchLabels)).map(([k, v]) => `${k}=${String(v)}`);
    const all = [...names, ...(labels.length ? [`labels ${labels.join(', ')}`] : [])];
    return all.length ? [`${label}: ${all.join(', ')}`] : [];
  };
  const out = [...list('storage', spec.storageClasses), ...list('ingress', obj(spec.ingressOptions).allowedClasses), ...list('priority', spec.priorityClasses)];
  return out.length ? out.join('<br/>') : 'any';
}

/** The Key Vault secret of a tenant's published kubeconfig, else the admins' command: by tenant name. */
function kubeconfigLocations(env: EnvironmentConfig, stacks: readonly SynthesizedStack[]): (tenant: string) => string {
  const secrets = new Set(stacks.flatMap((s) => Object.values(obj(obj(s.json.resource).azurerm_key_vault_secret)).map((x) => obj(x).name)));
  const vault = stacks.flatMap((s) => Object.values(obj(obj(s.json.resource).azurerm_key_vault))).map((v) => str(obj(v).name))[0];
  const vaultName = vault && !vault.includes('${') ? vault : `output kubeconfig_vault of ${env.name}-cluster`;
  return (tenant) => (secrets.has(`kubeconfig-${tenant}`) ? `Key Vault ${vaultName}, secret kubeconfig-${tenant}` : `npm run kubeconfig -- ${env.name} ${tenant} (admins)`);
}

/** The capsule-proxy endpoint: the capsule stack's `proxy_url` output, else its Helm values' DNS label. */
export function proxyEndpoint(env: EnvironmentConfig, stacks: readonly SynthesizedStack[]): string | undefined {
  for (const s of stacks) {
    const url = str(obj(obj(s.json.output).proxy_url).value);
    if (url && !url.includes('${')) return url;
    // The default DNS label has a random suffix made at apply time: show the rest of the URL.
    if (url) return url.replace(/\$\{[^}]*\}/g, APPLY_TIME);
  }
  for (const s of stacks) {
    for (const r of Object.values(obj(obj(s.json.resource).helm_release))) {
      if (obj(r).chart !== 'capsule-proxy') continue;
      const label = arr(obj(r).values)
        .map(String)
        .join('\n')
        .match(/azure-dns-label-name:\s*"?([a-z0-9-]+)/);
      if (label) return `https://${label[1]}.${env.location}.cloudapp.azure.com:443`;
    }
  }
  return undefined;
}

/** The report of one environment, as Markdown. Pure: `stacks` are this environment's synthesized stacks. */
export function renderReport(env: EnvironmentConfig, stacks: readonly SynthesizedStack[]): string {
  const ordered = environmentStacks(env.name, stacks);
  const kind = (k: string) => ordered.find((s) => s.name === `${env.name}-${k}`);
  const names = new Names(env, ordered);
  const rows = tenantRows(env, ordered);
  const proxy = proxyEndpoint(env, ordered);
  const lines: string[] = [];
  const p = (...l: string[]) => lines.push(...l);
  const ids = new Map<string, string>();
  const mid = (prefix: string, name: string) => {
    const k = `${prefix}:${name}`;
    if (!ids.has(k)) ids.set(k, `${prefix}${ids.size + 1}`);
    return ids.get(k) as string;
  };

  p(`${REPORT_HEADING}${env.name}\``, '');
  p(`Generated by synth from the \`cdk.tf.json\` of its stacks in \`cdktf.out/stacks/\` and \`environments/${env.name}.yaml\`; nothing is deployed yet.`, '');
  p(`- Location: \`${env.location}\`; cluster \`${env.cluster.name}\` in resource group \`${env.cluster.resourceGroup}\``);
  p(`- Protected (\`protected\` in the environment file): ${env.protected === true ? 'yes' : 'no'}`);
  p(`- Proxy endpoint: ${proxy ? `\`${proxy}\`` : kind('capsule') ? '(not found in the capsule stack)' : '(no capsule stack)'}`);
  p(`- Tenants: ${kind('tenants') ? rows.length : '(no tenants stack)'}`, '');

  p('## Stacks', '', `Deployed top to bottom (\`npx cdktf deploy ${ordered.map((s) => s.name).join(' ')}\`), destroyed in reverse.`, '');
  p('```mermaid', 'flowchart LR');
  for (const s of ordered) p(`  ${mid('s', s.name)}["${esc(s.name)}<br/>${resourceCount(s)} resources"]`);
  for (const s of ordered) for (const d of s.dependencies) if (ordered.some((x) => x.name === d)) p(`  ${mid('s', d)} --> ${mid('s', s.name)}`);
  p('```', '');
  p('| # | stack | resources | depends on | warnings |', '|---|---|---|---|---|');
  ordered.forEach((s, i) => p(`| ${i + 1} | \`${s.name}\` | ${resourceCount(s)} | ${s.dependencies.map((d) => `\`${d}\``).join(', ') || NONE} | ${s.warnings} |`));
  for (const k of ['cluster', 'capsule', 'tenants']) if (!kind(k)) p(`| | \`${env.name}-${k}\` | (no ${k} stack) | | |`);
  p('');

  p('## Entra groups, tenants and owners', '');
  const tenantOwners = kind('tenants') ? rows.map((r) => ({ name: r.name, owners: r.owners })) : configTenants(env);
  p('```mermaid', 'flowchart LR');
  p('  subgraph entra["Entra ID"]');
  const groupNodes = new Set<string>();
  for (const label of names.groupLabels()) {
    groupNodes.add(label);
    p(`    ${mid('g', label)}["${esc(label)}"]`);
  }
  const members = memberships(ordered, names).filter((m) => groupNodes.has(m.group));
  const ownerNodes = new Set<string>();
  const others = [
    ...tenantOwners.flatMap((t) => t.owners.filter((o) => !groupNodes.has(ownerName(o)))),
    ...members.filter((m) => !groupNodes.has(m.member)).map((m) => `User ${m.member}`),
  ];
  for (const o of others)
    if (!ownerNodes.has(o)) {
      ownerNodes.add(o);
      p(`    ${mid('o', o)}["${esc(o)}"]`);
    }
  p('  end', '  subgraph capsule["Capsule tenants"]');
  for (const t of tenantOwners) p(`    ${mid('t', t.name)}(["${esc(t.name)}"])`);
  p('  end');
  const node = (o: string) => (groupNodes.has(ownerName(o)) ? mid('g', ownerName(o)) : mid('o', o));
  for (const t of tenantOwners) for (const o of t.owners) p(`  ${node(o)} -- owns --> ${mid('t', t.name)}`);
  for (const m of members) p(`  ${groupNodes.has(m.member) ? mid('g', m.member) : mid('o', `User ${m.member}`)} -. member of .-> ${mid('g', m.group)}`);
  p('```', '');

  p(...clusterSection(kind('cluster')?.json));

  p('## Tenants', '');
  if (!kind('tenants')) {
    p('(no tenants stack) — tenants in the environment file:', '');
    p('| tenant | owners |', '|---|---|');
    for (const t of tenantOwners) p(`| ${t.name} | ${t.owners.map(cell).join('<br/>') || NONE} |`);
  } else {
    p(
      '| tenant | owners | namespace quota | network policy | resource quota | protection | rules | Pod Security | allowed classes | kubeconfig |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const r of rows) {
      p(
        `| ${r.name} | ${r.owners.map(cell).join('<br/>') || NONE} | ${r.namespaceQuota} | ${cell(r.networkPolicy)} | ${cell(r.resourceQuota)} | ${r.protection} | ` +
          `${cell(r.rules)} | ${r.podSecurity} | ${cell(r.allowedClasses)} | ${cell(r.kubeconfig)} |`,
      );
    }
    const synthesized = new Set(rows.map((r) => r.name));
    const missing = Object.keys(env.tenants ?? {}).filter((t) => !synthesized.has(t));
    if (missing.length) p('', `Configured but not synthesized: ${missing.join(', ')}.`);
  }
  p('');
  return lines.join('\n');
}

/** One line for the terminal. */
export function summaryLine(env: EnvironmentConfig, stacks: readonly SynthesizedStack[], file: string): string {
  const ordered = environmentStacks(env.name, stacks);
  const tenants = ordered.some((s) => s.name === `${env.name}-tenants`) ? `${synthesizedTenants(ordered).length} tenants` : 'no tenants stack';
  const groups = new Names(env, ordered).groupLabels().length;
  const warnings = ordered.reduce((n, s) => n + s.warnings, 0);
  const proxy = proxyEndpoint(env, ordered) ?? 'no proxy';
  return `${env.name}: ${ordered.map((s) => s.name).join(' -> ')} | ${tenants}, ${groups} Entra groups, ${proxy} | ${warnings} warning${warnings === 1 ? '' : 's'} | ${file}`;
}

/** The warnings and informational findings of every synthesized stack, one line each as the cdktf CLI prints them. */
export function annotationLines(outdir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, Obj> };
  const levels: Record<string, string> = { '@cdktf/warn': 'WARN', '@cdktf/info': 'INFO' };
  return Object.values(manifest.stacks).flatMap((s) =>
    arr(s.annotations)
      .map(obj)
      .filter((a) => String(a.level) in levels)
      .map((a) => `${levels[String(a.level)]} [${String(a.constructPath)}]: ${String(a.message)}`),
  );
}

/**
 * Writes `<outdir>/<env>.md` for every environment and prints one summary line each. `stacksOf` gives each
 * environment's stack names (from addEnvironmentStacks).
 */
export function writeReports(outdir: string, envs: readonly EnvironmentConfig[], stacksOf: ReadonlyMap<string, readonly string[]>, log: (line: string) => void = console.log): void {
  const all = readSynthesizedStacks(outdir);
  for (const env of envs) {
    const mine = environmentStacks(env.name, all, stacksOf.get(env.name) ?? []);
    const file = path.join(outdir, `${env.name}.md`);
    fs.writeFileSync(file, renderReport(env, mine));
    const rel = path.relative(process.cwd(), file);
    log(summaryLine(env, mine, rel && !rel.startsWith('..') ? rel : file));
  }
}

function configTenants(env: EnvironmentConfig): { name: string; owners: string[] }[] {
  return Object.entries(env.tenants ?? {}).map(([name, t]) => ({
    name,
    owners: t.owners.map((o) => {
      if ('group' in o) {
        const g = env.entra.groups[o.group];
        return `Group ${g && 'displayName' in g ? g.displayName : g ? `${o.group} (${g.objectId})` : o.group}`;
      }
      if ('groupObjectId' in o) return `Group ${o.groupObjectId}`;
      if ('user' in o) return `User ${env.entra.users?.[o.user]?.userPrincipalName ?? (env.entra.upnDomain ? `${o.user}@${env.entra.upnDomain}` : o.user)}`;
      if ('userPrincipalName' in o) return `User ${o.userPrincipalName}`;
      return `ServiceAccount ${o.serviceAccount}`;
    }),
  }));
}

function memberships(stacks: readonly SynthesizedStack[], names: Names): { group: string; member: string }[] {
  const out: { group: string; member: string }[] = [];
  for (const s of stacks) {
    for (const m of Object.values(obj(obj(s.json.resource).azuread_group_member))) {
      out.push({ group: names.resolve(obj(m).group_object_id), member: names.resolve(obj(m).member_object_id) });
    }
  }
  return out;
}

function ownerName(owner: string): string {
  return owner.replace(/^Group /, '');
}

function resourceCount(s: SynthesizedStack): number {
  return Object.values(obj(s.json.resource)).reduce<number>((n, byId) => n + Object.keys(obj(byId)).length, 0);
}

/** Text inside a quoted Mermaid label. */
function esc(s: string): string {
  return s.replace(/"/g, '#quot;');
}

/** Text inside a Markdown table cell. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}


/** First line of every report file: how {@link removeStaleOutput} knows a `<name>.md` is ours. */
const REPORT_HEADING = '# Environment `';

/**
 * Removes what a previous synth left for stacks and environments that no longer exist: stack directories under
 * `<outdir>/stacks/` not in `manifest.json` (as `cdktf synth` does), and `<outdir>/<name>.md` reports of
 * environments not in `envs` (only files this module wrote: they start with its heading).
 */
export function removeStaleOutput(outdir: string, envs: readonly EnvironmentConfig[]): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
  const stacksDir = path.join(outdir, 'stacks');
  for (const d of fs.readdirSync(stacksDir, { withFileTypes: true })) {
    if (d.isDirectory() && !(d.name in manifest.stacks)) fs.rmSync(path.join(stacksDir, d.name), { recursive: true, force: true });
  }
  const current = new Set(envs.map((e) => `${e.name}.md`));
  for (const d of fs.readdirSync(outdir, { withFileTypes: true })) {
    if (!d.isFile() || !d.name.endsWith('.md') || current.has(d.name)) continue;
    const file = path.join(outdir, d.name);
    const head = Buffer.alloc(REPORT_HEADING.length);
    const fd = fs.openSync(file, 'r');
    try {
      fs.readSync(fd, head, 0, head.length, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (head.toString('utf8') === REPORT_HEADING) fs.rmSync(file);
  }
}
