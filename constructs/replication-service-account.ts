import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
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

/** Verbs the replication needs on the objects it manages (server-side apply, pruning, its cache). */
const REPLICATION_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

export interface ReplicationServiceAccountProps {
  /** Name of the ServiceAccount, ClusterRole and ClusterRoleBinding. */
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
 * internal/controllers/resources/impersonation.go, globalServiceAccount). The rights are cluster-wide on those kinds
 * (tenant namespaces come and go), so the ServiceAccount could also change such objects outside the tenants.
 */
export class ReplicationServiceAccount extends Construct {
  /** `{ name, namespace }` for `spec.serviceAccount` of a GlobalTenantResource. */
  public readonly reference: { readonly name: string; readonly namespace: string };
  public readonly serviceAccount: ServiceAccountV1;
  public readonly clusterRole: ClusterRoleV1;
  public readonly binding: ClusterRoleBindingV1;

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
    this.binding = new ClusterRoleBindingV1(this, 'binding', terraformLiterals(this, 'binding', {
      metadata: { name: props.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.clusterRole.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: this.serviceAccount.metadata.name, namespace: props.namespace }],
    }));
    this.reference = { name: props.name, namespace: props.namespace };
  }
}
