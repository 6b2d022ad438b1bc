/**
 * The package as another cdktf project sees it: `npm pack` (prepack builds dist/), the tarball installed into a
 * temporary consumer project, the README's "Use as a library" example type-checked there against the packed
 * `.d.ts` and run, and the synthesized stacks asserted. No network: the consumer's other dependencies are
 * links to this project's node_modules.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { Json } from './helpers';

const ROOT = path.resolve(__dirname, '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; peerDependencies: Record<string, string> };
/** Links into this project's node_modules: the consumer's own dependencies and the package's peers/deps. */
const LINKED = ['cdktf', 'constructs', '@cdktf', 'zod', 'yaml', 'kubernetes-types', '@types', 'typescript'];

/** The runtime names of the package root: a new one is a deliberate change of this list (and of index.ts). */
const ROOT_RUNTIME_NAMES = [
  // whole environments, errors
  'CapsulePlatform', 'ValidationError', 'EnvironmentError', 'PolicyConfigError',
  // constructs
  'EntraDirectory', 'AksCluster', 'AksUserNodePool', 'AksVirtualNetwork', 'AksMonitoring', 'AksAccess', 'KubeconfigVault', 'PublishedKubeconfig',
  'CertManager', 'CapsuleOperator', 'CapsuleProxy', 'CapsuleMetricsScrape', 'CapsuleTenant', 'GlobalTenantResource', 'GlobalProxySetting', 'AllowedClassLabels',
  'ReplicationServiceAccount', 'TenantKubeconfig', 'AksKubeProviders',
  // helpers, presets and rule builders
  'NETWORK_POLICY_PRESETS', 'LIMIT_RANGE_PRESETS', 'podSecurityRule', 'registryRule',
  // policy checks
  'applyPolicyChecks', 'policyErrors', 'POLICY_CHECKS',
];
/** The runtime names of `@aw/capsule-aks/validation`. */
const VALIDATION_RUNTIME_NAMES = [
  'AZURE_LOCATIONS', 'AZURE_NAMES', 'checkCidrs', 'checkGuid', 'checkIntRange', 'checkPattern', 'DOMAIN_RE', 'GUID_RE', 'invalid', 'isCidr',
  'isUnresolved', 'RFC1123_LABEL_RE', 'UPN_RE', 'ValidationError', 'escapeTemplateText', 'terraformLiteral', 'terraformLiterals', 'reportPolicyFinding', 'kubeloginExec',
];
/** Backticked names in the README's library section that are not this package's (cdktf, constructs, providers). */
const NOT_OURS = new Set(['App', 'TerraformStack', 'Construct', 'AzurermProvider', 'CommonJS']);

/** The type (or class) names the README section "Use as a library" mentions in backticks. */
export function readmeLibraryNames(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Use as a library')) ?? '';
  const names = [...section.matchAll(/`([A-Z][A-Za-z0-9]+)`/g)].map((m) => m[1]).filter((n) => !NOT_OURS.has(n));
  return [...new Set(names)].sort();
}

/** The ```ts block of the README section "Use as a library". */
export function readmeExample(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Use as a library'));
  if (!section) throw new Error('README.md has no "## Use as a library" section');
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md "Use as a library" has no ```ts example');
  return block[1];
}

/** Every ```ts block of the README section "Use as a library", in order. */
export function readmeExamples(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Use as a library')) ?? '';
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const example = readmeExample(README);
/** The second example: cluster -> Capsule -> one tenant from single constructs. */
const singleExample = readmeExamples(README)[1] ?? '';
let single: { status: number | null; output: string };
const readmeTypeNames = readmeLibraryNames(README);
let typesOutput: string;
let tmp: string;
let consumer: string;
let tarFiles: string[];
let compile: { status: number | null; output: string };
let program: ts.Program;
let run: { status: number | null; output: string };

function consumerNode(code: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, ['-e', code], { cwd: consumer, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-aks-consumer-'));
  // npm pack runs prepack (the build); --json's report is the last JSON array on stdout.
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack failed (exit ${pack.status}):\n${pack.stdout}\n${pack.stderr}`);
  const out = pack.stdout;
  const report = JSON.parse(out.slice(out.lastIndexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  tarFiles = report[0].files.map((f) => f.path);
  const tarball = path.join(tmp, report[0].filename);

  consumer = path.join(tmp, 'consumer');
  const installed = path.join(consumer, 'node_modules', ...PKG.name.split('/'));
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', installed, '--strip-components=1']);
  for (const dep of LINKED) fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(consumer, 'node_modules', dep), 'dir');

  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  fs.writeFileSync(path.join(consumer, 'main.ts'), example);
  fs.writeFileSync(path.join(consumer, 'single.ts'), singleExample);
  // Every name the README mentions, imported as a type (classes too): an unexported name fails to compile.
  fs.writeFileSync(path.join(consumer, 'types.ts'), `import type { ${readmeTypeNames.join(', ')} } from '${PKG.name}';\nexport type All = [${readmeTypeNames.map((n) => (ROOT_RUNTIME_NAMES.includes(n) ? `typeof ${n}` : n)).join(', ')}];\n`);

  // The consumer's compile (as its tsc would): node16 resolution honours the package's `exports` and `types`.
  program = ts.createProgram([path.join(consumer, 'main.ts'), path.join(consumer, 'single.ts'), path.join(consumer, 'types.ts')], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    // As a consumer without skipLibCheck: every .d.ts of the package (and what it imports) must compile.
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [path.join(consumer, 'node_modules', '@types')],
    outDir: path.join(consumer, 'out'),
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  const typesFile = program.getSourceFile(path.join(consumer, 'types.ts'));
  typesOutput = ts.formatDiagnostics(
    diagnostics.filter((d) => d.file === typesFile),
    { getCanonicalFileName: (f) => f, getCurrentDirectory: () => consumer, getNewLine: () => '\n' },
  );
  compile = {
    status: diagnostics.length ? 1 : 0,
    output: ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => consumer, getNewLine: () => '\n' }),
  };
  const env = { ...process.env };
  delete env.CDKTF_OUTDIR;
  delete env.CDKTF_CONTEXT_JSON;
  const node = spawnSync(process.execPath, ['out/main.js'], { cwd: consumer, encoding: 'utf8', env });
  run = { status: node.status, output: `${node.stdout}${node.stderr}` };
  const singleRun = spawnSync(process.execPath, ['out/single.js'], { cwd: consumer, encoding: 'utf8', env: { ...env, CDKTF_OUTDIR: 'cdktf.single' } });
  single = { status: singleRun.status, output: `${singleRun.stdout}${singleRun.stderr}` };
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function synthesizedSingle(stack: string): Json {
  return JSON.parse(fs.readFileSync(path.join(consumer, 'cdktf.single', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

function synthesized(stack: string): Json {
  return JSON.parse(fs.readFileSync(path.join(consumer, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}


/** Exported classes and functions of the packed entry without TSDoc, and fields of exported Props interfaces without TSDoc. */
function undocumented(entry: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`${entry} is not part of the consumer's compile`);
  const module = checker.getSymbolAtLocation(source)!;
  const missing: string[] = [];
  const documented = (sym: ts.Symbol) => sym.getDocumentationComment(checker).length > 0 || sym.getJsDocTags().length > 0;
  for (const exp of checker.getExportsOfModule(module)) {
    const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    const decl = sym.declarations?.[0];
    if (!decl || !decl.getSourceFile().fileName.includes(`${path.sep}dist${path.sep}`)) continue;
    const kind = ts.isClassDeclaration(decl) ? 'class' : ts.isInterfaceDeclaration(decl) ? 'interface' : ts.isFunctionDeclaration(decl) ? 'function' : undefined;
    if (!kind) continue;
    if (kind !== 'interface' && !documented(sym)) missing.push(`${kind} ${exp.name}`);
    if (kind === 'interface' && exp.name.endsWith('Props')) {
      for (const m of checker.getDeclaredTypeOfSymbol(sym).getProperties()) if (!documented(m)) missing.push(`${exp.name}.${m.name}`);
    }
  }
  return missing;
}

describe('the packed library in a consumer project', () => {
  test('the tarball holds the built entry (.js + .d.ts) and none of the app, tests or sources', () => {
    expect(tarFiles).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/stacks/capsule-platform.d.ts']));
    const leaked = tarFiles.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(f));
    expect(leaked).toEqual([]);
    expect(tarFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('cdktf, constructs and every provider package are peer dependencies', () => {
    expect(Object.keys(PKG.peerDependencies).sort()).toEqual(
      ['@cdktf/provider-azuread', '@cdktf/provider-azurerm', '@cdktf/provider-helm', '@cdktf/provider-kubernetes', '@cdktf/provider-random', '@cdktf/provider-time', '@cdktf/provider-tls', 'cdktf', 'constructs'].sort(),
    );
  });

  test('the README example imports the package root only', () => {
    const imports = [...example.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toContain(PKG.name);
    expect(imports.filter((i) => i.startsWith(`${PKG.name}/`))).toEqual([]);
  });

  test('the public .d.ts never imports zod (reachable from the entries: index.d.ts, validation.d.ts)', () => {
    const pkgDir = path.join(consumer, 'node_modules', ...PKG.name.split('/'));
    const seen = new Set<string>();
    const zod: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const specs = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
      if (specs.some((s) => s === 'zod' || s.startsWith('zod/'))) zod.push(path.relative(pkgDir, file));
      for (const s of specs.filter((x) => x.startsWith('.'))) {
        const target = path.resolve(path.dirname(file), s);
        visit(fs.existsSync(`${target}.d.ts`) ? `${target}.d.ts` : path.join(target, 'index.d.ts'));
      }
    };
    for (const entry of ['index.d.ts', 'validation.d.ts']) visit(path.join(pkgDir, 'dist', entry));
    expect(seen.size).toBeGreaterThan(20);
    expect(zod).toEqual([]);
  });

  test('the README example type-checks against the packed .d.ts (skipLibCheck: false)', () => {
    expect(compile.output).toBe('');
    expect(compile.status).toBe(0);
  });

  test('the README example runs and synthesizes the environment stacks and its own stack', () => {
    expect(run.output).toContain('stacks, in deployment order: demo-cluster, demo-capsule');
    expect(run.status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(consumer, 'cdktf.out', 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toEqual(expect.arrayContaining(['demo-cluster', 'demo-capsule', 'sandbox']));
    expect(manifest.stacks['demo-capsule'].dependencies).toContain('demo-cluster');
  });

  test('README single-construct example: a few dozen lines, the package root only, no helm/kubernetes provider of its own', () => {
    const code = singleExample.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//'));
    expect(code.length).toBeGreaterThan(10);
    expect(code.length).toBeLessThanOrEqual(40);
    const imports = [...singleExample.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports).toContain(PKG.name);
    expect(imports.filter((i) => i.startsWith(`${PKG.name}/`) || /provider-(helm|kubernetes)/.test(i))).toEqual([]);
    expect(code.join('\n')).not.toMatch(/KubernetesProvider|HelmProvider|kubelogin|capsule-system|NamespaceV1/);
  });

  test('README single-construct example runs: cluster, Capsule and tenant stacks in deployment order', () => {
    expect(single.output).not.toMatch(/Error/);
    expect(single.status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(consumer, 'cdktf.single', 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['team-capsule', 'team-cluster', 'team-tenants']);
    expect(manifest.stacks['team-capsule'].dependencies).toEqual(['team-cluster']);
    expect([...manifest.stacks['team-tenants'].dependencies].sort()).toEqual(['team-capsule', 'team-cluster']);
  });

  test('README single-construct example synthesizes Capsule in its namespace, with the tenant owner as a Capsule user', () => {
    const capsule = synthesizedSingle('team-capsule');
    expect((Object.values(capsule.resource.kubernetes_namespace_v1) as Json[]).map((n) => n.metadata.name)).toEqual(['capsule-system']);
    const releases = Object.values(capsule.resource.helm_release) as Json[];
    expect(releases.map((r) => r.chart).sort()).toEqual(['capsule', 'capsule-proxy', 'cert-manager']);
    const values = releases.find((r) => r.chart === 'capsule').values[0] as string;
    expect(values).toContain('22222222-2222-2222-2222-222222222222');
    expect(capsule.provider.kubernetes[0].exec[0].command).toBe('kubelogin');
  });

  test('README single-construct example synthesizes the Tenant and a kubeconfig for the proxy in the tenants stack', () => {
    const tenants = synthesizedSingle('team-tenants');
    const tenant = (Object.values(tenants.resource.kubernetes_manifest) as Json[]).find((m) => m.manifest.kind === 'Tenant');
    expect(tenant.manifest.spec.owners).toEqual([expect.objectContaining({ kind: 'Group', name: '22222222-2222-2222-2222-222222222222' })]);
    expect(tenants.output.kubeconfig_team_a.value).toMatch(/server: "\$\{nonsensitive\("https:\/\/capsule-proxy-/);
    expect(tenants.output.kubeconfig_team_a.value).toContain('certificate-authority-data');
    // nonsensitive() needs Terraform 1.7: the tenants stack says so, as the project's stacks do.
    expect(tenants.terraform.required_version).toBe('>= 1.7.0');
    const cluster = synthesizedSingle('team-cluster');
    expect((Object.values(cluster.resource.azurerm_role_assignment) as Json[]).map((a) => a.role_definition_name).sort()).toEqual(['Azure Kubernetes Service Cluster User Role', 'Reader']);
  });

  test('the environment stacks carry the config: cluster, remote state, Capsule release', () => {
    const cluster = synthesized('demo-cluster');
    const aks = Object.values(cluster.resource.azurerm_kubernetes_cluster) as Json[];
    expect(aks.map((a) => a.name)).toEqual(['demo-aks']);
    expect(aks[0].api_server_access_profile).toMatchObject({ authorized_ip_ranges: ['203.0.113.0/24'] });
    expect(cluster.terraform.backend.azurerm).toMatchObject({ storage_account_name: 'demotfstate', container_name: 'tfstate', key: 'demo-cluster.tfstate' });
    const capsule = synthesized('demo-capsule');
    const charts = (Object.values(capsule.resource.helm_release) as Json[]).map((r) => r.chart);
    expect(charts).toEqual(expect.arrayContaining(['capsule', 'capsule-proxy']));
  });

  test('a single construct synthesizes in a stack of the consumer', () => {
    const sandbox = synthesized('sandbox');
    const aks = Object.values(sandbox.resource.azurerm_kubernetes_cluster) as Json[];
    expect(aks.map((a) => a.name)).toEqual(['sandbox-aks']);
    expect(aks[0].local_account_disabled).toBe(true);
  });

  test('the package root exports exactly the curated runtime names (index.ts lists them one by one)', () => {
    const r = consumerNode(`console.log(JSON.stringify(Object.keys(require('${PKG.name}')).sort()))`);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.output)).toEqual([...ROOT_RUNTIME_NAMES].sort());
  });

  test('every construct class of constructs/ is exported by the package root', () => {
    const sources = fs.readdirSync(path.join(ROOT, 'constructs')).filter((f) => f.endsWith('.ts'));
    const classes = sources.flatMap((f) => [...fs.readFileSync(path.join(ROOT, 'constructs', f), 'utf8').matchAll(/^export class (\w+) extends Construct\b/gm)].map((m) => m[1]));
    expect(classes).toEqual(expect.arrayContaining(['AksCluster', 'CapsuleOperator', 'CapsuleProxy']));
    expect(classes.filter((c) => !ROOT_RUNTIME_NAMES.includes(c))).toEqual([]);
  });

  test('validation helpers are a subpath of their own (@aw/capsule-aks/validation), not the root', () => {
    const r = consumerNode(`console.log(JSON.stringify(Object.keys(require('${PKG.name}/validation')).sort()))`);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.output)).toEqual([...VALIDATION_RUNTIME_NAMES].sort());
  });

  test('every type name the README section "Use as a library" mentions imports from the package root', () => {
    expect(readmeTypeNames.length).toBeGreaterThan(10);
    expect(readmeTypeNames).toEqual(expect.arrayContaining(['EnvironmentConfig', 'ClusterStack', 'CapsuleStack', 'TenantsStack', 'CapsulePlatformConfig']));
    expect(typesOutput).toBe('');
  });

  test('a protected CapsulePlatform from the package root: the record made with its static context key and currentProtectedRecord, passed back, schema-checked', () => {
    const config = JSON.stringify(parse(fs.readFileSync(path.join(ROOT, 'environments', 'production.yaml'), 'utf8')));
    const r = consumerNode(`
      const fs = require('fs'), os = require('os'), path = require('path');
      const { App } = require('cdktf');
      const { CapsulePlatform } = require('${PKG.name}');
      const config = ${config};
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'capsule-aks-protected-'));
      const recording = new App({ outdir: path.join(dir, 'a'), context: { [CapsulePlatform.PROTECTED_RECORD_UPDATE_CONTEXT]: true } });
      const record = JSON.parse(JSON.stringify(new CapsulePlatform(recording, 'lib', { config }).currentProtectedRecord()));
      const app = new App({ outdir: path.join(dir, 'b') });
      new CapsulePlatform(app, 'lib', { config, protectedRecord: record });
      app.synth();
      let refused = '';
      try { new CapsulePlatform(new App({ outdir: path.join(dir, 'c') }), 'lib', { config, protectedRecord: { environment: 'lib' } }); } catch (e) { refused = e.problems.join(' '); }
      fs.rmSync(dir, { recursive: true, force: true });
      console.log(JSON.stringify({ tenant: 'tenant/payments' in record.resources, refused }));
    `);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.output)).toEqual({ tenant: true, refused: expect.stringMatching(/^lib: protectedRecord: not a valid protected record \(resources: /) });
  });

  test('deep imports into the package are refused (only the root is public)', () => {
    const r = consumerNode(`require('${PKG.name}/dist/stacks/cluster-stack')`);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  test('every exported construct and function has TSDoc, and so has every field of a Props interface', () => {
    const entry = path.join(consumer, 'node_modules', ...PKG.name.split('/'), 'dist', 'index.d.ts');
    expect(undocumented(entry)).toEqual([]);
  });
});
