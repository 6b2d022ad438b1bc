import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { z } from 'zod';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { environmentSchema } from '../config/schema';
import { AksCluster } from '../constructs/aks-cluster';
import { CapsuleTenant } from '../constructs/capsule-tenant';
import { EntraDirectory } from '../constructs/entra-directory';
import { TenantKubeconfig } from '../constructs/tenant-kubeconfig';
import { escapeTemplateText, hasInterpolation, terraformLiterals, unescapeTemplateText } from '../constructs/terraform-literal';
import { createEnvironmentStacks } from '../stacks/environment-stacks';
import { baseEnv, envFrom, Json, problemsOf, synthJson } from './helpers';

/** Occurrences of `${id}` / `%{id}` that Terraform would evaluate (not escaped as `$${` / `%%{`). */
function live(text: string, id: string): boolean {
  return new RegExp(`(^|[^$])\\$\\{${id}\\}`).test(text) || new RegExp(`(^|[^%])%\\{${id}\\}`).test(text);
}

describe('unescapeTemplateText / hasInterpolation (what Terraform reads; the reports show it)', () => {
  test.each(['a ${file("/etc/hostname")} %{if true}x%{endif}', '$${x}', '$$${x}', '%%{x}', 'plain $ and % and {}', '${', '$', ''])('unescape(escape(%j)) gives the text back', (text) => {
    expect(unescapeTemplateText(escapeTemplateText(text))).toBe(text);
  });
  test('an escaped sequence is not an interpolation; a bare one is, also next to escaped ones', () => {
    expect(hasInterpolation(escapeTemplateText('a ${b} %{c}'))).toBe(false);
    expect(hasInterpolation('${azuread_group.g.object_id}')).toBe(true);
    expect(hasInterpolation('$${a} ${b}')).toBe(true);
    expect(hasInterpolation('$$${a}')).toBe(false);
    expect(hasInterpolation('plain')).toBe(false);
    expect(hasInterpolation('%{ if x }y%{ endif }')).toBe(true);
    expect(hasInterpolation('%%{ if x }')).toBe(false);
  });
});

describe('escapeTemplateText / terraformLiterals', () => {
  test('escapes ${ and %{ once; a $ or % before them stays literal', () => {
    expect(escapeTemplateText('a ${file("/etc/hostname")} %{if true}x%{endif}')).toBe('a $${file("/etc/hostname")} %%{if true}x%%{endif}');
    expect(escapeTemplateText('$${x}')).toBe('$$${x}');
    expect(escapeTemplateText('plain $ and % and {}')).toBe('plain $ and % and {}');
  });

  test('the live-interpolation detector finds an unescaped one (so the scans below can fail)', () => {
    expect(live('"a ${pwn1} b"', 'pwn1')).toBe(true);
    expect(live('"%{pwn1}"', 'pwn1')).toBe(true);
    expect(live('"a $${pwn1} %%{pwn1}"', 'pwn1')).toBe(false);
  });

  test('keeps the program\'s tokens as interpolations, escapes the text around them and object keys', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    new AzureadProvider(stack, 'azuread', {});
    const dir = new EntraDirectory(stack, 'entra', { groups: { a: { displayName: 'a' } } });
    const value = terraformLiterals(stack, 'x', { [`k \${pwn1}`]: `id=${dir.groupObjectId('a')} \${pwn2}`, list: ['%{pwn3}'] });
    expect(value).toEqual({ 'k $${pwn1}': `id=${dir.groupObjectId('a')} $\${pwn2}`, list: ['%%{pwn3}'] });
  });

  test('text spelling a token marker of no token is refused with the field named', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    expect(() => terraformLiterals(stack, 'tags', { a: 'x ${TfToken[TOKEN.987654]}' })).toThrow(/s: tags\.a "x \$\{TfToken\[TOKEN\.987654\]\}" is invalid: must not contain text that looks like a cdktf token marker/);
  });
});

describe('constructs escape the text of library users', () => {
  test('EntraDirectory: group display name and description, user display name', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    new AzureadProvider(stack, 'azuread', {});
    new EntraDirectory(stack, 'entra', {
      groups: { a: { displayName: '${file("/etc/hostname")}', description: '%{if true}x%{endif}' } },
      users: { u: { userPrincipalName: 'u@contoso.com', displayName: '${nonsensitive(random_password.entra_password-u_1.result)}' } },
    });
    const json = synthJson(stack);
    const group = Object.values<Json>(json.resource.azuread_group)[0];
    expect(group.display_name).toBe('$${file("/etc/hostname")}');
    expect(group.description).toBe('%%{if true}x%%{endif}');
    const user = Object.values<Json>(json.resource.azuread_user)[0];
    expect(user.display_name).toBe('$${nonsensitive(random_password.entra_password-u_1.result)}');
    expect(user.password).toMatch(/^\$\{random_password\./); // the program's reference stays live
  });

  test('AksCluster: tag keys and values', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    new AksCluster(stack, 'aks', { name: 'c', location: 'westeurope', resourceGroupName: 'rg', adminGroupObjectIds: ['11111111-1111-1111-1111-111111111111'], tags: { '${pwn1}': '${pwn2}' } });
    const json = synthJson(stack);
    expect(Object.values<Json>(json.resource.azurerm_kubernetes_cluster)[0].tags).toEqual({ '$${pwn1}': '$${pwn2}' });
    expect(Object.values<Json>(json.resource.azurerm_resource_group)[0].tags).toEqual({ '$${pwn1}': '$${pwn2}' });
  });

  test('CapsuleTenant (and its GlobalTenantResource): annotations, labels, registries, embedded specs', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    new CapsuleTenant(stack, 't', {
      name: 't',
      owners: [{ kind: 'User', name: 'a@contoso.com', clusterRoles: ['%{pwn1}'] }],
      namespaceOptions: { additionalMetadata: { annotations: { a: '${pwn2}' }, labels: { '${pwn3}': 'x' } } },
      containerRegistries: { allowed: ['${pwn4}'] },
      replication: 'global-tenant-resource',
      networkPolicies: { items: [{ podSelector: { matchLabels: { app: '${pwn5}' } } }] },
    });
    const text = Testing.synth(stack);
    for (const id of ['pwn1', 'pwn2', 'pwn3', 'pwn4', 'pwn5']) {
      expect(live(text, id)).toBe(false);
      expect(text).toMatch(new RegExp(`[$%][$%]\\{${id}\\}`));
    }
  });

  test('TenantKubeconfig: a server URL given as text', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 's');
    const k = new TenantKubeconfig(stack, 'k', { tenant: 't', server: 'https://${pwn1}:443', login: 'azurecli' });
    expect(k.yaml).toContain('https://$${pwn1}:443');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Every free-text field of the environment schema, found by walking the zod schema (not listed by hand): with
// "${…}" / "%{…}" in it, the field is either refused by the schema (file, line, field named) or reaches Terraform
// escaped; with a cdktf token marker in it, it is always refused.

type Seg = { key: string } | { anyKey: true } | { anyIndex: true };
interface Leaf {
  readonly path: Seg[];
  /** Schema of the value each segment leads to (union options resolved), to build missing containers. */
  readonly schemas: z.ZodType[];
  /** `value`: the field's value; `key`: a key of a record (map keys reach Terraform too). */
  readonly kind: 'value' | 'key';
}

function def(s: z.ZodType): { type: string } & Record<string, unknown> {
  return (s as unknown as { _zod: { def: { type: string } & Record<string, unknown> } })._zod.def;
}

/** Every string (or unknown) leaf and every record key of a schema. Unknown schema kinds fail the test loudly. */
function leaves(s: z.ZodType, p: Seg[] = [], schemas: z.ZodType[] = []): Leaf[] {
  const d = def(s);
  const at = (child: z.ZodType, seg: Seg) => leaves(child, [...p, seg], [...schemas, child]);
  const here = (x: z.ZodType) => leaves(x, p, [...schemas.slice(0, -1), ...(schemas.length ? [x] : [])]);
  switch (d.type) {
    case 'string':
    case 'unknown':
    case 'any':
      return [{ path: p, schemas, kind: 'value' }];
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
    case 'never':
      return [];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return here(d.innerType as z.ZodType);
    case 'pipe':
      return here(d.in as z.ZodType);
    case 'array':
      return at(d.element as z.ZodType, { anyIndex: true });
    case 'record': {
      const keyLeaves = def(d.keyType as z.ZodType).type === 'string' ? [{ path: p, schemas, kind: 'key' as const }] : [];
      return [...keyLeaves, ...at(d.valueType as z.ZodType, { anyKey: true })];
    }
    case 'object': {
      const shape = d.shape as Record<string, z.ZodType>;
      const own = Object.entries(shape).flatMap(([k, v]) => at(v, { key: k }));
      const catchall = d.catchall as z.ZodType | undefined;
      // A loose object takes any further key: its keys and values are free text as well.
      const extra = catchall && def(catchall).type !== 'never' ? [{ path: p, schemas, kind: 'key' as const }, ...at(catchall, { key: 'x-extra' })] : [];
      return [...own, ...extra];
    }
    case 'union':
      return (d.options as z.ZodType[]).flatMap((o) => here(o));
    default:
      throw new Error(`schema walker: unknown zod type "${d.type}" at ${JSON.stringify(p)}; teach __tests__/terraform-literal.test.ts about it`);
  }
}

/** A small valid value of a schema (required fields only), to build a container the rich environment lacks. */
function sample(s: z.ZodType): unknown {
  const d = def(s);
  const ok = (v: unknown) => s.safeParse(v).success;
  switch (d.type) {
    case 'optional':
      return undefined;
    case 'nullable':
    case 'default':
    case 'readonly':
      return sample(d.innerType as z.ZodType);
    case 'pipe':
      return sample(d.in as z.ZodType);
    case 'object': {
      const shape = d.shape as Record<string, z.ZodType>;
      const base = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, sample(v)]).filter(([, v]) => v !== undefined));
      if (ok(base)) return base;
      // A refinement wants one of the optional fields (e.g. "labels or annotations"): fill them one by one.
      for (const [k, v] of Object.entries(shape)) {
        const inner = unwrapped(v);
        const value = def(inner).type === 'record' ? { x: sample(def(inner).valueType as z.ZodType) } : sample(inner);
        if (ok({ ...base, [k]: value })) return { ...base, [k]: value };
      }
      return base;
    }
    case 'array':
      return ok([]) ? [] : [sample(d.element as z.ZodType)];
    case 'record':
      return {};
    case 'union': {
      const options = d.options as z.ZodType[];
      return options.map(sample).find((v, i) => options[i].safeParse(v).success) ?? sample(options[0]);
    }
    case 'enum':
      return Object.values(d.entries as Record<string, string>)[0];
    case 'literal':
      return (d.values as unknown[])[0];
    case 'boolean':
      return false;
    case 'number':
      return [1, 0, 10, 30, 100].find(ok) ?? 1;
    case 'string':
      return ['x', 'example.com', 'a@example.com', '10.0.0.0/8', '3f2b1c4d-5e6f-4a1b-9c2d-000000000001', '1.0.0', 'Standard_D2s_v5'].find(ok) ?? 'x';
    default:
      return undefined;
  }
}

function unwrapped(s: z.ZodType): z.ZodType {
  const d = def(s);
  return ['optional', 'nullable', 'default', 'readonly'].includes(d.type) ? unwrapped(d.innerType as z.ZodType) : s;
}

/** An environment with an example of (nearly) every field, so each leaf has a valid place to go. */
function richEnv(): Json {
  const env: Json = baseEnv();
  env.azure = { subscriptionId: '00000000-0000-0000-0000-000000000000', tenantId: '00000000-0000-0000-0000-000000000000' };
  env.state = { backend: 'azurerm', resourceGroupName: 'tfstate', storageAccountName: 'tfstate1', containerName: 'tfstate', keyPrefix: 'p/', subscriptionId: '00000000-0000-0000-0000-000000000000', tenantId: '00000000-0000-0000-0000-000000000000' };
  env.entra.groups.dev = { displayName: 'capsuleDevGroup', description: 'dev team' };
  env.entra.groups.ext = { objectId: '33333333-3333-3333-3333-333333333333' };
  env.entra.users.bob = { userPrincipalName: 'bob@contoso.onmicrosoft.com', displayName: 'Bob', memberOf: ['dev'] };
  Object.assign(env.cluster, { dnsPrefix: 'aw', kubernetesVersion: '1.34', tags: { team: 'platform' }, authorizedIpRanges: ['203.0.113.0/24'], localAccountsEnabled: true });
  Object.assign(env.cluster.nodePool, { name: 'system', temporaryNameForRotation: 'systmp', zones: ['1'] });
  env.access = { tenantRoleScope: 'cluster', clusterAdminPrincipalId: '44444444-4444-4444-4444-444444444444' };
  env.capsule = {
    chartVersion: '0.14.0',
    certManager: { chartVersion: 'v1.19.1' },
    proxy: { chartVersion: '0.14.0', dnsLabel: 'capsule-proxy-x', allowedIpRanges: ['203.0.113.0/24'], hostnames: ['capsule.example.com'], customCertificate: { certFile: 'certs/a.pem', keyFile: 'certs/b.pem', caFile: 'certs/c.pem' } },
  };
  env.tenants.dev = {
    ...env.tenants.dev,
    owners: [
      { group: 'dev', clusterRoles: ['admin'] },
      { user: 'bob', clusterRoles: ['admin'] },
      { groupObjectId: '55555555-5555-5555-5555-555555555555', clusterRoles: ['admin'] },
      { userPrincipalName: 'carol@contoso.onmicrosoft.com', clusterRoles: ['admin'] },
    ],
    namespaceOptions: { quota: 3, additionalMetadata: { labels: { a: 'b' }, annotations: { c: 'd' } }, forbiddenLabels: { denied: ['x'], deniedRegex: 'y' }, forbiddenAnnotations: { denied: ['x'], deniedRegex: 'y' } },
    networkPolicies: [{ podSelector: { matchLabels: { a: 'b' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }],
    limitRanges: [{ limits: [{ type: 'Container', default: { cpu: '1' } }] }],
    ingressOptions: { allowedClasses: { allowed: ['nginx'], default: 'nginx', matchLabels: { a: 'b' } }, allowedHostnames: ['app.example.com'], hostnameCollisionScope: 'Cluster' },
    nodeSelector: { pool: 'tenants' },
    storageClasses: { allowed: ['managed-csi'], default: 'managed-csi', matchLabels: { a: 'b' } },
    priorityClasses: { allowed: ['low'], default: 'low', matchLabels: { a: 'b' } },
    containerRegistries: ['myacr.azurecr.io'],
    rules: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } }],
    additionalRoleBindings: [{ clusterRoleName: 'view', subjects: [{ kind: 'Group', name: 'g', apiGroup: 'rbac.authorization.k8s.io', namespace: 'n' }], labels: { a: 'b' }, annotations: { c: 'd' } }],
  };
  env.cluster.nodePools = { tenants: { labels: { pool: 'tenants' }, taints: [{ key: 'dedicated', value: 'tenants', effect: 'NoSchedule' }] } };
  env.policy = { ...env.policy, allowLocalAccounts: 'a lab cluster without Entra ID sign-in for the test' };
  return env;
}

/** Puts `value` at a leaf of the document (an existing example where there is one); returns the concrete path. */
function place(doc: Json, leaf: Leaf, value: string): string[] {
  const concrete: string[] = [];
  let cur: Json = doc;
  const segs = leaf.path;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const next = segs[i + 1];
    const nextKey = next && 'key' in next ? next.key : undefined;
    const has = (v: Json) => nextKey === undefined || (typeof v === 'object' && v !== null && nextKey in v);
    // Reuse an example that has the next key; else the first one when the key may be added to it; else a new one.
    const shape = def(unwrapped(leaf.schemas[i])).shape as Record<string, z.ZodType> | undefined;
    const canAdd = (v: Json) => nextKey === undefined || (shape !== undefined && nextKey in shape && typeof v === 'object' && v !== null);
    let k: string | number;
    if ('key' in seg) k = seg.key;
    else if ('anyIndex' in seg) {
      const list = cur as Json[];
      const found = list.findIndex(has);
      k = found >= 0 ? found : list.length > 0 && canAdd(list[0]) ? 0 : list.length;
    } else {
      const keys = Object.keys(cur);
      k = keys.find((x) => has(cur[x])) ?? (keys.length > 0 && canAdd(cur[keys[0]]) ? keys[0] : 'x');
    }
    const last = i === segs.length - 1;
    if (last && leaf.kind === 'value') {
      cur[k] = value;
      concrete.push(String(k));
      return concrete;
    }
    if (cur[k] === undefined || typeof cur[k] !== 'object' || cur[k] === null) {
      const made = sample(unwrapped(leaf.schemas[i]));
      cur[k] = typeof made === 'object' && made !== null ? made : {};
    }
    concrete.push(String(k));
    cur = cur[k];
  }
  // A key leaf: a new key beside the existing ones, with a copy of an existing value (or a sample of one).
  const existing = Array.isArray(cur) ? undefined : Object.values(cur)[0];
  cur[value] = existing === undefined ? 'v' : JSON.parse(JSON.stringify(existing));
  return [...concrete, value];
}

describe('every free-text field of the environment schema', () => {
  const all = leaves(environmentSchema as unknown as z.ZodType);
  const label = (l: Leaf) => `${l.path.map((s) => ('key' in s ? s.key : 'anyKey' in s ? '<key>' : '[i]')).join('.')}${l.kind === 'key' ? ' (keys)' : ''}`;

  test('the walk finds the free-text fields (display names, tags, annotations, registries, embedded specs)', () => {
    const names = all.map(label);
    for (const f of ['entra.groups.<key>.displayName', 'cluster.tags (keys)', 'cluster.tags.<key>', 'tenants.<key>.containerRegistries.[i]', 'tenants.<key>.networkPolicies.[i].x-extra']) {
      expect(names).toContain(f);
    }
    expect(all.length).toBeGreaterThan(60);
  });

  test('a cdktf token marker in any field is refused with file, line and field', () => {
    expect(problemsOf(richEnv())).toEqual([]);
    const missed = all.filter((leaf) => {
      const doc = richEnv();
      const at = place(doc, leaf, 'x${TfToken[TOKEN.1]}').join('.');
      return !problemsOf(doc).some((p) => p.startsWith(`test.yaml:1: ${at}:`) || p.startsWith(`test.yaml:1: ${at} `));
    });
    expect(missed.map(label)).toEqual([]);
  });

  test('"${…}" and "%{…}" in any field: refused by the schema naming the field, or escaped in every synthesized stack', () => {
    const accepted: { id: string; leaf: Leaf }[] = [];
    const unnamed: string[] = [];
    all.forEach((leaf, i) => {
      const id = `pwn${i}x`;
      const doc = richEnv();
      const segs = place(doc, leaf, `a\${${id}}b%{${id}}c`);
      const problems = problemsOf(doc);
      if (problems.length === 0) accepted.push({ id, leaf });
      // Refused: the message names the field or the map holding it (file, line, path), so it is about this value.
      else {
        const named = [segs, segs.slice(0, -1)].map((s) => `test.yaml:1: ${s.join('.')}`);
        if (!problems.some((p) => named.some((n) => p.startsWith(`${n}:`) || p.startsWith(`${n} `)))) unnamed.push(`${label(leaf)}: ${problems[0]}`);
      }
    });
    // A refusal that names another field means the rich environment lacks a valid example around this one: add it.
    expect(unnamed).toEqual([]);
    expect(accepted.map((a) => label(a.leaf))).toEqual(expect.arrayContaining(['entra.groups.<key>.displayName', 'cluster.tags.<key>', 'cluster.tags (keys)']));

    // Every accepted field at once, each with its own marker, through the real stacks.
    const doc = richEnv();
    for (const { id, leaf } of accepted) place(doc, leaf, `a\${${id}}b%{${id}}c`);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'literal-'));
    try {
      const app = new App({ outdir });
      createEnvironmentStacks(app, envFrom(doc));
      app.synth();
      const texts = fs
        .readdirSync(path.join(outdir, 'stacks'))
        .map((s) => fs.readFileSync(path.join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8'));
      const leaked = accepted.filter(({ id }) => texts.some((t) => live(t, id))).map(({ leaf }) => label(leaf));
      expect(leaked).toEqual([]);
      // The test can fail: the markers did reach Terraform (escaped).
      expect(texts.join('\n')).toMatch(/\$\$\{pwn\d+x\}/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
