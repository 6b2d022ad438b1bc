import {
  AnnotationMetadataEntryType,
  Annotations,
  Aspects,
  DefaultTokenResolver,
  IAspect,
  StringConcat,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  Token,
  Tokenization,
} from 'cdktf';
import { IConstruct } from 'constructs';
import { PINNED_VERSION_RE, isPlainObject } from '../constructs/validation';
import { DEPRECATED_TENANT_FIELDS, deprecatedTenantFields } from '../constructs/capsule-tenant-types';
import { POLICY_CHECKS_ASPECT, PolicyCheckId, ReportedFinding, reportedFindings } from '../constructs/policy-finding';

export type { PolicyCheckId } from '../constructs/policy-finding';

/**
 * Synth-time policy checks. They inspect the synthesized configuration of every resource and output generically
 * (by Terraform type and attributes, after escape hatches), so they also cover resources added by other constructs.
 * Errors fail the synthesis; warnings are printed and can be acknowledged per environment with a reason.
 */

/** Level of a policy check: errors fail synth and cannot be acknowledged; warnings can. */
export type PolicyLevel = 'error' | 'warning';

/** A documented policy check. */
export interface PolicyCheck {
  /** Error (fails synth) or warning (printed, can be acknowledged). */
  readonly level: PolicyLevel;
  /** What triggers it. */
  readonly title: string;
  /** How to fix it (or, for a warning, why acknowledging it may be acceptable). */
  readonly fix: string;
}

/**
 * Every policy check, by id, with its fix in the terms of this library (construct props, {@link CapsulePolicyChecksProps});
 * an app states them in its own terms with {@link CapsulePolicyChecksProps.fixes}. The README's "Guardrails" section
 * lists the same table.
 */
export const POLICY_CHECKS: Readonly<Record<PolicyCheckId, PolicyCheck>> = {
  CAKS001: {
    level: 'error',
    title: 'AKS local accounts are enabled (static admin kubeconfig) without an explicit opt-in',
    fix: 'keep AksCluster localAccountsEnabled off (the default), or opt in with the policy checks option allowLocalAccounts: <reason>',
  },
  CAKS002: {
    level: 'warning',
    title: 'an Azure role assignment at subscription (or management group) scope',
    fix: 'assign it at the cluster or its resource group (AksAccess scope), or acknowledge it with the policy checks option acknowledged: { CAKS002: <reason> }',
  },
  CAKS003: {
    level: 'error',
    title: 'a protected environment whose AKS API server is public without authorized IP ranges',
    fix: 'set AksCluster authorizedIpRanges (or network.privateCluster: true)',
  },
  CAKS004: {
    level: 'error',
    title: 'a Capsule Tenant without owners (nobody can use it; spec.owners and spec.permissions.matchOwners are empty)',
    fix: 'give the tenant at least one owner (CapsuleTenant owners)',
  },
  CAKS005: {
    level: 'error',
    title: 'a Helm release whose chart version is not a pinned semantic version (x.y.z)',
    fix: 'set the chart version to an exact version such as 0.14.0 (no ranges, no "latest", no empty version)',
  },
  CAKS006: {
    level: 'warning',
    title: 'a Capsule Tenant using fields deprecated in Capsule 0.14 (networkPolicies, resourceQuotas, limitRanges, ...)',
    fix: 'move to the replacement named in the message, or acknowledge it with the policy checks option acknowledged: { CAKS006: <reason> }',
  },
  CAKS007: {
    level: 'error',
    title: 'a protected environment where the AKS cluster or a Capsule Tenant can be destroyed (no prevent_destroy, or Tenant without spec.preventDeletion)',
    fix: 'set preventDestroy on AksCluster and CapsuleTenant and preventDeletion: true on CapsuleTenant (lifecycle.prevent_destroy on resources of your own)',
  },
  CAKS008: {
    level: 'error',
    title: 'an output that exposes a secret: an admin kubeconfig at all, or a password, private key, client key or raw kubeconfig without sensitive = true',
    fix: 'remove the output, or mark it sensitive (admin kubeconfigs are never output)',
  },
  CAKS009: {
    level: 'error',
    title: 'a secret written as a literal in the configuration (password, client secret, private key, token)',
    fix: 'generate it with the random provider, or read it at apply time (e.g. Fn.file), never as text in the JSON',
  },
  CAKS010: {
    level: 'warning',
    title: 'an endpoint reachable from any address: the AKS API server without authorized IP ranges, or the capsule-proxy LoadBalancer without allowed IP ranges',
    fix: 'set AksCluster authorizedIpRanges and CapsuleProxy allowedIpRanges, or acknowledge it with the policy checks option acknowledged: { CAKS010: <reason> }',
  },
  CAKS011: {
    level: 'warning',
    title: '"AKS RBAC Cluster Admin" goes to whoever runs Terraform (the data source azurerm_client_config): it moves between people and CI on every deploy',
    fix: 'assign the role to one fixed principal (the deploying identity\'s object ID), or acknowledge it with the policy checks option acknowledged: { CAKS011: <reason> }',
  },
};

/** Options of {@link CapsulePolicyChecks}. */
export interface CapsulePolicyChecksProps {
  /**
   * The environment is protected: CAKS003 and CAKS007 apply.
   * @default false
   */
  readonly protected?: boolean;
  /**
   * Explicit opt-in for AKS local accounts (CAKS001), as the reason why they are needed.
   * @default - no opt-in: local accounts are an error
   */
  readonly allowLocalAccounts?: string;
  /**
   * Acknowledged warnings: check id -> reason. Acknowledged findings are reported as information, with the reason.
   * Error-level ids are refused (a {@link PolicyConfigError} is thrown).
   * @default {}
   */
  readonly acknowledged?: Readonly<Partial<Record<PolicyCheckId, string>>>;
  /**
   * How to fix a finding in the terms of your own configuration, by check id, replacing the fix of
   * {@link POLICY_CHECKS} (written in construct props terms) in the messages. E.g. an app that reads its settings
   * from a file names the file's keys.
   * @default - the fixes of POLICY_CHECKS
   */
  readonly fixes?: Readonly<Partial<Record<PolicyCheckId, string>>>;
}

/** The ids whose findings can be acknowledged (warnings). */
const ACKNOWLEDGEABLE = (Object.keys(POLICY_CHECKS) as PolicyCheckId[]).filter((id) => POLICY_CHECKS[id].level === 'warning');

/**
 * Why `id` cannot be acknowledged (not a policy check id, or an error-level check), or undefined when it can. The one
 * rule for acknowledgements: CapsulePolicyChecks and the environment file's `policy.acknowledge` both use it.
 * `localAccountsOptIn` names the opt-in for CAKS001 in the caller's terms.
 */
export function acknowledgeProblem(id: string, localAccountsOptIn: string): string | undefined {
  const check = (POLICY_CHECKS as Record<string, PolicyCheck | undefined>)[id];
  const warnings = `warnings that can be acknowledged: ${ACKNOWLEDGEABLE.join(', ')}`;
  if (check === undefined) return `is not a policy check id; ${warnings}`;
  if (check.level === 'error') return `is an error-level check and cannot be acknowledged (fix the cause${id === 'CAKS001' ? `, or opt in with ${localAccountsOptIn}` : ''}); ${warnings}`;
  return undefined;
}

/** A misuse of the policy checks' own options (e.g. acknowledging an error-level check). */
export class PolicyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyConfigError';
  }
}

/** Finding reported by a check: its id and message (the construct path is added by the annotation). */
type Finding = ReportedFinding;

const SUBSCRIPTION_SCOPE_RES = [
  /^\/subscriptions\/[^/]+\/?$/i,
  /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/?$/i,
  /^\$\{data\.azurerm_subscription\.[\w-]+\.id\}$/,
  /^\$\{data\.azurerm_management_group\.[\w-]+\.id\}$/,
];


/** Output values that are secrets: they must be sensitive. */
const SECRET_OUTPUT_RE =
  /(random_password\.[\w-]+\.(result|bcrypt_hash)|kube_config_raw|\.kube_config(\.\d+|\[\d+\])\.(client_key|client_certificate|password)|private_key|client_secret|access_key|connection_string|\.password\b)/;
/** Never output, even as sensitive: the admin kubeconfig bypasses Entra ID. */
const ADMIN_KUBECONFIG_RE = /kube_admin_config/;
/** Attribute names whose value is a secret. */
const SECRET_KEY_RE = /(^|[._-])(password|client_secret|secret_key|private_key|private_key_pem|client_key|access_key|token|tls\.key)$/i;
const SECRET_KEY_EXCEPTIONS = /^(force_password_change|password_length|token_reviewer)$/;

/**
 * The policy checks as an Aspect: apply it to a stack (or the app) with `Aspects.of(scope).add(...)`, or
 * {@link applyPolicyChecks}. It visits every construct once; findings become annotations (`[CAKS00x] ...`).
 */
export class CapsulePolicyChecks implements IAspect {
  /** Constructs under these checks leave their findings to them (constructs/policy-finding.ts). */
  public readonly [POLICY_CHECKS_ASPECT] = true;
  private readonly visited = new WeakSet<IConstruct>();
  private readonly acknowledged: Readonly<Partial<Record<PolicyCheckId, string>>>;

  constructor(private readonly props: CapsulePolicyChecksProps = {}) {
    this.acknowledged = props.acknowledged ?? {};
    for (const id of Object.keys(this.acknowledged)) {
      const problem = acknowledgeProblem(id, 'the allowLocalAccounts option');
      if (problem) throw new PolicyConfigError(`acknowledged: ${JSON.stringify(id)} ${problem}`);
    }
  }

  public visit(node: IConstruct): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    const findings: Finding[] = [...reportedFindings(node)];
    if (TerraformResource.isTerraformResource(node)) findings.push(...this.checkResource(node));
    else if (TerraformOutput.isTerraformOutput(node)) findings.push(...this.checkOutput(node));
    for (const f of findings) {
      const check = POLICY_CHECKS[f.id];
      const text = `[${f.id}] ${f.message}`;
      const fix = this.props.fixes?.[f.id] ?? check.fix;
      const ack = this.acknowledged[f.id];
      if (check.level === 'error') Annotations.of(node).addError(`${text}. Fix: ${fix}`);
      else if (ack !== undefined) Annotations.of(node).addInfo(`${text} (acknowledged: ${ack})`);
      else Annotations.of(node).addWarning(`${text}. Fix: ${fix}`);
    }
  }

  private checkResource(node: TerraformResource): Finding[] {
    const type = node.terraformResourceType;
    const attrs = attributesOf(node, 'resource', type);
    if (!attrs) return [];
    const findings: Finding[] = secretLiterals(node, attrs.attrs).map((where) => ({
      id: 'CAKS009' as const,
      message: `${type} has a literal secret at ${where}`,
    }));
    if (type === 'azurerm_kubernetes_cluster') {
      findings.push(...this.checkCluster(resolvedPick(node, attrs, ['local_account_disabled', 'api_server_access_profile', 'private_cluster_enabled', 'lifecycle'])));
    }
    if (type === 'azurerm_role_assignment') {
      const a = resolvedPick(node, attrs, ['scope', 'role_definition_name', 'role_definition_id']);
      const scope = typeof a.scope === 'string' ? originalReferences(node, a.scope) : a.scope;
      if (typeof scope === 'string' && SUBSCRIPTION_SCOPE_RES.some((re) => re.test(scope))) {
        findings.push({ id: 'CAKS002', message: `role assignment "${String(a.role_definition_name ?? a.role_definition_id ?? '?')}" at subscription scope ${scope}` });
      }
    }
    if (type === 'helm_release') {
      const a = resolvedPick(node, attrs, ['version', 'chart', 'name']);
      const version = a.version;
      const chart = String(a.chart ?? '');
      if (!/\.tgz$/.test(chart) && (typeof version !== 'string' || !PINNED_VERSION_RE.test(version))) {
        findings.push({ id: 'CAKS005', message: `helm release "${String(a.name ?? '?')}" (chart ${chart}) has version ${JSON.stringify(version ?? null)}, not a pinned x.y.z` });
      }
    }
    if (type === 'kubernetes_manifest') findings.push(...this.checkManifest(resolvedPick(node, attrs, ['manifest', 'lifecycle'])));
    return findings;
  }

  private checkCluster(attrs: Record<string, unknown>): Finding[] {
    const findings: Finding[] = [];
    if (attrs.local_account_disabled !== true) {
      if (this.props.allowLocalAccounts === undefined) {
        findings.push({ id: 'CAKS001', message: 'local accounts are enabled: the static admin kubeconfig bypasses Entra ID and Azure RBAC and cannot be revoked per person' });
      }
    }
    const profile = block(attrs.api_server_access_profile);
    const ranges = profile?.authorized_ip_ranges;
    if (this.props.protected && attrs.private_cluster_enabled !== true && !(Array.isArray(ranges) && ranges.length > 0)) {
      findings.push({ id: 'CAKS003', message: 'protected environment: the API server is public and reachable from any address' });
    }
    if (this.props.protected && block(attrs.lifecycle)?.prevent_destroy !== true) {
      findings.push({ id: 'CAKS007', message: 'protected environment: the AKS cluster has no lifecycle.prevent_destroy' });
    }
    return findings;
  }

  private checkManifest(attrs: Record<string, unknown>): Finding[] {
    const manifest = block(attrs.manifest);
    if (!manifest || manifest.kind !== 'Tenant' || !String(manifest.apiVersion ?? '').startsWith('capsule.clastix.io/')) return [];
    const name = String(block(manifest.metadata)?.name ?? '?');
    const spec = block(manifest.spec) ?? {};
    const findings: Finding[] = [];
    const owners = Array.isArray(spec.owners) ? spec.owners : [];
    const matchOwners = block(spec.permissions)?.matchOwners;
    if (owners.length === 0 && !(Array.isArray(matchOwners) && matchOwners.length > 0)) {
      findings.push({ id: 'CAKS004', message: `Tenant "${name}" has no owners` });
    }
    const deprecated = deprecatedTenantFields(spec);
    if (deprecated.length) {
      findings.push({
        id: 'CAKS006',
        message: `Tenant "${name}" uses deprecated fields: ${deprecated.map((f) => `spec.${f} (use ${DEPRECATED_TENANT_FIELDS[f]})`).join(', ')}`,
      });
    }
    if (this.props.protected && (block(attrs.lifecycle)?.prevent_destroy !== true || spec.preventDeletion !== true)) {
      findings.push({ id: 'CAKS007', message: `protected environment: Tenant "${name}" needs lifecycle.prevent_destroy and spec.preventDeletion: true` });
    }
    return findings;
  }

  private checkOutput(node: TerraformOutput): Finding[] {
    const raw = attributesOf(node, 'output');
    if (!raw) return [];
    const attrs = resolvedPick(node, raw, ['value', 'sensitive']);
    const value = originalReferences(node, JSON.stringify(attrs.value ?? null));
    if (ADMIN_KUBECONFIG_RE.test(value)) {
      return [{ id: 'CAKS008', message: `output "${node.friendlyUniqueId}" exposes the admin kubeconfig` }];
    }
    if (attrs.sensitive !== true && SECRET_OUTPUT_RE.test(value)) {
      return [{ id: 'CAKS008', message: `output "${node.friendlyUniqueId}" exposes a secret (${SECRET_OUTPUT_RE.exec(value)![0]}) and is not sensitive` }];
    }
    return [];
  }
}

/** Adds {@link CapsulePolicyChecks} to a scope (a stack or the app). */
export function applyPolicyChecks(scope: IConstruct, props: CapsulePolicyChecksProps = {}): CapsulePolicyChecks {
  const checks = new CapsulePolicyChecks(props);
  Aspects.of(scope).add(checks);
  return checks;
}

/** Options of {@link policyErrors}. */
export interface PolicyErrorsOptions {
  /**
   * The configuration of an element (its `toTerraform()`) already resolved as synth writes it, when known; the checks
   * then read it instead of resolving the values they check once more. The app passes those of cdktf's preparing
   * pass (app/synth-speed.ts, preparedConfiguration), which it runs first.
   * @default undefined: every element's values are resolved by the checks
   */
  readonly resolvedConfiguration?: (element: IConstruct) => unknown;
}

/** The source of {@link PolicyErrorsOptions.resolvedConfiguration} while {@link policyErrors} runs. */
let resolvedSource: ((element: IConstruct) => unknown) | undefined;

/**
 * Runs the policy checks added anywhere under `root` now (cdktf would run them during synth) and returns every
 * error annotation of the tree, as `[construct path] message`. Call it before `app.synth()` to refuse to write
 * anything when there are errors, and to report the errors of all stacks at once. The cross-stack outputs that
 * cdktf adds in its preparing pass exist only after that pass (this program's app runs it first); otherwise
 * `app.synth()` checks them when it runs the checks as an aspect.
 */
export function policyErrors(root: IConstruct, options: PolicyErrorsOptions = {}): string[] {
  const recurse = (node: IConstruct, inherited: readonly IAspect[]) => {
    const all = [...inherited, ...Aspects.of(node).all.filter((a) => a instanceof CapsulePolicyChecks)];
    for (const aspect of all) aspect.visit(node);
    for (const child of node.node.children) recurse(child, all);
  };
  resolvedSource = options.resolvedConfiguration;
  try {
    recurse(root, []);
  } finally {
    resolvedSource = undefined;
  }
  return root.node
    .findAll()
    .flatMap((n) => n.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.ERROR).map((m) => `[${n.node.path}] ${String(m.data)}`));
}

/** An element's attributes, and whether they are resolved already (see {@link attributesOf}). */
interface Attributes {
  readonly attrs: Record<string, unknown>;
  readonly resolved: boolean;
}

/**
 * The element's synthesized attributes (after overrides): resolved when {@link policyErrors} was given them, else
 * NOT resolved (references are still token strings). Resolving a whole resource costs as much as synthesizing it,
 * so the checks then resolve only the few values they read ({@link resolvedPick}); a token string is never a literal.
 */
function attributesOf(node: TerraformResource | TerraformOutput, section: 'resource' | 'output', type?: string): Attributes | undefined {
  const known = resolvedSource?.(node);
  const raw = (known ?? node.toTerraform()) as Record<string, unknown>;
  const byType = block(raw[section]);
  const group = type === undefined ? byType : block(byType?.[type]);
  const first = group ? Object.values(group)[0] : undefined;
  const attrs = block(first);
  return attrs && { attrs, resolved: known !== undefined };
}

/** One value resolved as synth would write it, with references as `${type.name.attr}`. */
function resolveIn(node: IConstruct, value: unknown): unknown {
  if (value === undefined) return undefined;
  return Tokenization.resolve(value, { scope: node, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/**
 * The named attributes of an element with every token in them resolved, and nothing else: the literal parts of a
 * block are kept as they are (resolving a whole Tenant manifest again would cost as much as synthesizing it).
 */
function resolvedPick(node: IConstruct, { attrs, resolved }: Attributes, keys: readonly string[]): Record<string, unknown> {
  const leaves = (v: unknown): unknown => {
    if (Token.isUnresolved(v)) return resolveIn(node, v);
    if (Array.isArray(v)) return v.map(leaves);
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, leaves(x)]));
    }
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const k of keys) if (attrs[k] !== undefined) out[k] = resolved ? attrs[k] : leaves(attrs[k]);
  return out;
}

/** A cdktf cross-stack reference in synthesized text (lib/app.js crossStackReference, lib/terraform-remote-state.js getString). */
const CROSS_STACK_REFERENCE_RE = /data\.terraform_remote_state\.(cross-stack-reference-input-[\w-]+)\.outputs\.(cross-stack-output-[\w-]+)/g;

/**
 * Text with each cdktf cross-stack reference replaced by the reference it carries from its own stack
 * (`data.terraform_remote_state.cross-stack-reference-input-a.outputs.cross-stack-output-random_passwordpwresult` ->
 * `random_password.pw.result`), so that the checks of what a value is (a secret output, a subscription scope) see
 * it whichever stack reads it. After cdktf's preparing pass (in `app.synth()`, and before the checks in this
 * program's app) a reference to another stack's element resolves to the first form. A reference that cannot be
 * traced stays as it is.
 */
function originalReferences(node: IConstruct, text: string): string {
  if (!text.includes('cross-stack-reference-input-')) return text;
  return text.replace(CROSS_STACK_REFERENCE_RE, (whole, input: string, output: string) => crossStackOrigin(node, input, output) ?? whole);
}

/**
 * The reference behind a cross-stack output read by `node`'s stack: the stack it reads it from is one of its
 * dependencies (cdktf adds it), whose `crossStackOutputs` map each reference to its output (lib/terraform-stack.js
 * registerOutgoingCrossStackReference; a private field of cdktf 0.21.0, the final release, read only here).
 */
function crossStackOrigin(node: IConstruct, input: string, output: string): string | undefined {
  let reader: TerraformStack;
  try {
    reader = TerraformStack.of(node);
  } catch {
    return undefined;
  }
  const inputs = (reader as unknown as { crossStackDataSources?: Record<string, { friendlyUniqueId?: string }> }).crossStackDataSources ?? {};
  // Stacks whose ids differ only in characters cdktf drops share an input id: the one with that output is meant.
  for (const origin of reader.dependencies) {
    if (inputs[origin.node.path]?.friendlyUniqueId !== input) continue;
    const reference = referencesByOutput(origin).get(output);
    if (reference !== undefined) return reference;
  }
  return undefined;
}

/** Per stack: its cross-stack outputs' IDs -> the references they carry (made again when outputs were added). */
const CROSS_STACK_OUTPUTS = new WeakMap<TerraformStack, { count: number; byOutput: Map<string, string> }>();
function referencesByOutput(origin: TerraformStack): Map<string, string> {
  const outputs = (origin as unknown as { crossStackOutputs?: Record<string, TerraformOutput> }).crossStackOutputs ?? {};
  const references = Object.keys(outputs);
  const known = CROSS_STACK_OUTPUTS.get(origin);
  if (known && known.count === references.length) return known.byOutput;
  const byOutput = new Map(references.map((r) => [outputs[r].friendlyUniqueId, r]));
  CROSS_STACK_OUTPUTS.set(origin, { count: references.length, byOutput });
  return byOutput;
}

/** A nested block: an object, or the first element of a list of blocks. */
function block(v: unknown): Record<string, unknown> | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return isPlainObject(x) ? x : undefined;
}


/** Paths of attributes named like secrets whose value is a literal (not a reference or function call). */
function secretLiterals(node: IConstruct, attrs: Record<string, unknown>): string[] {
  const found: string[] = [];
  // A token (reference, function call, lazy value) is resolved first: only what synth writes counts.
  const isLiteral = (v: unknown): boolean => {
    const x = Token.isUnresolved(v) ? resolveIn(node, v) : v;
    // Escaped text ($${, constructs/terraform-literal.ts) is still a literal.
    return typeof x === 'string' && x !== '' && !x.replace(/\$\$\{/g, '').includes('${');
  };
  // The path is a stack of its parts, joined only for a finding (resources are large: kubeconfigs, manifests).
  const path: string[] = [];
  const here = (last: string) => [...path, last].join('').replace(/^\./, '');
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        path.push(`[${i}]`);
        walk(x);
        path.pop();
      });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    // Helm `set` / `set_sensitive` entries: { name: "x.password", value: "literal" }.
    if (typeof o.name === 'string' && 'value' in o && SECRET_KEY_RE.test(o.name) && isLiteral(o.value)) found.push(here(`{name=${o.name}}`));
    for (const k of Object.keys(o)) {
      if (k === 'lifecycle' || k === 'depends_on' || k === 'provider') continue;
      const x = o[k];
      if (SECRET_KEY_RE.test(k) && !SECRET_KEY_EXCEPTIONS.test(k) && isLiteral(x)) found.push(here(`.${k}`));
      else if (typeof x === 'object' && x !== null) {
        path.push(`.${k}`);
        walk(x);
        path.pop();
      }
    }
  };
  walk(attrs);
  return found;
}
