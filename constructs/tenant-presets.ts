import type { NetworkPolicySpec } from 'kubernetes-types/networking/v1';
import type { LimitRangeSpec } from 'kubernetes-types/core/v1';

/**
 * Reusable tenant settings. Plain functions returning typed Kubernetes specs, to put in a tenant's
 * `networkPolicies` / `limitRanges` (or to replicate through a GlobalTenantResource).
 */

/** Label Capsule puts on every namespace of a tenant: `capsule.clastix.io/tenant: <tenant>`. */
export const CAPSULE_TENANT_LABEL = 'capsule.clastix.io/tenant';

/** Private, link-local and shared address ranges (RFC 1918, RFC 6598, link-local incl. the Azure IMDS 169.254.169.254). */
export const PRIVATE_IPV4_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];

/**
 * The POC's isolation: pods accept traffic only from namespaces of the same tenant; any egress (0.0.0.0/0).
 */
export function isolatedNetworkPolicy(tenant: string): NetworkPolicySpec {
  return {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { [CAPSULE_TENANT_LABEL]: tenant } } }] }],
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
  };
}

/**
 * Stricter isolation for production: ingress only from the tenant's namespaces; egress to the tenant's
 * namespaces, to cluster DNS (kube-system, port 53) and to public addresses only (no private ranges, no node
 * network, no Azure instance metadata endpoint).
 */
export function isolatedStrictNetworkPolicy(tenant: string): NetworkPolicySpec {
  const tenantPeer = { namespaceSelector: { matchLabels: { [CAPSULE_TENANT_LABEL]: tenant } } };
  return {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [tenantPeer] }],
    egress: [
      { to: [tenantPeer] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...PRIVATE_IPV4_RANGES] } }] },
    ],
  };
}

/**
 * Namespace of the AKS application routing add-on's managed NGINX ingress controller (learn.microsoft.com/azure/aks/
 * app-routing: "Editing the ingress-nginx ConfigMap in the app-routing-system namespace isn't supported").
 */
export const APP_ROUTING_NAMESPACE = 'app-routing-system';

/**
 * Admits ingress to every pod of the namespace from pods in the given namespaces (ingress controllers), by their
 * `kubernetes.io/metadata.name` label, which Kubernetes sets on every namespace. Network policies add up, so this
 * opens the isolation presets to the controllers only.
 */
export function allowFromNamespacesNetworkPolicy(namespaces: readonly string[]): NetworkPolicySpec {
  return {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces] }] } }] }],
  };
}

/** Names of the network policy presets (the `networkPolicy` key of a tenant in the environment file). */
export type NetworkPolicyPreset = 'isolated' | 'isolated-strict';
export const NETWORK_POLICY_PRESETS: Readonly<Record<NetworkPolicyPreset, (tenant: string) => NetworkPolicySpec>> = {
  isolated: isolatedNetworkPolicy,
  'isolated-strict': isolatedStrictNetworkPolicy,
};

/**
 * Default container requests and limits, so pods without resources still count against a quota:
 * requests 100m / 128Mi, limits 500m / 512Mi; at most 2 CPU / 4Gi per container.
 */
export function standardLimitRange(): LimitRangeSpec {
  return {
    limits: [
      {
        type: 'Container',
        defaultRequest: { cpu: '100m', memory: '128Mi' },
        default: { cpu: '500m', memory: '512Mi' },
        max: { cpu: '2', memory: '4Gi' },
      },
    ],
  };
}

/** Names of the limit range presets (the `limitRange` key of a tenant in the environment file). */
export type LimitRangePreset = 'standard';
export const LIMIT_RANGE_PRESETS: Readonly<Record<LimitRangePreset, () => LimitRangeSpec>> = {
  standard: standardLimitRange,
};
