import { Annotations, TerraformElement, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config';
import { PROTECTED_RECORD_COMMENT, PROTECTED_RECORD_UPDATE_CONTEXT, ProtectedEntry, ProtectedRecord } from '../config/protected-record';

export { PROTECTED_RECORD_COMMENT, PROTECTED_RECORD_UPDATE_CONTEXT, protectedRecordFile, protectedRecordSchema } from '../config/protected-record';
export type { ProtectedEntry, ProtectedRecord } from '../config/protected-record';
import { ValidationError } from '../constructs/validation';

/**
 * The record of a protected environment's protected resources (`environments/<env>.protected.json`, committed).
 *
 * Terraform's `prevent_destroy` acts only while a resource is still in the configuration: renaming a tenant key or
 * removing a tenant plans a destroy. At synth, the stacks of a protected environment are compared with its record:
 * - a recorded resource that is gone (or changed stack) fails the synth, naming it, unless `policy.allowRemoval`
 *   lists its identity (a deliberate removal);
 * - a record that does not match the configuration (a protected resource added, renamed or changed in place and not
 *   recorded yet) fails the synth, saying what changed and to run `npm run protected-record -- <env>`;
 * - every address a protected resource had before (`previous`, all renames since it was first recorded) becomes one
 *   chain of `moved` blocks ending at its current address, so any number of renames between two deploys is
 *   followed;
 * - a recorded address now declared by another identity (a key renamed and a new entry at the old key in one change)
 *   fails the synth and the record: Terraform would update the recorded object into the other entry in place;
 * - `policy.allowRemoval` may name only resources gone from the configuration (and, when recording, still in the
 *   record), so it never switches protection off in advance or for a later removal;
 * - the record forgets an earlier address once another resource declares it (Terraform cannot move from it);
 * - a record without `protected: true`, or `protected: true` without a record, fails the synth: protection is
 *   dropped only by a reviewed change that removes both (README, "Destroy safety").
 * The record changes only through `npm run protected-record -- <env>` (scripts/protected-record.ts), never by synth.
 */

interface Current {
  readonly resource: TerraformResource;
  readonly stack: string;
  readonly address: string;
}

/**
 * Resource kinds whose identity attribute Terraform updates in place (no destroy): a change of it keeps the
 * address. azuread v3.7.0: `display_name` of azuread_group (internal/services/groups/group_resource.go:76) and
 * `user_principal_name` of azuread_user (internal/services/users/user_resource.go:69) are not ForceNew.
 */
const CHANGED_IN_PLACE: Readonly<Record<string, string>> = { azuread_group: 'display name', azuread_user: 'user principal name' };

/**
 * Protected resources identified by one name field: identity kind and the field. Besides the cluster and its resource
 * group, destroy-sensitive data: the kubeconfig vault (purge protection keeps its name for days after a destroy), the
 * audit logs and metrics workspaces, and the Entra groups.
 */
const NAMED_BY: Readonly<Record<string, readonly [kind: string, field: string]>> = {
  azurerm_kubernetes_cluster: ['cluster', 'nameInput'],
  azurerm_resource_group: ['resource-group', 'nameInput'],
  azurerm_key_vault: ['key-vault', 'nameInput'],
  azurerm_log_analytics_workspace: ['log-analytics-workspace', 'nameInput'],
  azurerm_monitor_workspace: ['monitor-workspace', 'nameInput'],
  azuread_group: ['group', 'displayNameInput'],
};

/** Identity of a protected resource, or undefined for resources that are not protected. */
function identity(r: TerraformResource, stack: TerraformStack): string | undefined {
  const input = r as unknown as Record<string, unknown>;
  // A name the program generates (a random suffix) is not known at synth: the construct path stands in (`@…`,
  // a character no Azure name has), so a rename of that construct is a drop, never a silent destroy.
  const named = (kind: string, name: unknown) => (typeof name === 'string' && !Token.isUnresolved(name) ? `${kind}/${name}` : byPath(kind));
  const byPath = (kind: string) => `${kind}/@${r.node.path.slice(stack.node.path.length + 1)}`;
  const byName = NAMED_BY[r.terraformResourceType];
  if (byName) return named(byName[0], input[byName[1]]);
  switch (r.terraformResourceType) {
    case 'azuread_user':
      return typeof input.userPrincipalNameInput === 'string' ? named('user', input.userPrincipalNameInput.toLowerCase()) : byPath('user');
    // Uninstalling Capsule's release removes its CRDs and with them every Tenant; the system namespace holds them all.
    case 'helm_release':
      return named('helm-release', `${String(input.namespaceInput ?? 'default')}/${String(input.nameInput)}`);
    case 'kubernetes_namespace_v1': {
      const m = input.metadataInput as { name?: string } | undefined;
      return named('namespace', m?.name);
    }
    // The proxy's DNS label suffix (tenant kubeconfigs and CNAMEs point at it) and its CA key (every tenant
    // kubeconfig trusts it): a new one breaks every tenant's access. The kubeconfig vault's name suffix: a new one
    // renames (replaces) the vault.
    case 'random_string':
    case 'tls_private_key':
      return r.node.id === 'dns-label-suffix' || r.node.id === 'ca-key' || r.node.id === 'kubeconfig-vault-suffix'
        ? byPath(r.terraformResourceType.replace(/_/g, '-'))
        : undefined;
    case 'kubernetes_manifest': {
      const m = input.manifestInput as { kind?: string; metadata?: { name?: string } } | undefined;
      // Tenants and their replication objects (Capsule kinds that carry tenant data or policy).
      if (m?.kind === 'Tenant' || m?.kind === 'GlobalTenantResource' || m?.kind === 'TenantResource') return `${m.kind.toLowerCase()}/${String(m.metadata?.name)}`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Address of a resource in its stack's configuration. */
function addressOf(r: TerraformResource, stack: TerraformStack): string {
  return `${r.terraformResourceType}.${stack.getLogicalId(r)}`;
}

/**
 * The protected resources of an environment's stacks, by identity. Two resources with one identity are refused:
 * the record could not tell them apart (and their moved blocks would clash).
 */
export function protectedResources(stacks: readonly TerraformStack[]): Map<string, Current> {
  const out = new Map<string, Current>();
  for (const stack of stacks) {
    for (const node of stack.node.findAll() as IConstruct[]) {
      if (!TerraformResource.isTerraformResource(node)) continue;
      const id = identity(node, stack);
      if (id === undefined) continue;
      const other = out.get(id);
      if (other) {
        throw new ValidationError(
          `${node.node.path}: protected resource "${id}" has the same identity as ${other.resource.node.path}; the protected record tells resources apart by identity (tenant name, group display name, user UPN, resource name), so give them different names`,
        );
      }
      out.set(id, { resource: node, stack: stack.node.id, address: addressOf(node, stack) });
    }
  }
  return out;
}

/** How the configuration differs from the record (see {@link applyProtectedRecord}). */
interface Comparison {
  readonly current: Map<string, Current>;
  /** Current identity → the recorded identity and entry it continues (itself, or an identity changed in place). */
  readonly continues: Map<string, { id: string; entry: ProtectedEntry }>;
  /** Recorded, and gone from the configuration (or moved to another stack). */
  readonly dropped: { id: string; entry: ProtectedEntry; now?: Current }[];
  /** Not yet recorded. */
  readonly added: string[];
  /** Same identity, another address in the same stack (Terraform follows it with a moved block). */
  readonly renamed: { id: string; from: string; to: string }[];
  /** Same address, identity changed by an in-place update (a group's display name, a user's UPN). */
  readonly changedInPlace: { from: string; to: string; what: string }[];
  /** Recorded address now declared by another identity (a key swap in one change). */
  readonly swapped: { id: string; address: string; stack: string; by: string }[];
}

function compare(record: ProtectedRecord | undefined, stacks: readonly TerraformStack[]): Comparison {
  const recorded = record?.resources ?? {};
  const current = protectedResources(stacks);
  const continues = new Map<string, { id: string; entry: ProtectedEntry }>();
  const dropped: Comparison['dropped'] = [];
  const renamed: Comparison['renamed'] = [];
  const changedInPlace: Comparison['changedInPlace'] = [];
  for (const [id, entry] of Object.entries(recorded)) {
    const now = current.get(id);
    if (now && now.stack === entry.stack) {
      continues.set(id, { id, entry });
      if (now.address !== entry.address) renamed.push({ id, from: entry.address, to: now.address });
      continue;
    }
    // The same resource (same stack and address) under a new identity that Terraform updates in place.
    const type = entry.address.split('.')[0];
    const inPlace = now
      ? undefined
      : [...current].find(([cid, c]) => CHANGED_IN_PLACE[type] !== undefined && c.stack === entry.stack && c.address === entry.address && !(cid in recorded));
    if (inPlace) {
      continues.set(inPlace[0], { id, entry });
      changedInPlace.push({ from: id, to: inPlace[0], what: CHANGED_IN_PLACE[type] });
      continue;
    }
    dropped.push({ id, entry, now });
  }
  const added = [...current.keys()].filter((id) => !continues.has(id) && !(id in recorded));
  // A recorded resource still in the configuration at another address while another identity declares its recorded
  // address: Terraform updates the object in the state at that address into the other entry in place (no destroy, so
  // prevent_destroy never acts) and creates the recorded one anew. (Gone from the configuration, it is a drop.)
  const at = new Map([...current].map(([cid, c]) => [`${c.stack} ${c.address}`, cid]));
  const swapped: Comparison['swapped'] = [];
  for (const [id, entry] of Object.entries(recorded)) {
    const occupant = at.get(`${entry.stack} ${entry.address}`);
    if (occupant !== undefined && occupant !== id && continues.get(id) !== undefined && continues.get(occupant)?.id !== id) swapped.push({ id, address: entry.address, stack: entry.stack, by: occupant });
  }
  return { current, continues, dropped, added, renamed, changedInPlace, swapped };
}

/** Earlier addresses of a resource now at `to`, oldest first: without `to`, each once (its latest place kept). */
function history(entry: ProtectedEntry, to: string): string[] {
  const out: string[] = [];
  for (const a of [...(entry.previous ?? []), entry.address]) {
    if (a === to) continue;
    const i = out.indexOf(a);
    if (i >= 0) out.splice(i, 1);
    out.push(a);
  }
  return out;
}

/** Addresses of every resource a stack declares. */
function declaredAddresses(stack: TerraformStack): Set<string> {
  return new Set((stack.node.findAll() as IConstruct[]).filter(TerraformResource.isTerraformResource).map((r) => addressOf(r, stack)));
}

/**
 * Earlier addresses of each continued resource that another resource of its stack now declares: Terraform cannot
 * move from a declared address, and a later rename of that other resource would make the address an earlier one of
 * both. The record forgets them (the rename that left them was deployed before the address was reused).
 */
function reused(cmp: Comparison, stacks: readonly TerraformStack[]): Map<string, string[]> {
  const declared = new Map(stacks.map((s) => [s.node.id, declaredAddresses(s)]));
  const out = new Map<string, string[]>();
  for (const [id, { entry }] of cmp.continues) {
    const c = cmp.current.get(id)!;
    const taken = history(entry, c.address).filter((a) => declared.get(c.stack)?.has(a));
    if (taken.length) out.set(id, taken);
  }
  return out;
}

/**
 * The record of the current configuration (what `npm run protected-record` writes), keeping every earlier address
 * except those another resource now declares.
 */
export function currentRecord(env: EnvironmentConfig, stacks: readonly TerraformStack[]): ProtectedRecord {
  const cmp = compare(env.protectedRecord, stacks);
  const { current, continues } = cmp;
  const forget = reused(cmp, stacks);
  const resources: Record<string, ProtectedEntry> = {};
  for (const [id, c] of [...current].sort(([a], [b]) => a.localeCompare(b))) {
    const was = continues.get(id)?.entry;
    const previous = was ? history(was, c.address).filter((a) => !forget.get(id)?.includes(a)) : [];
    resources[id] = { stack: c.stack, address: c.address, ...(previous.length ? { previous } : {}) };
  }
  return { environment: env.name, comment: PROTECTED_RECORD_COMMENT, resources };
}

/** What `npm run protected-record` reports: each change of the record as what it is. */
export function recordChanges(
  env: EnvironmentConfig,
  stacks: readonly TerraformStack[],
): { added: string[]; removed: string[]; renamed: string[]; changedInPlace: string[]; forgotten: string[] } {
  const c = compare(env.protectedRecord, stacks);
  return {
    added: c.added,
    removed: c.dropped.map((d) => d.id),
    renamed: c.renamed.map((r) => `${r.id} (${r.from} → ${r.to})`),
    changedInPlace: c.changedInPlace.map((r) => `${r.from} → ${r.to} (${r.what} updated in place)`),
    forgotten: [...reused(c, stacks)].map(([id, as]) => `${as.join(', ')} of ${id} (now declared by another resource)`),
  };
}

/** `moved` blocks of one stack, written as Terraform JSON (cdktf's moveFromId writes one per resource only). */
class MovedBlocks extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly moves: readonly { from: string; to: string }[],
  ) {
    super(scope, id);
  }
  public override toTerraform(): unknown {
    return { moved: this.moves.map(({ from, to }) => ({ from, to })) };
  }
  public override toHclTerraform(): unknown {
    const simple = (value: string) => ({ value, isBlock: false, type: 'simple', storageClassType: 'string' });
    return { moved: this.moves.map(({ from, to }) => ({ from: simple(from), to: simple(to) })) };
  }
  public override toMetadata(): unknown {
    return {};
  }
}

/**
 * Moved blocks for every protected resource with earlier addresses: one chain per resource, oldest → … → current.
 * Terraform (internal/refactoring/move_validate.go) refuses two statements with one `from` or one `to`, a cycle, and a
 * `from` still declared in the configuration ("Moved object still exists"); a chain A → B → C is followed. So each
 * address appears in one chain at most, once, and addresses the configuration declares are left out.
 */
function writeMoves(cmp: Comparison, stacks: readonly TerraformStack[], file: string, env: string): void {
  for (const stack of stacks) {
    const declared = declaredAddresses(stack);
    const owner = new Map<string, string>();
    const moves: { from: string; to: string }[] = [];
    for (const [id, { entry }] of [...cmp.continues].sort(([a], [b]) => a.localeCompare(b))) {
      const now = cmp.current.get(id)!;
      if (now.stack !== stack.node.id) continue;
      const chain = [...history(entry, now.address).filter((a) => !declared.has(a)), now.address];
      for (const a of chain.slice(0, -1)) {
        const other = owner.get(a);
        if (other !== undefined) {
          throw new ValidationError(
            `${file}: address ${a} of stack ${stack.node.id} is an earlier address of both ${other} and ${id}; Terraform can move it to one of them only. ` +
              `Remove it from the "previous" list of the resource that is not at ${a} in the state (terraform state list of ${stack.node.id}), then commit the record (records written by npm run protected-record -- ${env} no longer keep an address another resource took)`,
          );
        }
        owner.set(a, id);
      }
      for (let i = 0; i + 1 < chain.length; i++) moves.push({ from: chain[i], to: chain[i + 1] });
    }
    if (moves.length) new MovedBlocks(stack, 'protected-record-moved', moves);
  }
}

/**
 * Compares a protected environment's stacks with its record: throws a {@link ValidationError} naming every recorded
 * resource that would be dropped (not listed in policy.allowRemoval), then, unless the record is being written
 * (`npm run protected-record`), every difference the record does not show yet; writes the moved blocks.
 */
export function applyProtectedRecord(env: EnvironmentConfig, stacks: readonly TerraformStack[]): void {
  if (stacks.length === 0) return;
  // The files the app read (config/load.ts); a library user's CapsulePlatform has none: its props are named.
  const file = env.sourceFiles?.protectedRecord ?? `protectedRecord of environment "${env.name}"`;
  const envFile = env.sourceFiles?.environment ?? `config of environment "${env.name}"`;
  const record = env.protectedRecord;
  const updating = stacks[0].node.tryGetContext(PROTECTED_RECORD_UPDATE_CONTEXT) === true;
  if (!env.protected) {
    if (record) {
      throw new ValidationError(
        `${file} records protected resources but ${envFile} is not protected (protected: true): to drop protection on purpose, delete ${file} in the same reviewed change (npm run protected-record -- ${env.name} --unprotect); otherwise set protected: true again`,
      );
    }
    return;
  }
  if (!record && !updating) {
    throw new ValidationError(
      `${file} is missing: ${envFile} is protected, and without its record of protected resources a rename or removal would not be caught: create it with npm run protected-record -- ${env.name} (a new environment) or restore the deleted file from git`,
    );
  }
  const cmp = compare(record, stacks);
  if (cmp.swapped.length) {
    throw new ValidationError(
      `${envFile}: ` +
        cmp.swapped
          .map(
            (w) =>
              `${w.id} (${w.address} in ${w.stack}, recorded in ${file}) is now declared by ${w.by}: Terraform would update that existing object into ${w.by} in place (its members, credentials and rights granted outside Terraform go with it) and create ${w.id} anew`,
          )
          .join('; ') +
        `. Do it as two deploys: first rename the key (keep the new entry out), deploy and record it (npm run protected-record -- ${env.name}); then add the new entry in a second change`,
    );
  }
  const allowed = new Set(env.policy?.allowRemoval ?? []);
  const kept = [...allowed].filter((id) => cmp.current.has(id));
  if (kept.length) {
    throw new ValidationError(
      `${envFile}: policy.allowRemoval names ${kept.map((id) => `"${id}"`).join(', ')}, still in the configuration: remove ${kept.length === 1 ? 'it' : 'them'} from the list (an entry there lets a later removal pass without review)`,
    );
  }
  const gone = [...allowed].filter((id) => !(id in (record?.resources ?? {})));
  if (updating && gone.length) {
    throw new ValidationError(
      `${envFile}: policy.allowRemoval names ${gone.map((id) => `"${id}"`).join(', ')}, no longer in ${file} (already removed): remove ${gone.length === 1 ? 'it' : 'them'} from the list first, so that a later removal needs a new decision`,
    );
  }
  const problems = cmp.dropped
    .filter((d) => !allowed.has(d.id))
    .map(({ id, entry, now }) =>
      now
        ? `${id} moved from stack ${entry.stack} to ${now.stack}: Terraform cannot move it between states, it would destroy it in ${entry.stack}`
        : `${id} (${entry.address} in ${entry.stack}) is no longer in the configuration: a deploy would destroy it`,
    );
  for (const id of gone) Annotations.of(stacks[0]).addWarning(`policy.allowRemoval names "${id}", which is not in ${file}; remove it from the list`);
  if (problems.length) {
    const current = cmp.current;
    throw new ValidationError(
      `${envFile}: ${problems.length} protected resource${problems.length === 1 ? '' : 's'} of ${file} would be dropped: ` +
        problems.join('; ') +
        '. A rename Terraform can follow keeps the identity (tenant name, group display name, user UPN, resource name) and changes only the key: the program then writes a moved block. ' +
        `To remove a resource on purpose, list it in policy.allowRemoval of ${envFile} (e.g. allowRemoval: [${Object.keys(record?.resources ?? {}).find((k) => !current.has(k)) ?? 'tenant/<name>'}]), ` +
        `deploy, then update the record with: npm run protected-record -- ${env.name}`,
    );
  }
  if (!updating) {
    const stale = [
      ...cmp.added.map((id) => `${id} is not recorded (not yet protected against a rename or removal)`),
      ...cmp.renamed.map((r) => `${r.id} was renamed (${r.from} → ${r.to}); once recorded, a moved block follows it`),
      ...cmp.changedInPlace.map((r) => `${r.from} → ${r.to}: its ${r.what} changed, an in-place update (nothing is destroyed)`),
    ];
    if (stale.length) {
      throw new ValidationError(
        `${file} is out of date: ` +
          stale.join('; ') +
          `. Record the change with: npm run protected-record -- ${env.name}, and commit the record with the change`,
      );
    }
  }
  writeMoves(cmp, stacks, file, env.name);
}
