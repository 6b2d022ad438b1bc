import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { createHash } from 'crypto';

/**
 * Validation helpers shared by the constructs and the environment schema.
 * Every error names the construct path, the field, the bad value and what is allowed.
 */

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The user name Kubernetes gives a ServiceAccount: `system:serviceaccount:<namespace>:<name>`. */
export const SERVICE_ACCOUNT_USER_RE = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** Lowercase RFC 1123 label (Kubernetes namespace / tenant names). */
export const RFC1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DOMAIN_RE = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;
/** A JSON object (not null, not an array): the one "is a plain object" guard. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A pinned chart version, no ranges: `1.2.3`, optionally with a leading `v` or a pre-release. The one home of the rule (props, environment file, policy check CAKS005). */
export const PINNED_VERSION_RE = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
export const PINNED_VERSION_ALLOWED = 'must be a pinned chart version such as 0.14.0 or v1.19.1 (no ranges, no "latest")';
export const UPN_RE = /^[A-Za-z0-9._%+'-]+@([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/;

/** Thrown for invalid construct props; the message is meant for the person who wrote the config. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** Throws a {@link ValidationError} that names the construct path, the field, the value and what is allowed. */
export function invalid(scope: IConstruct, field: string, value: unknown, allowed: string): never {
  throw new ValidationError(`${scope.node.path}: ${field} ${show(value)} is invalid: ${allowed}`);
}

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  return JSON.stringify(value);
}

/** True when the value is only known at apply time (a cdktf token); such values are not validated at synth. */
export function isUnresolved(value: unknown): boolean {
  return typeof value === 'string' ? Token.isUnresolved(value) : typeof value === 'number' ? Token.isUnresolved(value) : false;
}

/** Checks a literal string against a pattern; tokens pass (known only at apply time). */
export function checkPattern(scope: IConstruct, field: string, value: string | undefined, re: RegExp, allowed: string): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!re.test(value)) invalid(scope, field, value, allowed);
}

/** Checks a literal GUID (Entra object / tenant / subscription ID); tokens pass. */
export function checkGuid(scope: IConstruct, field: string, value: string | undefined): void {
  checkPattern(scope, field, value, GUID_RE, 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
}

/** Checks a list of literal IPv4/IPv6 CIDRs, naming the bad entry by index; tokens pass. */
export function checkCidrs(scope: IConstruct, field: string, values: readonly string[] | undefined): void {
  (values ?? []).forEach((v, i) => {
    if (!isUnresolved(v) && !isCidr(v)) invalid(scope, `${field}[${i}]`, v, 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24');
  });
}

/** Checks a literal whole number within `min`..`max`; tokens pass. */
export function checkIntRange(scope: IConstruct, field: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) invalid(scope, field, value, `must be a whole number from ${min} to ${max}`);
}

/** IPv4 or IPv6 CIDR notation. */
export function isCidr(value: string): boolean {
  const [ip, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    return ip.split('.').every((o) => Number(o) <= 255 && String(Number(o)) === o) && bits <= 32;
  }
  if (ip.includes(':') && /^[0-9a-fA-F:]+$/.test(ip)) {
    const parts = ip.split('::');
    if (parts.length > 2) return false;
    const groups = parts.flatMap((p) => (p === '' ? [] : p.split(':')));
    if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
    return (parts.length === 2 ? groups.length < 8 : groups.length === 8) && bits <= 128;
  }
  return false;
}

/** Kubernetes label key: optional DNS-subdomain prefix and "/", then a name of 1-63 characters. */
export const LABEL_KEY_RE = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Kubernetes label value: empty or 1-63 characters. */
export const LABEL_VALUE_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
export const LABEL_KEY_ALLOWED =
  'must be a Kubernetes label key: an optional DNS subdomain prefix and "/", then 1-63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
export const LABEL_VALUE_ALLOWED = 'must be a Kubernetes label value: empty, or 1-63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
/** Node label prefixes AKS reserves (it refuses them on node pools). */
export const RESERVED_NODE_LABEL_RE = /^(kubernetes\.azure\.com|kubernetes\.io|k8s\.io)\//;
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** True for a label key Kubernetes accepts (prefix at most 253 characters). */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  return LABEL_KEY_RE.test(key) && (slash < 0 || slash <= 253);
}

/** Checks literal node labels: Kubernetes syntax and no AKS-reserved prefix. */
export function checkNodeLabels(scope: IConstruct, field: string, labels: Readonly<Record<string, string>> | undefined): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!isLabelKey(k)) invalid(scope, `${field} key`, k, LABEL_KEY_ALLOWED);
    if (RESERVED_NODE_LABEL_RE.test(k)) invalid(scope, `${field} key`, k, 'must not use the prefixes kubernetes.azure.com/, kubernetes.io/ or k8s.io/ (reserved; AKS refuses them)');
    if (!isUnresolved(v) && !LABEL_VALUE_RE.test(v)) invalid(scope, `${field}.${k}`, v, LABEL_VALUE_ALLOWED);
  }
}

/** Days of a weekly maintenance window (AKS WeekDay). */
export const WEEK_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
/** Start time of a maintenance window: `HH:MM`, 24-hour. */
export const MAINTENANCE_START = { re: /^([01]\d|2[0-3]):[0-5]\d$/, allowed: 'must be a time of day HH:MM (24-hour), such as 02:00' } as const;
/** UTC offset of a maintenance window: `+HH:MM` / `-HH:MM`, from -12:00 to +14:00. */
export const UTC_OFFSET = {
  re: /^(\+(0\d|1[0-3]):(00|30|45)|\+14:00|-(0\d|1[01]):(00|30|45)|-12:00)$/,
  allowed: 'must be a UTC offset +HH:MM or -HH:MM from -12:00 to +14:00 (minutes 00, 30 or 45), such as +00:00 or +01:00',
} as const;

/** Max surge of node upgrades: a node count or a percentage of the pool, as AKS accepts it. */
export const MAX_SURGE = {
  re: /^([1-9]\d{0,2}|([1-9]\d?|100)%)$/,
  allowed: 'must be a node count such as "1" or a percentage of the pool such as "10%" (1%-100%)',
} as const;

/** First and last address of an IPv4 CIDR as numbers; undefined for anything else (IPv6, malformed). */
export function ipv4Range(cidr: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || !isCidr(cidr)) return undefined;
  const ip = m.slice(1, 5).reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(m[5]));
  const start = ip - (ip % size);
  return [start, start + size - 1];
}

/** True when two IPv4 CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = ipv4Range(a);
  const y = ipv4Range(b);
  return x !== undefined && y !== undefined && x[0] <= y[1] && y[0] <= x[1];
}

/** True when `inner` lies inside `outer` (IPv4). */
export function cidrContains(outer: string, inner: string): boolean {
  const x = ipv4Range(outer);
  const y = ipv4Range(inner);
  return x !== undefined && y !== undefined && x[0] <= y[0] && y[1] <= x[1];
}

/** True for a literal IPv4 address inside the CIDR. */
export function cidrHasIp(cidr: string, ip: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) && cidrContains(cidr, `${ip}/32`);
}

/** IPv4 CIDR with its network address (e.g. 10.20.0.0/22, not 10.20.1.0/22). */
export function isIpv4Network(cidr: string): boolean {
  const r = ipv4Range(cidr);
  if (!r) return false;
  const ip = cidr.split('/')[0].split('.').reduce((n, o) => n * 256 + Number(o), 0);
  return ip === r[0];
}

/** Azure resource IDs the constructs accept for existing resources. */
export const AZURE_IDS = {
  subnet: {
    re: /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w._()]+\/providers\/Microsoft\.Network\/virtualNetworks\/[-\w._]+\/subnets\/[-\w._]+$/i,
    allowed: 'must be an Azure subnet ID: /subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>',
  },
  logAnalyticsWorkspace: {
    re: /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w._()]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[-\w]+$/i,
    allowed: 'must be a Log Analytics workspace ID: /subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>',
  },
  monitorWorkspace: {
    re: /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w._()]+\/providers\/Microsoft\.Monitor\/accounts\/[-\w.]+$/i,
    allowed: 'must be an Azure Monitor workspace ID: /subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Monitor/accounts/<name>',
  },
} as const;

/** Azure naming rules used by several constructs (from the Azure resource naming rules). */
export const AZURE_NAMES = {
  resourceGroup: {
    re: /^[-\w._()]{0,89}[-\w_()]$/,
    allowed: '1-90 characters of letters, digits, "-", "_", ".", "(" and ")", not ending in "."',
  },
  aksCluster: {
    re: /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,61}[a-zA-Z0-9]$|^[a-zA-Z0-9]$/,
    allowed: '1-63 characters of letters, digits, "-" and "_", starting and ending with a letter or digit',
  },
  dnsPrefix: {
    re: /^[a-zA-Z0-9][a-zA-Z0-9-]{0,52}[a-zA-Z0-9]$|^[a-zA-Z0-9]$/,
    allowed: '1-54 characters of letters, digits and "-", starting and ending with a letter or digit',
  },
  linuxNodePool: {
    re: /^[a-z][a-z0-9]{0,11}$/,
    allowed: '1-12 lowercase letters and digits, starting with a letter',
  },
  storageAccount: {
    re: /^[a-z0-9]{3,24}$/,
    allowed: '3-24 lowercase letters and digits',
  },
  storageContainer: {
    re: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
    allowed: '3-63 lowercase letters, digits and single "-", starting and ending with a letter or digit',
  },
  virtualNetwork: {
    re: /^[A-Za-z0-9]([-\w.]{0,62}\w)?$/,
    allowed: '1-64 letters, digits, "-", "_" and ".", starting with a letter or digit and ending with a letter, digit or "_"',
  },
  logAnalyticsWorkspace: {
    re: /^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/,
    allowed: '4-63 letters, digits and "-", starting and ending with a letter or digit',
  },
  dnsLabel: {
    re: /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/,
    allowed: '3-63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
  },
} as const;

/** Azure regions (public cloud) accepted for `location`. */
export const AZURE_LOCATIONS = [
  'australiacentral', 'australiacentral2', 'australiaeast', 'australiasoutheast', 'austriaeast', 'belgiumcentral',
  'brazilsouth', 'brazilsoutheast', 'canadacentral', 'canadaeast', 'centralindia', 'centralus', 'chilecentral',
  'denmarkeast', 'eastasia', 'eastus', 'eastus2', 'francecentral', 'francesouth', 'germanynorth',
  'germanywestcentral', 'indonesiacentral', 'israelcentral', 'italynorth', 'japaneast', 'japanwest', 'jioindiacentral',
  'jioindiawest', 'koreacentral', 'koreasouth', 'malaysiawest', 'mexicocentral', 'newzealandnorth', 'northcentralus',
  'northeurope', 'norwayeast', 'norwaywest', 'polandcentral', 'qatarcentral', 'southafricanorth', 'southafricawest',
  'southcentralus', 'southindia', 'southeastasia', 'spaincentral', 'swedencentral', 'swedensouth', 'switzerlandnorth',
  'switzerlandwest', 'uaecentral', 'uaenorth', 'uksouth', 'ukwest', 'westcentralus', 'westeurope', 'westindia',
  'westus', 'westus2', 'westus3',
] as const;
export type AzureLocation = (typeof AZURE_LOCATIONS)[number];

/** A part that "--" can join unambiguously: non-empty, no leading or trailing "-", no "--" inside. */
const PLAIN_ID_PART_RE = /^[^-](?:(?!--).)*(?<!-)$|^[^-]$/s;

/**
 * A construct ID made of stable parts (keys), injective: two different lists of parts never give the same ID.
 * The parts are joined by "--" when that can be split back (every part non-empty, without a leading or trailing
 * "-" and without "--"); otherwise a hash of the parts is appended, so `a` + `b--c` and `a--b` + `c` differ. An
 * ID of the second kind always has a "---", a leading "-" or more "--" than joins, so it never equals one of the first.
 */
export function joinedId(...parts: string[]): string {
  const joined = parts.join('--');
  if (parts.every((p) => PLAIN_ID_PART_RE.test(p))) return joined;
  return `${joined}-${stableHash(JSON.stringify(parts))}`;
}

/** A short stable hash (16 hex digits of SHA-256) for IDs and keys that must stay injective when shortened. */
export function stableHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
