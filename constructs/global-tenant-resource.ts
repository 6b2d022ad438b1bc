import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { checkPattern, invalid, RFC1123_LABEL_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** Where the items are replicated: each namespace of the selected tenants, or once per tenant, or as given. */
export type GlobalTenantResourceScope = 'Namespace' | 'Tenant' | 'None';

/** A Kubernetes object to replicate (apiVersion, kind, metadata.name and the rest). */
export interface ReplicatedItem {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

export interface GlobalTenantResourceProps {
  /** Name of the GlobalTenantResource (cluster-scoped; lowercase RFC 1123 label). */
  readonly name: string;
  /** Labels a Tenant must carry to be selected (`spec.tenantSelector.matchLabels`). */
  readonly tenantSelector: Record<string, string>;
  /** Objects replicated (`spec.resources[0].rawItems`); at least one. */
  readonly items: ReplicatedItem[];
  /**
   * Only namespaces of the selected tenants with these labels.
   * @default every namespace of the selected tenants
   */
  readonly namespaceSelector?: Record<string, string>;
  /**
   * Replication scope.
   * @default 'Namespace'
   */
  readonly scope?: GlobalTenantResourceScope;
  /**
   * How often Capsule reconciles the replicas (Go duration).
   * @default '60s'
   */
  readonly resyncPeriod?: string;
  /**
   * Delete the replicas when this resource is deleted.
   * @default true
   */
  readonly pruningOnDelete?: boolean;
  /**
   * The ServiceAccount Capsule replicates as (`spec.serviceAccount`, impersonated), e.g. a
   * {@link ReplicationServiceAccount}; give it exactly the rights the items need.
   * @default none: Capsule replicates with its controller's cluster-wide rights (GHSA-qjjm-7j9w-pw72)
   */
  readonly serviceAccount?: { readonly name: string; readonly namespace: string };
  /**
   * Terraform `prevent_destroy` on the manifest.
   * @default false
   */
  readonly preventDestroy?: boolean;
  /**
   * Resources created first (e.g. the Tenant, the Capsule release).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

const SCOPES: readonly GlobalTenantResourceScope[] = ['Namespace', 'Tenant', 'None'];

/**
 * A Capsule `GlobalTenantResource` (`capsule.clastix.io/v1beta2`): replicates objects (network policies, limit
 * ranges, …) into the namespaces of the tenants it selects. The replacement Capsule 0.14 recommends for the
 * deprecated Tenant fields `networkPolicies` and `limitRanges`.
 */
export class GlobalTenantResource extends Construct {
  public readonly manifest: Manifest;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: GlobalTenantResourceProps) {
    super(scope, id);
    checkPattern(this, 'name', props.name, RFC1123_LABEL_RE, 'must be a lowercase RFC 1123 label (letters, digits, "-"; at most 63)');
    if (props.name.length > 63) invalid(this, 'name', props.name, 'must be at most 63 characters');
    if (Object.keys(props.tenantSelector).length === 0) invalid(this, 'tenantSelector', props.tenantSelector, 'must have at least one label (an empty selector would select every tenant)');
    if (props.items.length === 0) invalid(this, 'items', props.items, 'must have at least one object to replicate');
    props.items.forEach((item, i) => {
      if (!item.apiVersion || !item.kind || !item.metadata?.name) invalid(this, `items[${i}]`, item, 'must have apiVersion, kind and metadata.name');
    });
    const scopeValue = props.scope ?? 'Namespace';
    if (!SCOPES.includes(scopeValue)) invalid(this, 'scope', scopeValue, `must be one of ${SCOPES.join(', ')}`);
    const resyncPeriod = props.resyncPeriod ?? '60s';
    checkPattern(this, 'resyncPeriod', resyncPeriod, /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, 'must be a Go duration such as 60s or 5m');
    if (props.serviceAccount) {
      checkPattern(this, 'serviceAccount.name', props.serviceAccount.name, RFC1123_LABEL_RE, 'must be a ServiceAccount name (lowercase RFC 1123 label)');
      checkPattern(this, 'serviceAccount.namespace', props.serviceAccount.namespace, RFC1123_LABEL_RE, 'must be a namespace name (lowercase RFC 1123 label)');
    }
    this.name = props.name;

    const resource: Record<string, unknown> = { rawItems: props.items };
    if (props.namespaceSelector && Object.keys(props.namespaceSelector).length > 0) resource.namespaceSelector = { matchLabels: props.namespaceSelector };
    this.manifest = new Manifest(this, 'manifest', terraformLiterals(this, 'manifest', {
      manifest: {
        apiVersion: 'capsule.clastix.io/v1beta2',
        kind: 'GlobalTenantResource',
        metadata: { name: props.name },
        spec: {
          tenantSelector: { matchLabels: props.tenantSelector },
          scope: scopeValue,
          resyncPeriod,
          pruningOnDelete: props.pruningOnDelete ?? true,
          // No `settings`: the controller dereferences settings.adopt / settings.force (capsule v0.14.0
          // internal/controllers/resources/global.go:395-396), but the CRD defaults `settings` to {} and both to false
          // (globaltenantresources CRD spec.settings `default: {}`, adopt/force `default: false`; api/v1beta2
          // tenantresource_types.go:38-41, 69-77), and the API server applies a parent's default before its
          // children's. Writing `settings: {}` ourselves would only add a field the server then fills in.
          ...(props.serviceAccount ? { serviceAccount: { name: props.serviceAccount.name, namespace: props.serviceAccount.namespace } } : {}),
          resources: [resource],
        },
      },
      dependsOn: props.dependsOn,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    }));
  }
}
