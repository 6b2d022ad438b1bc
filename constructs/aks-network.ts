import { Construct } from 'constructs';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { AZURE_IDS, cidrContains, cidrHasIp, cidrsOverlap, invalid, ipv4Range, isIpv4Network, isUnresolved } from './validation';
import { terraformLiterals } from './terraform-literal';

/** Azure CNI flavour: `overlay` (pods get addresses from a private pod CIDR) or `flat` (pods take VNet addresses). */
export type AksNetworkMode = 'overlay' | 'flat';

/** A VNet and subnets created for the cluster. */
export interface AksVirtualNetworkSpec {
  /**
   * VNet name.
   * @default - `<cluster name>-vnet`
   */
  readonly name?: string;
  /** Address ranges of the VNet (IPv4 CIDRs). */
  readonly addressSpace: readonly string[];
  /** Range of the node subnet (inside `addressSpace`). */
  readonly nodeSubnet: string;
  /**
   * Range of the API server subnet (inside `addressSpace`, at least /28), for API server VNet integration.
   * @default - none
   */
  readonly apiServerSubnet?: string;
}

/** Where the nodes and the API server live. */
export interface AksNetworkOptions {
  /**
   * Azure CNI overlay or flat Azure CNI (the network policy engine works with both).
   * @default 'flat'
   */
  readonly mode?: AksNetworkMode;
  /**
   * Create a VNet with a node subnet (and optionally an API server subnet).
   * @default - none: nodes in an AKS-managed VNet, unless `nodeSubnetId`
   */
  readonly vnet?: AksVirtualNetworkSpec;
  /**
   * An existing subnet for the nodes (resource ID); not together with `vnet`.
   * @default - none
   */
  readonly nodeSubnetId?: string;
  /**
   * An existing subnet for API server VNet integration (resource ID, delegated to Microsoft.ContainerService/managedClusters).
   * @default - none
   */
  readonly apiServerSubnetId?: string;
  /**
   * Pod address range of Azure CNI overlay (not reachable from the VNet; must not overlap it).
   * @default - AKS default (10.244.0.0/16)
   */
  readonly podCidr?: string;
  /**
   * Kubernetes service range (must not overlap the VNet or the pod range).
   * @default - AKS default (10.0.0.0/16)
   */
  readonly serviceCidr?: string;
  /**
   * Cluster DNS service address (inside `serviceCidr`, not its first address).
   * @default - AKS default (10.0.0.10)
   */
  readonly dnsServiceIp?: string;
  /**
   * Project the API server into the API server subnet (`vnet.apiServerSubnet` or `apiServerSubnetId`).
   * @default false
   */
  readonly apiServerVnetIntegration?: boolean;
  /**
   * Private cluster: the API server has no public endpoint; deploys and CI must run inside the network.
   * @default false
   */
  readonly privateCluster?: boolean;
}

/** One problem of a network configuration: the field (relative to the network options), the value, what is allowed. */
export interface AksNetworkProblem {
  readonly path: (string | number)[];
  readonly value: unknown;
  readonly allowed: string;
}

const NETWORK = 'must be an IPv4 CIDR written with its network address, such as 10.20.0.0/22';

/**
 * Every problem of a network configuration (the one home of these rules: the environment schema reports them with
 * file and line, {@link AksCluster} throws the first). `authorizedIpRanges` are the cluster's.
 */
export function networkProblems(net: AksNetworkOptions, authorizedIpRanges?: readonly string[]): AksNetworkProblem[] {
  const out: AksNetworkProblem[] = [];
  const add = (path: (string | number)[], value: unknown, allowed: string) => out.push({ path, value, allowed });
  const literal = (v: string | undefined): v is string => v !== undefined && !isUnresolved(v);
  const cidrOk = (path: (string | number)[], v: string | undefined): boolean => {
    if (!literal(v)) return false;
    if (!isIpv4Network(v)) {
      add(path, v, NETWORK);
      return false;
    }
    return true;
  };
  const vnet = net.vnet;
  const space = (vnet?.addressSpace ?? []).filter((c, i) => cidrOk(['vnet', 'addressSpace', i], c));
  space.forEach((c, i) => space.slice(0, i).forEach((d) => cidrsOverlap(c, d) && add(['vnet', 'addressSpace'], vnet?.addressSpace, `must not overlap: ${d} and ${c}`)));
  const subnets: [string, string][] = [];
  for (const key of ['nodeSubnet', 'apiServerSubnet'] as const) {
    const c = vnet?.[key];
    if (c === undefined || !cidrOk(['vnet', key], c)) continue;
    if (!space.some((s) => cidrContains(s, c))) add(['vnet', key], c, `must lie inside vnet.addressSpace (${space.join(', ') || 'none'})`);
    else subnets.push([key, c]);
  }
  if (subnets.length === 2 && cidrsOverlap(subnets[0][1], subnets[1][1])) add(['vnet', 'apiServerSubnet'], vnet?.apiServerSubnet, `must not overlap vnet.nodeSubnet (${vnet?.nodeSubnet})`);
  if (literal(vnet?.apiServerSubnet) && ipv4Range(vnet.apiServerSubnet) && 32 - Number(vnet.apiServerSubnet.split('/')[1]) < 4) {
    add(['vnet', 'apiServerSubnet'], vnet.apiServerSubnet, 'must be at least a /28 (AKS API server VNet integration)');
  }
  if (vnet && net.nodeSubnetId !== undefined) add(['nodeSubnetId'], net.nodeSubnetId, 'must not be set together with vnet (a created VNet brings its own node subnet)');
  if (vnet && net.apiServerSubnetId !== undefined) add(['apiServerSubnetId'], net.apiServerSubnetId, 'must not be set together with vnet (use vnet.apiServerSubnet)');
  for (const key of ['nodeSubnetId', 'apiServerSubnetId'] as const) {
    const id = net[key];
    if (literal(id) && !AZURE_IDS.subnet.re.test(id)) add([key], id, AZURE_IDS.subnet.allowed);
  }
  if (net.podCidr !== undefined && (net.mode ?? 'flat') !== 'overlay') add(['podCidr'], net.podCidr, 'is only used with mode: overlay (flat Azure CNI gives pods VNet addresses)');
  const pod = cidrOk(['podCidr'], net.podCidr) ? net.podCidr : undefined;
  const svc = cidrOk(['serviceCidr'], net.serviceCidr) ? net.serviceCidr : undefined;
  for (const [key, c] of [['podCidr', pod], ['serviceCidr', svc]] as const) {
    if (c === undefined) continue;
    const clash = space.find((s) => cidrsOverlap(s, c));
    if (clash) add([key], c, `must not overlap the VNet address space (${clash})`);
  }
  if (pod && svc && cidrsOverlap(pod, svc)) add(['serviceCidr'], svc, `must not overlap podCidr (${pod})`);
  if ((net.serviceCidr === undefined) !== (net.dnsServiceIp === undefined)) {
    add([net.serviceCidr === undefined ? 'serviceCidr' : 'dnsServiceIp'], undefined, 'must be set together with ' + (net.serviceCidr === undefined ? 'dnsServiceIp' : 'serviceCidr'));
  }
  if (svc && literal(net.dnsServiceIp)) {
    const range = ipv4Range(svc) as [number, number];
    const ip = net.dnsServiceIp.split('.').reduce((n, o) => n * 256 + Number(o), 0);
    if (!cidrHasIp(svc, net.dnsServiceIp) || ip <= range[0] + 1 || ip === range[1]) {
      add(['dnsServiceIp'], net.dnsServiceIp, `must be an address inside serviceCidr ${svc}, not its first two or last (such as the .10 address)`);
    }
  }
  const apiSubnet = vnet?.apiServerSubnet ?? net.apiServerSubnetId;
  if (net.apiServerVnetIntegration && apiSubnet === undefined) add(['apiServerVnetIntegration'], true, 'needs vnet.apiServerSubnet or apiServerSubnetId');
  if (!net.apiServerVnetIntegration && apiSubnet !== undefined) add([vnet?.apiServerSubnet !== undefined ? 'vnet' : 'apiServerSubnetId'], apiSubnet, 'an API server subnet is only used with apiServerVnetIntegration: true');
  if (net.apiServerVnetIntegration && vnet === undefined && net.nodeSubnetId === undefined) {
    add(['apiServerVnetIntegration'], true, 'needs the nodes in a VNet of yours too (vnet or nodeSubnetId): the API server subnet must be in the nodes\' VNet');
  }
  if (net.privateCluster && (authorizedIpRanges?.length ?? 0) > 0) {
    add(['privateCluster'], true, 'cannot be combined with cluster.authorizedIpRanges (a private API server has no public endpoint to restrict)');
  }
  return out;
}

export interface AksVirtualNetworkProps extends AksVirtualNetworkSpec {
  /** Resource group of the VNet. */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /**
   * Tags of the VNet.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A VNet for an AKS cluster: the node subnet `nodes` and, when asked, the API server subnet `apiserver` delegated to
 * Microsoft.ContainerService/managedClusters (API server VNet integration). No inline `subnet` blocks on the VNet,
 * so the separate subnet resources do not fight it.
 */
export class AksVirtualNetwork extends Construct {
  public readonly vnet: VirtualNetwork;
  public readonly nodeSubnet: Subnet;
  public readonly apiServerSubnet?: Subnet;

  constructor(scope: Construct, id: string, props: AksVirtualNetworkProps) {
    super(scope, id);
    const first = networkProblems({ vnet: props, apiServerVnetIntegration: props.apiServerSubnet !== undefined })[0];
    if (first) invalid(this, first.path.join('.').replace(/^vnet\./, ''), first.value, first.allowed);
    this.vnet = new VirtualNetwork(this, 'vnet', terraformLiterals(this, 'vnet', {
      name: props.name ?? 'aks-vnet',
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      addressSpace: [...props.addressSpace],
      tags: props.tags ? { ...props.tags } : undefined,
    }));
    this.nodeSubnet = new Subnet(this, 'nodes', terraformLiterals(this, 'nodes', {
      name: 'nodes',
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: this.vnet.name,
      addressPrefixes: [props.nodeSubnet],
    }));
    if (props.apiServerSubnet !== undefined) {
      this.apiServerSubnet = new Subnet(this, 'apiserver', terraformLiterals(this, 'apiserver', {
        name: 'apiserver',
        resourceGroupName: props.resourceGroupName,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [props.apiServerSubnet],
        delegation: [{ name: 'aks', serviceDelegation: { name: 'Microsoft.ContainerService/managedClusters', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] } }],
      }));
    }
  }
}
