import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { kubeloginExec } from './kubelogin';
import { checkGuid, checkPattern, invalid, isUnresolved, RFC1123_LABEL_RE } from './validation';
import { terraformLiteral } from './terraform-literal';

/** The Entra ID client application AKS kubeconfigs use for interactive (device code) logins. */
export const AKS_AAD_CLIENT_ID = '80faf920-1908-4b52-b5ef-a8e7bedfc67a';

/** How the tenant user signs in through kubelogin: device code (any machine) or the Azure CLI session. */
export type TenantKubeconfigLogin = 'devicecode' | 'azurecli';

export interface TenantKubeconfigProps {
  /** Tenant name: names the cluster, user and context of the kubeconfig. */
  readonly tenant: string;
  /** capsule-proxy URL, `https://<host>:443`. */
  readonly server: string;
  /**
   * PEM of the CA that signed the proxy's certificate (usually a token read from the cluster at apply time).
   * @default none: the proxy's certificate chains to a public CA the client already trusts
   */
  readonly caCertificate?: string;
  /**
   * kubelogin login mode.
   * @default 'devicecode'
   */
  readonly login?: TenantKubeconfigLogin;
  /**
   * Entra ID tenant ID; required for `devicecode`.
   * @default none
   */
  readonly tenantId?: string;
  /**
   * Default namespace of the context.
   * @default none
   */
  readonly namespace?: string;
}

/**
 * A kubeconfig for a Capsule tenant, as a Terraform string template: the capsule-proxy as server, its CA, and a
 * kubelogin `exec` user. It holds no credentials: kubelogin gets a token when kubectl runs.
 *
 * The YAML is written at synth time with every string double-quoted (JSON string syntax, which YAML shares);
 * Terraform fills in the references (the CA as base64, and the server or tenant ID when they are references),
 * whose values never contain a quote or a backslash. A template resolves much faster than `yamlencode({...})` of
 * the same document, which matters with hundreds of tenants.
 */
export class TenantKubeconfig extends Construct {
  /** The kubeconfig YAML (a token resolved by Terraform at apply time). */
  public readonly yaml: string;
  /** The kubeconfig as an object (values may be tokens). */
  public readonly document: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: TenantKubeconfigProps) {
    super(scope, id);
    checkPattern(this, 'tenant', props.tenant, RFC1123_LABEL_RE, 'must be a lowercase RFC 1123 label');
    if (!isUnresolved(props.server) && !/^https:\/\/[^/\s]+(:\d+)?\/?$/.test(props.server)) {
      invalid(this, 'server', props.server, 'must be an https URL such as https://capsule-proxy.francecentral.cloudapp.azure.com:443');
    }
    const login = props.login ?? 'devicecode';
    if (login !== 'devicecode' && login !== 'azurecli') invalid(this, 'login', login, 'must be devicecode or azurecli');
    if (login === 'devicecode' && !props.tenantId) invalid(this, 'tenantId', props.tenantId, 'is required for the devicecode login (the Entra ID tenant of the cluster)');
    checkGuid(this, 'tenantId', props.tenantId);
    if (props.namespace !== undefined) checkPattern(this, 'namespace', props.namespace, RFC1123_LABEL_RE, 'must be a lowercase RFC 1123 label');

    const exec = kubeloginExec(login, { tenantId: props.tenantId });
    const args = login === 'devicecode' ? [...exec.args, '--client-id', AKS_AAD_CLIENT_ID] : [...exec.args];
    const name = props.tenant;
    const cluster: Record<string, unknown> = { server: props.server };
    if (props.caCertificate !== undefined) cluster['certificate-authority-data'] = base64(props.caCertificate);
    const context: Record<string, unknown> = { cluster: name, user: name };
    if (props.namespace !== undefined) context.namespace = props.namespace;
    this.document = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster }],
      users: [{ name, user: { exec: { apiVersion: exec.apiVersion, command: exec.command, args, interactiveMode: 'IfAvailable' } } }],
      contexts: [{ name, context }],
      'current-context': name,
    };
    this.yaml = terraformLiteral(this, 'kubeconfig', toYaml(this.document));
  }
}

/**
 * `base64encode(pem)` in Terraform, one token per certificate reference: hundreds of tenants' kubeconfigs trust the
 * same CA, whose reference synth then resolves once per stack instead of once per tenant (the JSON is the same).
 * References are unique in the process (cdktf's token map), so this table cannot mix up two apps.
 */
function base64(pem: string): string {
  if (!isUnresolved(pem)) return Fn.base64encode(pem);
  const known = BASE64_OF_REFERENCE.get(pem);
  if (known !== undefined) return known;
  const token = Fn.base64encode(pem);
  BASE64_OF_REFERENCE.set(pem, token);
  return token;
}
const BASE64_OF_REFERENCE = new Map<string, string>();

/**
 * Block-style YAML of a kubeconfig document (objects, arrays, strings, numbers, booleans), every string as a JSON
 * string (a valid YAML double-quoted scalar). Enough for a kubeconfig, and fast: this runs once per tenant.
 */
function toYaml(value: unknown, indent = ''): string {
  const key = (k: string) => (/^[A-Za-z][\w.-]*$/.test(k) ? k : JSON.stringify(k));
  const scalar = (v: unknown) => JSON.stringify(v);
  const isBlock = (v: unknown) => typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        if (!isBlock(item)) return `${indent}- ${scalar(item)}\n`;
        const nested = toYaml(item, `${indent}  `);
        return `${indent}- ${nested.slice(indent.length + 2)}`;
      })
      .join('');
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      if (!isBlock(v)) return `${indent}${key(k)}: ${Array.isArray(v) ? '[]' : typeof v === 'object' && v !== null ? '{}' : scalar(v)}\n`;
      return `${indent}${key(k)}:\n${toYaml(v, `${indent}  `)}`;
    })
    .join('');
}
