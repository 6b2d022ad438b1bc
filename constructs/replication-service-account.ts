import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { TenantAdditionalRoleBinding } from './capsule-tenant-types';
import { checkPattern, invalid, RFC1123_LABEL_RE } from './validation';
import { terraformLiterals } from './terraform-literal';

/** A kind of object to replicate: its API group (`''` for core) and resource (plural) name. */
export interface ReplicatedKind {
  /** API group, `''` for the core group (e.g. `networking.k8s.io`). */
  readonly apiGroup: string;
  /** Resource name, plural lowercase (e.g. `networkpolicies`). */
  readonly resource: string;
}

/** The kinds the tenant presets replicate: network policies and limit ranges. */
export const POLICY_REPLICATED_KINDS: readonly ReplicatedKind[] = [
  { apiGroup: 'networking.k8s.io', resource: 'networkpolicies' },
  { apiGroup: '', resource: 'limitranges' },
];

/**
 * Verbs the replication needs on the objects it manages, as Capsule v0.14.0 uses its impersonated client: an
 * uncached client (pkg/users/serviceaccounts.go:77-93, client.New) that gets, server-side applies (patch; create when
 * the object is new) and JSON-patches, and deletes when pruning (pkg/api/processor/processor_func.go:433-462, 512,
 * 538-599, 614; pkg/runtime/client/apply.go:14-28, patch.go:69-91). It never lists or watches them (rawItems only;
 * `namespacedItems` would list their sources), and the tenant namespaces are listed and read with the controller's
 * own client (internal/controllers/resources/collect.go:538-553 gatherClient; processor_func.go:424).
 */
const REPLICATION_VERBS = ['get', 'create', 'patch', 'delete'];

export interface ReplicationServiceAccountProps {
  /** Name of the ServiceAccount and of its ClusterRole. */
  readonly name: string;
  /** Namespace of the ServiceAccount (must exist). */
  readonly namespace: string;
  /** The kinds replicated: the only rights the ServiceAccount gets. At least one. */
  readonly kinds: readonly ReplicatedKind[];
  /**
   * Resources created first (e.g. the Capsule release).
   * @default none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The identity GlobalTenantResources replicate with (`spec.serviceAccount`): a ServiceAccount with rights on the
 * replicated kinds only, instead of the Capsule controller's cluster-wide rights (the chart's controller ClusterRole
 * may delete any resource; upstream advisory GHSA-qjjm-7j9w-pw72). Capsule impersonates it (capsule v0.14.0
 * internal/controllers/resources/impersonation.go, globalServiceAccount). The ClusterRole only defines the rights;
 * nothing here binds it. Each tenant binds it in its own namespaces through {@link tenantBinding} (a Tenant rule's
 * `permissions.bindings`, which Capsule turns into a RoleBinding in every tenant namespace, capsule v0.14.0
 * internal/controllers/tenant/rolebindings.go:52-68 and 130-177): the ServiceAccount can act in tenant namespaces only.
 */
export class ReplicationServiceAccount extends Construct {
  /** `{ name, namespace }` for `spec.serviceAccount` of a GlobalTenantResource. */
  public readonly reference: { readonly name: string; readonly namespace: string };
  public readonly serviceAccount: ServiceAccountV1;
  /** The rights (bound per tenant namespace, see {@link tenantBinding}). */
  public readonly clusterRole: ClusterRoleV1;
  /** The RoleBinding a Tenant asks Capsule to create in each of its namespaces (`rules[].permissions.bindings[]`). */
  public readonly tenantBinding: TenantAdditionalRoleBinding;

  constructor(scope: Construct, id: string, props: ReplicationServiceAccountProps) {
    super(scope, id);
    checkPattern(this, 'name', props.name, RFC1123_LABEL_RE, 'must be a lowercase RFC 1123 label');
    checkPattern(this, 'namespace', props.namespace, RFC1123_LABEL_RE, 'must be a namespace name (lowercase RFC 1123 label)');
    if (props.kinds.length === 0) invalid(this, 'kinds', props.kinds, 'must name at least one replicated kind');
    props.kinds.forEach((k, i) => {
      if (!k.resource || k.resource === '*' || k.apiGroup === '*') invalid(this, `kinds[${i}]`, k, 'must be one API group and resource (no "*")');
    });
    const labels = { 'app.kubernetes.io/managed-by': 'capsule-aks' };
    this.serviceAccount = new ServiceAccountV1(this, 'service-account', terraformLiterals(this, 'service-account', {
      metadata: { name: props.name, namespace: props.namespace, labels },
      automountServiceAccountToken: false,
      dependsOn: props.dependsOn,
    }));
    const groups = [...new Set(props.kinds.map((k) => k.apiGroup))].sort();
    this.clusterRole = new ClusterRoleV1(this, 'cluster-role', terraformLiterals(this, 'cluster-role', {
      metadata: { name: props.name, labels },
      rule: groups.map((g) => ({
        apiGroups: [g],
        resources: props.kinds.filter((k) => k.apiGroup === g).map((k) => k.resource).sort(),
        verbs: [...REPLICATION_VERBS],
      })),
    }));
    this.tenantBinding = terraformLiterals(this, 'tenantBinding', {
      clusterRoleName: props.name,
      subjects: [{ kind: 'ServiceAccount', name: props.name, namespace: props.namespace }],
    });
    this.reference = { name: props.name, namespace: props.namespace };
  }
}
