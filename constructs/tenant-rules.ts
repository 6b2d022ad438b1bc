import type { LimitRangeSpec } from 'kubernetes-types/core/v1';
import type { TenantRegistryRule, TenantRule } from './capsule-tenant-types';

/**
 * The rules shared by the CapsuleTenant construct and the environment schema (one home per rule): quota resource
 * names and quantities, container defaults a quota needs, registry patterns, Pod Security levels.
 */

/** Kubernetes quantity (the pattern of `rules[].quota[].hard` in the Capsule 0.14.0 Tenant CRD). */
export const QUANTITY_RE = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;

/** Resource names a ResourceQuota accepts by name (kubernetes.io/docs/concepts/policy/resource-quotas). */
const QUOTA_RESOURCE_NAMES: readonly string[] = [
  'cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory',
  'ephemeral-storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage',
  'requests.storage', 'persistentvolumeclaims',
  'pods', 'services', 'services.loadbalancers', 'services.nodeports', 'secrets', 'configmaps', 'replicationcontrollers', 'resourcequotas',
];
const DNS_SUBDOMAIN = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
/** Resource name patterns: hugepages, object counts, per-storage-class storage, extended resources (requests only). */
const QUOTA_RESOURCE_PATTERNS: readonly RegExp[] = [
  /^(requests\.|limits\.)?hugepages-[0-9]+(Ki|Mi|Gi)$/,
  new RegExp(`^count/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.${DNS_SUBDOMAIN})?$`),
  new RegExp(`^${DNS_SUBDOMAIN}\\.storageclass\\.storage\\.k8s\\.io/(requests\\.storage|persistentvolumeclaims)$`),
  new RegExp(`^requests\\.${DNS_SUBDOMAIN}\\.[a-z]{2,}/[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$`),
];

/** What a quota resource name may be (the message of a refused name). */
export const QUOTA_RESOURCE_ALLOWED =
  `must be a ResourceQuota resource name: ${QUOTA_RESOURCE_NAMES.join(', ')}, hugepages-<size>, count/<resource>[.<group>], ` +
  '<storage class>.storageclass.storage.k8s.io/requests.storage or /persistentvolumeclaims, requests.<domain>/<extended resource>';

/** True when `name` is a resource name a ResourceQuota accepts in `hard` ({@link QUOTA_RESOURCE_ALLOWED}). */
export function isQuotaResourceName(name: string): boolean {
  return QUOTA_RESOURCE_NAMES.includes(name) || QUOTA_RESOURCE_PATTERNS.some((re) => re.test(name));
}

/**
 * Container resources a quota covers that pods must then declare: a quota on `limits.cpu` refuses pods without a
 * cpu limit, one on `requests.cpu` or `cpu` pods without a cpu request. Returns `limits.<r>` / `requests.<r>`.
 */
export function containerResourcesRequiredBy(hard: readonly string[]): string[] {
  const out = new Set<string>();
  for (const key of hard) {
    for (const r of ['cpu', 'memory']) {
      if (key === `limits.${r}`) out.add(`limits.${r}`);
      if (key === r || key === `requests.${r}`) out.add(`requests.${r}`);
    }
  }
  return [...out].sort();
}

/**
 * Of the container resources a quota needs ({@link containerResourcesRequiredBy}), those no `Container` LimitRange
 * item gives a default for. Kubernetes fills a missing default limit from `max`, and a missing default request from
 * the default limit, else `min` (kubernetes pkg/apis/core/v1/defaults.go, SetDefaults_LimitRangeItem).
 */
export function missingContainerDefaults(hard: readonly string[], limitRanges: readonly LimitRangeSpec[]): string[] {
  const items = limitRanges.flatMap((l) => l.limits ?? []).filter((i) => i.type === 'Container');
  const has = (field: 'default' | 'defaultRequest' | 'max' | 'min', r: string) => items.some((i) => i[field]?.[r] !== undefined);
  return containerResourcesRequiredBy(hard).filter((need) => {
    const [kind, r] = need.split('.');
    const limit = has('default', r) || has('max', r);
    return kind === 'limits' ? !limit : !(limit || has('defaultRequest', r) || has('min', r));
  });
}

/**
 * A registry pattern: a registry host (with a "." or a port, or `localhost`), an optional port and optional path
 * segments, e.g. `myacr.azurecr.io`, `ghcr.io/my-org`, `registry.local:5000`. No scheme, tag or wildcard.
 */
export const REGISTRY_PATTERN_RE =
  /^(localhost|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(?=:))(:[0-9]{1,5})?(\/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*$/;
export const REGISTRY_PATTERN_ALLOWED =
  'must be a registry host with optional port and path, such as myacr.azurecr.io, ghcr.io/my-org or registry.local:5000 (no scheme, tag or wildcard; the host has a "." or a port, or is localhost)';

/** Image pull policies a registry rule may allow (corev1.PullPolicy). */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export const PULL_POLICIES: readonly PullPolicy[] = ['Always', 'IfNotPresent', 'Never'];

/**
 * The Capsule registry rule for a registry pattern: images whose reference starts with `<pattern>/`. Capsule
 * matches the whole image reference (capsule internal/cache/registries.go MatchReference, `exact` is a full
 * reference), so the pattern becomes an anchored regular expression; the trailing `/` keeps
 * `myacr.azurecr.io.evil.example` out.
 */
export function registryRule(pattern: string, policy?: readonly PullPolicy[]): TenantRegistryRule {
  const exp = `^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/.*$`;
  return policy?.length ? { exp, policy: [...policy] } : { exp };
}

/** Pod Security Standards levels (kubernetes.io/docs/concepts/security/pod-security-standards). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['restricted', 'baseline', 'privileged'];
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
/**
 * Also managed: the policy version the level is checked against. Without it an owner could label a namespace
 * `pod-security.kubernetes.io/enforce-version: v1.0`, whose `restricted` checks far less than today's; `latest`
 * follows the cluster's Kubernetes version.
 */
export const POD_SECURITY_ENFORCE_VERSION_LABEL = 'pod-security.kubernetes.io/enforce-version';

/**
 * The rule that puts `pod-security.kubernetes.io/enforce: <level>` (and `enforce-version: latest`) on every namespace of
 * the tenant. `managed`
 * metadata is set by Capsule's admission mutation on every create and update and reconciled by the RuleStatus
 * controller (capsule v0.14.0 pkg/api/rules/enforce_metadata_types.go `Managed`; internal/webhook/rules/generic/
 * mutation/metadata.go applyMutation overwrites the key), so an owner's change to the label is reverted. Namespace
 * is matched only when named explicitly in `kinds` (enforce_metadata_types.go MatchesGroupVersionKind).
 */
export function podSecurityRule(level: PodSecurityLevel): TenantRule {
  return {
    enforce: {
      action: 'deny',
      metadata: [{ kinds: ['Namespace'], labels: { [POD_SECURITY_ENFORCE_LABEL]: { managed: level }, [POD_SECURITY_ENFORCE_VERSION_LABEL]: { managed: 'latest' } } }],
    },
  };
}
