import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import type { TenantAllowedList, TenantLabelSelector, TenantOwnerKind } from './capsule-tenant-types';
import { checkPattern, invalid, RFC1123_LABEL_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** Who gets the rights: tenant owners (User by UPN, Group by object ID, ServiceAccount). */
export interface ProxySubject {
  readonly kind: TenantOwnerKind;
  readonly name: string;
}

/** Cluster-scoped resources capsule-proxy lets the subjects read (`clusterResources[]`, capsule-proxy v1beta1). */
export interface ProxyClusterResource {
  /** API groups (`''` for core v1). */
  readonly apiGroups: string[];
  /** Resource names, plural lowercase (e.g. `storageclasses`): capsule-proxy matches the URL's resource name. */
  readonly resources: string[];
  /** Only the objects with these labels. */
  readonly selector: TenantLabelSelector;
  /**
   * `List` (implies `Get`) and/or `Get`.
   * @default ['List', 'Get']
   */
  readonly operations?: ('List' | 'Get')[];
}

export interface GlobalProxySettingProps {
  /** Name of the GlobalProxySetting (cluster-scoped; lowercase RFC 1123 label). */
  readonly name: string;
  /** Subjects of the rule (at least one). */
  readonly subjects: ProxySubject[];
  /** What they may list and get through capsule-proxy (at least one). */
  readonly clusterResources: ProxyClusterResource[];
  /**
   * Terraform `prevent_destroy`.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Resources created first (e.g. the Tenant).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Label capsule-proxy itself selects allowed classes by name with (capsule-proxy v0.14.0
 * internal/modules/storageclass/utils.go getStorageClassSelector: `corev1.LabelMetadataName In names`).
 * capsule-proxy filters only by labels: the selector is added to the request's `labelSelector` and the API server
 * filters (v0.14.0 internal/webserver/webserver.go:451-470 handleRequest; with ProxyClusterScoped the rules'
 * selectors, internal/modules/clusterscoped/utils.go:34-44 and get.go:99-107). Kubernetes sets this label on
 * Namespaces only, so the classes allowed by name get it from {@link AllowedClassLabels}.
 */
export const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The class kinds a tenant can be allowed, as API group and resource (and apiVersion and kind, to label them). */
const CLASS_RESOURCES = {
  storageClasses: { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' },
  ingressClasses: { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass' },
  priorityClasses: { apiGroups: ['scheduling.k8s.io'], resources: ['priorityclasses'], apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' },
} as const;

/** The classes a Tenant allows, per kind (its `storageClasses`, `ingressOptions.allowedClasses`, `priorityClasses`). */
export interface AllowedClasses {
  readonly storageClasses?: TenantAllowedList;
  readonly ingressClasses?: TenantAllowedList;
  readonly priorityClasses?: TenantAllowedList;
}

/** The classes a tenant is allowed by name, per kind: `allowed` and `default`, sorted, without duplicates. */
export interface NamedAllowedClasses {
  readonly apiVersion: string;
  readonly kind: 'StorageClass' | 'IngressClass' | 'PriorityClass';
  readonly names: string[];
}

/**
 * The classes allowed by name (not by labels), per kind. capsule-proxy can only select them by a label (see
 * {@link METADATA_NAME_LABEL}), which Kubernetes sets on Namespaces only: {@link AllowedClassLabels} puts it on these.
 */
export function namedAllowedClasses(classes: AllowedClasses): NamedAllowedClasses[] {
  const out: NamedAllowedClasses[] = [];
  for (const kind of ['storageClasses', 'ingressClasses', 'priorityClasses'] as const) {
    const a = classes[kind];
    const names = a ? [...new Set([...(a.allowed ?? []), ...(a.default ? [a.default] : [])])].sort() : [];
    if (names.length) out.push({ apiVersion: CLASS_RESOURCES[kind].apiVersion, kind: CLASS_RESOURCES[kind].kind, names });
  }
  return out;
}

/**
 * List and Get on the classes a tenant is allowed, filtered the way capsule-proxy filters them: by the allowed
 * list's labels when it has `matchLabels`, else by name (`kubernetes.io/metadata.name In [allowed…, default]`).
 */
export function allowedClassResources(classes: AllowedClasses): ProxyClusterResource[] {
  const out: ProxyClusterResource[] = [];
  for (const kind of ['storageClasses', 'ingressClasses', 'priorityClasses'] as const) {
    const a = classes[kind];
    if (!a) continue;
    const names = namedAllowedClasses({ [kind]: a })[0]?.names ?? [];
    const labels = a.matchLabels && Object.keys(a.matchLabels).length ? { ...a.matchLabels } : undefined;
    if (labels) out.push({ ...clone(CLASS_RESOURCES[kind]), selector: { matchLabels: labels }, operations: ['List', 'Get'] });
    if (names.length) {
      out.push({ ...clone(CLASS_RESOURCES[kind]), selector: { matchExpressions: [{ key: METADATA_NAME_LABEL, operator: 'In', values: names }] }, operations: ['List', 'Get'] });
    }
  }
  return out;
}

function clone(r: { readonly apiGroups: readonly string[]; readonly resources: readonly string[] }) {
  return { apiGroups: [...r.apiGroups], resources: [...r.resources] };
}

/**
 * A capsule-proxy `GlobalProxySetting` (`capsule.clastix.io/v1beta1`, cluster-scoped): lets the subjects list and get
 * the selected cluster-scoped resources through capsule-proxy. capsule-proxy only reads GlobalProxySettings when it
 * runs with `--feature-gates=ProxyClusterScoped=true` (capsule-proxy v0.14.0 internal/webserver/webserver.go,
 * getProxyTenantsForOwnerKind), which {@link CapsuleProxy} sets by default.
 */
export class GlobalProxySetting extends Construct {
  public readonly manifest: Manifest;

  constructor(scope: Construct, id: string, props: GlobalProxySettingProps) {
    super(scope, id);
    checkPattern(this, 'name', props.name, RFC1123_LABEL_RE, 'must be a lowercase RFC 1123 label');
    if (props.name.length > 63) invalid(this, 'name', props.name, 'must be at most 63 characters');
    if (!props.subjects.length) invalid(this, 'subjects', props.subjects, 'must name at least one subject');
    if (!props.clusterResources.length) invalid(this, 'clusterResources', props.clusterResources, 'must name at least one cluster resource');
    props.clusterResources.forEach((r, i) => {
      if (!r.resources.length || r.resources.includes('*')) invalid(this, `clusterResources[${i}].resources`, r.resources, 'must name resources (plural, e.g. storageclasses; no "*")');
      if (!r.apiGroups.length || r.apiGroups.includes('*')) invalid(this, `clusterResources[${i}].apiGroups`, r.apiGroups, 'must name API groups ("" for core; no "*")');
      (r.operations ?? []).forEach((o, j) => {
        if (o !== 'List' && o !== 'Get') invalid(this, `clusterResources[${i}].operations[${j}]`, o, 'must be List or Get');
      });
    });
    this.manifest = new Manifest(this, 'manifest', terraformLiterals(this, 'manifest', {
      manifest: {
        apiVersion: 'capsule.clastix.io/v1beta1',
        kind: 'GlobalProxySettings',
        metadata: { name: props.name, labels: { 'app.kubernetes.io/managed-by': 'capsule-aks' } },
        spec: {
          rules: [
            {
              subjects: props.subjects.map((s) => ({ kind: s.kind, name: s.name })),
              clusterResources: props.clusterResources.map((r) => ({
                apiGroups: [...r.apiGroups],
                resources: [...r.resources],
                operations: [...(r.operations ?? ['List', 'Get'])],
                selector: JSON.parse(JSON.stringify(r.selector)) as unknown,
              })),
            },
          ],
        },
      },
      dependsOn: props.dependsOn,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    }));
  }
}
